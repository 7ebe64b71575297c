package ui

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRedactURL(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"token as user":     {"https://ghp_abc123@github.com/acme/gitops.git", "https://github.com/acme/gitops.git"},
		"user and password": {"https://bot:hunter2@git.example.com/a/b.git", "https://git.example.com/a/b.git"},
		"query and fragment": {"https://git.example.com/a/b.git?private_token=x&y=1#frag",
			"https://git.example.com/a/b.git"},
		"ssh user":        {"ssh://git@git.example.com:2222/a/b.git", "ssh://git.example.com:2222/a/b.git"},
		"scp-like":        {"git@github.com:acme/gitops.git", "github.com:acme/gitops.git"},
		"scp-like secret": {"bot:hunter2@github.com:acme/gitops.git?x=1", "github.com:acme/gitops.git"},
		"plain path":      {"/srv/git/gitops.git", "/srv/git/gitops.git"},
		"unparseable":     {"https://bot:hun%zz@host/x", "host/x"},
		"empty":           {"", ""},
	} {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, RedactURL(tc.in)); diff != "" {
				t.Errorf("RedactURL(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestLink(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"https":      {"https://bot:pw@git.example.com/a/b/commit/1?x=1", "https://git.example.com/a/b/commit/1"},
		"http":       {"http://gitea.local:3000/a/b/pulls/3", "http://gitea.local:3000/a/b/pulls/3"},
		"javascript": {"javascript:alert(1)", ""},
		"data":       {"data:text/html,<script>alert(1)</script>", ""},
		"relative":   {"/a/b", ""},
		"no host":    {"https:///a", ""},
	} {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, link(tc.in)); diff != "" {
				t.Errorf("link(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		max  int
		want string
	}{
		"credentials in text": {"fetching https://bot:hunter2@git.example.com/a.git: refused", 0,
			"fetching https://git.example.com/a.git: refused"},
		"password with @":      {"push to https://u:p@ss@host/x failed", 0, "push to https://host/x failed"},
		"query in text":        {"GET https://reg.example.com/v2/token?scope=x&secret=y: 401", 0, "GET https://reg.example.com/v2/token 401"},
		"control chars":        {"line1\nline2\r\x1b[31mred\u202e", 0, "line1 line2 [31mred"},
		"invalid utf8":         {"a\xffb", 0, "a\uFFFDb"},
		"cut":                  {"abcdefghij", 5, "abcd…"},
		"kept":                 {`<script>alert(1)</script>`, 0, `<script>alert(1)</script>`},
		"long, URL at the cut": {strings.Repeat("a ", 20) + "https://bot:hunter2@host/x", 5, "a a…"},
		"long, no space":       {strings.Repeat("x", 100), 5, "xxxx…"},
		"long URL, no space":   {"https://bot:hunter2@host/" + strings.Repeat("x", 100), 5, "…"},
	} {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Sanitize(tc.in, tc.max)); diff != "" {
				t.Errorf("Sanitize(%q, %d) mismatch (-want +got):\n%s", tc.in, tc.max, diff)
			}
		})
	}
}

// FuzzRedactURL checks that no password, token or query value embedded in
// a URL survives RedactURL, nor Sanitize (cut to any length) of a text
// quoting the URL after pad letters and spaces.
func FuzzRedactURL(f *testing.F) {
	f.Add("bot", "hunter2", "git.example.com", "/a/b.git", "s3cret", uint16(0), uint8(0))
	f.Add("", "ghp_abc123", "github.com:443", "/", "tok", uint16(37), uint8(5))
	f.Add("x@y", "p/q@r s", "h", "/p?q", "a b", uint16(400), uint8(50))
	f.Fuzz(func(t *testing.T, user, pass, host, path, query string, pad uint16, limit uint8) {
		if !plainHost(host) || len(pass) < 4 || len(query) < 4 {
			t.Skip()
		}
		u := url.URL{Scheme: "https", User: url.UserPassword(user, pass), Host: host, Path: path,
			RawQuery: url.Values{"token": {query}}.Encode()}
		raw := u.String()
		before := strings.Repeat("a ", int(pad)/2) + strings.Repeat("a", int(pad)%2)
		text := before + raw + " failed"
		// The text without the secrets; url.URL writes the slash a path without one needs.
		safe := before + (&url.URL{Scheme: "https", Host: host, Path: path}).String() + " failed"
		for _, out := range []string{RedactURL(raw), Sanitize(text, int(limit))} {
			for _, secret := range []string{pass, url.QueryEscape(pass), url.PathEscape(pass), url.QueryEscape(query)} {
				if strings.Contains(out, secret) && !strings.Contains(safe, secret) {
					t.Fatalf("%q keeps the secret %q of %q", out, secret, raw)
				}
			}
		}
	})
}

// plainHost reports whether h is a host name (and port) of letters, digits,
// dots, dashes and colons.
func plainHost(h string) bool {
	return h != "" && strings.Trim(h, "abcdefghijklmnopqrstuvwxyz0123456789.-:") == ""
}
