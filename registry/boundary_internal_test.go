package registry

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

func TestProbePlainHTTP(t *testing.T) {
	for _, tc := range []struct {
		host     string
		c        HostConfig
		marked   bool
		wantPlan bool
	}{
		{host: "127.0.0.1:5000", wantPlan: true},
		{host: "127.9.8.7", wantPlan: true},
		{host: "localhost", wantPlan: true},
		{host: "localhost:5000", wantPlan: true},
		{host: "[::1]:5000", wantPlan: true},
		{host: "[::1]", wantPlan: true},
		{host: "[::ffff:127.0.0.1]:5000", wantPlan: true},
		{host: "10.0.0.5:5000"},
		{host: "192.168.1.10:5000"},
		{host: "172.16.0.1"},
		{host: "localhost.evil.example:5000"},
		{host: "127.0.0.1.nip.io:5000"},
		{host: "ghcr.io"},
		{host: "127.0.0.1:5000", c: HostConfig{CAFile: "/ca.pem"}},
		{host: "127.0.0.1:5000", c: HostConfig{CertFile: "/c.pem", KeyFile: "/k.pem"}},
		{host: "127.0.0.1:5000", c: HostConfig{Insecure: true}}, // always plain HTTP, no probe
		{host: "10.0.0.5:5000", marked: true, wantPlan: true},
		{host: "ghcr.io", marked: true, wantPlan: true},
	} {
		if got := probePlainHTTP(tc.host, tc.c, tc.marked); got != tc.wantPlan {
			t.Errorf("probePlainHTTP(%q, %+v, %v) = %v, want %v", tc.host, tc.c, tc.marked, got, tc.wantPlan)
		}
	}
}

func TestSanitize(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"plain":            {"manifest unknown", "manifest unknown"},
		"newline":          {"a\nb\r\nc", `a\x0ab\x0d\x0ac`},
		"escape sequence":  {"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		"bidi override":    {"a\u202eb", `a\u202eb`},
		"invalid utf-8":    {"a\xffb", "a?b"},
		"bearer echoed":    {"got Authorization: Bearer eyJhbGciOi.abc", "got Authorization: REDACTED"},
		"basic":            {"header basic YWxpY2U6cHc=", "header basic REDACTED"},
		"json token":       {`{"token":"s3cret","x":1}`, `{"token":"REDACTED","x":1}`},
		"url userinfo":     {"see https://u:p@h.example/x?sig=1", "see https://REDACTED@h.example/x?REDACTED"},
		"capped":           {strings.Repeat("é", 200), strings.Repeat("é", 10) + "..."},
		"capped at escape": {strings.Repeat("\n", 30), strings.Repeat(`\x0a`, 5) + "..."},
	} {
		t.Run(name, func(t *testing.T) {
			n := 20
			if !strings.HasPrefix(name, "capped") {
				n = 100
			}
			if diff := cmp.Diff(tc.want, sanitize(tc.in, n)); diff != "" {
				t.Errorf("sanitize(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// FuzzSanitize: whatever a server sends, the text shown has no control or
// bidi characters, is valid UTF-8, is capped, and an echoed Authorization
// header never shows its credential.
func FuzzSanitize(f *testing.F) {
	f.Add("denied\n\x1b[2J", "abcd1234")
	f.Add("\u202e", "tok")
	f.Fuzz(func(t *testing.T, s, secret string) {
		out := sanitize(s, 200)
		if len(out) > 200+6+3 {
			t.Errorf("sanitize made %d bytes", len(out))
		}
		for _, r := range out {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == unicode.ReplacementChar {
				t.Fatalf("sanitize(%q) = %q holds %U", s, out, r)
			}
		}
		if !tokenLike.MatchString(secret) {
			return
		}
		out = sanitize(s+" Authorization: Bearer "+secret+" ", 1<<20)
		if strings.Contains(out, "Bearer "+secret) {
			t.Errorf("sanitize kept the bearer token: %q", out)
		}
	})
}

var tokenLike = regexp.MustCompile(`^[A-Za-z0-9]{8,40}$`)

var ociTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)

// FuzzTagPage decodes any tags/list body: no panic, every kept tag is a
// valid OCI tag (the same answer as the spec's regular expression), kept
// tags are distinct and never more than the limit.
func FuzzTagPage(f *testing.F) {
	f.Add(`{"name":"x","tags":["1.0.0","1.0.0","a b","../../etc","v2"]}`)
	f.Add(`{"tags":null,"extra":{"a":[1,2,{"b":null}]}}`)
	f.Add(`{"tags":["9.9.9\n  evil: x","\u0000","` + strings.Repeat("a", 129) + `"]}`)
	f.Add(`{"tags":[1,2]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		c := newTagCollector(3)
		res, err := decodePage(strings.NewReader(body), c)
		seen := map[string]bool{}
		for _, tag := range c.tags {
			if !ociTag.MatchString(tag) || seen[tag] {
				t.Fatalf("kept %q (seen before: %v) from %q", tag, seen[tag], body)
			}
			seen[tag] = true
		}
		if len(c.tags) > 3 || res.added > res.names || (err == nil && c.truncated && len(c.tags) != 3) {
			t.Fatalf("kept %d tags of %d names (added %d, truncated %v)", len(c.tags), res.names, res.added, c.truncated)
		}
		for _, s := range []string{body, strings.Trim(body, `"`)} {
			if ValidTag(s) != ociTag.MatchString(s) {
				t.Fatalf("ValidTag(%q) = %v, the spec says %v", s, ValidTag(s), !ValidTag(s))
			}
		}
	})
}
