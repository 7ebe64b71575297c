package gitwriter

import (
	"errors"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"https://github.com/acme/config.git":            "https://github.com/acme/config.git",
		"https://bob:s3cret@github.com/acme/config.git": "https://bob:REDACTED@github.com/acme/config.git",
		"https://ghp_token123@github.com/acme/c.git":    "https://REDACTED@github.com/acme/c.git",
		"ssh://git@github.com/acme/config.git":          "ssh://git@github.com/acme/config.git",
		"git@github.com:acme/config.git":                "git@github.com:acme/config.git",
		"git://127.0.0.1:9418/config.git":               "git://127.0.0.1:9418/config.git",
		"https://u:p%zz@host/x":                         "https://REDACTED@host/x",
	}
	for in, want := range tests {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorScrubsSecrets(t *testing.T) {
	raw := "https://bob:s3cret-pw@host/x.git"
	e := &Error{Step: "push", Remote: redactURL(raw), Err: errors.New("server said s3cret-pw and tok-abc"),
		secrets: append(urlSecrets(raw), "tok-abc")}
	want := "push https://bob:REDACTED@host/x.git: server said REDACTED and REDACTED"
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestErrorEscapesServerText: a server's error text with escape sequences
// or line breaks prints on one line, capped.
func TestErrorEscapesServerText(t *testing.T) {
	e := &Error{Step: "fetch", Remote: "https://host/x.git", Err: errors.New("denied\n\x1b[2Kpush https://host/x.git: ok" + strings.Repeat("!", 3000))}
	got := e.Error()
	if !strings.HasPrefix(got, `fetch https://host/x.git: denied\n\x1b[2Kpush`) || strings.ContainsAny(got, "\n\x1b") {
		t.Errorf("Error() = %.80q..., want the server text escaped", got)
	}
	if n := len(got); n > maxErrorText+100 {
		t.Errorf("Error() is %d bytes, want it capped near %d", n, maxErrorText)
	}
}
