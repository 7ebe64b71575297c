package notify

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxShown is how many runes of a receiver's answer an error shows.
const maxShown = 200

// sanitize makes untrusted text fit for a log line: valid UTF-8, no control
// or format characters, runs of spaces collapsed, every secret (of two or
// more bytes) replaced by "[redacted]", and at most maxShown runes.
func sanitize(b []byte, secrets ...string) string {
	s := redact(strings.ToValidUTF8(string(b), "\uFFFD"), secrets)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	s = redact(s, secrets)
	if utf8.RuneCountInString(s) > maxShown {
		s = string([]rune(s)[:maxShown-1]) + "…"
	}
	return s
}

// redact replaces each secret, longest first, in s.
func redact(s string, secrets []string) string {
	secrets = append([]string(nil), secrets...)
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, sec := range secrets {
		if len(sec) >= 2 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
