package notify

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzSanitize checks that any answer a receiver sends becomes one short,
// printable line without the secrets.
func FuzzSanitize(f *testing.F) {
	f.Add([]byte("bad request to /services/T0KEN/x"), "/services/T0KEN/x")
	f.Add([]byte("\x00\xff\u202e<html>\n\tbody"), "ab")
	f.Add([]byte(strings.Repeat("é", 300)), "éé")
	f.Fuzz(func(t *testing.T, body []byte, secret string) {
		got := sanitize(body, secret)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > maxShown {
			t.Fatalf("sanitize(%q) = %q: invalid or longer than %d runes", body, got, maxShown)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ') {
				t.Fatalf("sanitize(%q) = %q holds %U", body, got, r)
			}
		}
		// A secret can't survive, unless it is too short to redact, is
		// changed by the cleaning itself, or shares characters with the
		// "[redacted]" and "…" marks (which could spell it with their
		// neighbours).
		shown := strings.Join(strings.Fields(secret), " ")
		if len(secret) >= 2 && shown == secret && utf8.ValidString(secret) && !strings.ContainsAny(secret, "[redacted]…") &&
			strings.Contains(got, secret) {
			t.Fatalf("sanitize(%q, %q) = %q shows the secret", body, secret, got)
		}
	})
}

// FuzzParseRetryAfter checks that any Retry-After gives a wait that is not
// negative and not absurd.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "-1", "Sun, 01 Mar 2026 12:00:30 GMT", "soon", "99999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d := parseRetryAfter(v, fixedNow)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v", v, d)
		}
	})
}
