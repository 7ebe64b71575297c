package forge

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRepoURL(t *testing.T) {
	tests := []struct {
		in   string
		want location
	}{
		{"https://git.example.com/acme/fleet.git", location{"https", "git.example.com", []string{"acme", "fleet"}}},
		{"https://hoist:s3cret@git.example.com:8443/acme/fleet/", location{"https", "git.example.com:8443", []string{"acme", "fleet"}}},
		{"http://127.0.0.1:3000/admin1/fleet.git", location{"http", "127.0.0.1:3000", []string{"admin1", "fleet"}}},
		{"ssh://git@git.example.com:2222/acme/fleet.git", location{"https", "git.example.com", []string{"acme", "fleet"}}},
		{"git@github.com:acme/fleet.git", location{"https", "github.com", []string{"acme", "fleet"}}},
		{"gitlab.example.com:group/sub/project", location{"https", "gitlab.example.com", []string{"group", "sub", "project"}}},
		{"https://example.com/gitea/acme/fleet", location{"https", "example.com", []string{"gitea", "acme", "fleet"}}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseRepoURL(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(location{})); diff != "" {
				t.Errorf("parseRepoURL(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestParseRepoURLErrors(t *testing.T) {
	for _, in := range []string{
		"", "fleet", "https://git.example.com/fleet", "https://hoist:s3cret@git.example.com/x",
		"ftp://h/a/b", "https:///a/b", "https://h/a/../b", "file:///srv/a/b", "h:a/b?x", "https://h/a/b?ref=x",
		"https://h/a b/c",
	} {
		_, err := parseRepoURL(in)
		if err == nil {
			t.Errorf("parseRepoURL(%q) = nil error, want one", in)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("parseRepoURL(%q) error %q holds the password", in, err)
		}
	}
}

func TestDefaultAPIURL(t *testing.T) {
	tests := []struct{ provider, repo, want string }{
		{"gitea", "git@git.example.com:acme/fleet.git", "https://git.example.com"},
		{"forgejo", "https://example.com/gitea/acme/fleet.git", "https://example.com/gitea"},
		{"gitea", "http://127.0.0.1:3000/a/b", "http://127.0.0.1:3000"},
		{"github", "git@github.com:acme/fleet.git", "https://api.github.com/"},
		{"github", "https://ghe.example.com/acme/fleet", "https://ghe.example.com/api/v3/"},
		{"gitlab", "git@gitlab.example.com:g/s/p.git", "https://gitlab.example.com"},
	}
	for _, tc := range tests {
		f, err := New(tc.provider, tc.repo)
		if err != nil {
			t.Fatalf("New(%s, %s): %v", tc.provider, tc.repo, err)
		}
		var got string
		switch f := f.(type) {
		case *giteaForge:
			got = f.apiURL.String()
		case *githubForge:
			got = f.apiURL.String()
		case *gitlabForge:
			got = f.apiURL.String()
		}
		if got != tc.want {
			t.Errorf("New(%s, %s) API URL = %q, want %q", tc.provider, tc.repo, got, tc.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct{ provider, repo string }{
		{"bitbucket", "https://h/a/b"},
		{"github", "https://github.com/a/b/c"},
		{"gitea", "not a url"},
	} {
		if _, err := New(tc.provider, tc.repo); err == nil {
			t.Errorf("New(%q, %q) = nil error, want one", tc.provider, tc.repo)
		}
	}
	if _, err := New("gitea", "https://h/a/b", WithAPIURL("https://u:s3cr3t@h/")); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("New with credentials in the API URL: err = %v, want one without them", err)
	}
}

func TestSafeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\nb\x1b[31m\u202e", `a\u000ab\u001b[31m\u202e`},
		{"bad \xff utf8", `bad \xff utf8`},
		{strings.Repeat("é", 300), strings.Repeat("é", 100) + "…"},
	}
	for _, tc := range tests {
		if got := safeText(tc.in); got != tc.want {
			t.Errorf("safeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzParseRepoURL(f *testing.F) {
	for _, s := range []string{
		"https://git.example.com/acme/fleet.git", "git@github.com:acme/fleet.git", "ssh://git@h:22/a/b",
		"http://u:p@127.0.0.1:3000/a/b/", "h:a/b/c", "https://h/a/%2e%2e/b", "https://[::1]:3000/a/b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		loc, err := parseRepoURL(raw)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error on more than one line: %q", err)
			}
			return
		}
		if len(loc.segments) < 2 || loc.host == "" || (loc.scheme != "https" && loc.scheme != "http") {
			t.Fatalf("parseRepoURL(%q) = %+v: want a host, a scheme and owner/repo", raw, loc)
		}
		for _, s := range loc.segments {
			if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\\?#%: \t\n") {
				t.Fatalf("parseRepoURL(%q): bad segment %q", raw, s)
			}
		}
		if strings.Contains(loc.host, "@") {
			t.Fatalf("parseRepoURL(%q): user info left in host %q", raw, loc.host)
		}
		for _, p := range []string{Gitea, GitHub, GitLab} {
			_, _ = New(p, raw)
		}
	})
}
