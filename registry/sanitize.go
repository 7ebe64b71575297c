package registry

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// credentialPatterns find credentials a server may echo back in an error
// body (its copy of the Authorization header, a token in JSON); the first
// group is kept, the secret after it replaced.
var credentialPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(authorization"?\s*[:=]\s*"?)(?:(?:basic|bearer)\s+)?[^\s",;}]+`),
	regexp.MustCompile(`(?i)(\b(?:basic|bearer)\s+)[A-Za-z0-9._~+/=-]+`),
	regexp.MustCompile(`(?i)("(?:password|passwd|secret|token|access_token|refresh_token|identitytoken|registrytoken|auth)"\s*:\s*")[^"]*`),
	regexp.MustCompile(`(?i)(\b(?:password|passwd|secret|access_token|refresh_token|token)=)[^\s&"']+`),
}

// sanitize makes text from a server safe to show in an error: credentials
// are replaced by REDACTED, URLs lose their userinfo and query, control
// characters (newlines, escape sequences) and bidirectional overrides are
// shown escaped, and the result is cut to about n bytes.
func sanitize(s string, n int) string {
	if len(s) > 4*n {
		s = s[:4*n] // bound the work; what follows is cut anyway
	}
	s = redactSecrets(strings.ToValidUTF8(s, "?"))
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= n {
			b.WriteString("...")
			break
		}
		switch {
		case r == utf8.RuneError:
			b.WriteByte('?')
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r):
			b.WriteString(escapeRune(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// redactSecrets hides credentials and the userinfo and query of URLs in s.
func redactSecrets(s string) string {
	s = redactText(s)
	for _, re := range credentialPatterns {
		s = re.ReplaceAllString(s, "${1}REDACTED")
	}
	return s
}

func escapeRune(r rune) string {
	if r < 0x80 {
		return fmt.Sprintf(`\x%02x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}
