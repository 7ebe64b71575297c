package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTransport(t *testing.T) {
	tests := []struct {
		url, want, wantErr string
	}{
		{url: "file:///srv/git/config.git", want: "file"},
		{url: "/srv/git/config.git", want: "file"},
		{url: "http://127.0.0.1:8080/config.git", want: "http"},
		{url: "https://github.com/acme/config.git", want: "https"},
		{url: "https://x-access-token@github.com/acme/config.git", want: "https"},
		{url: "git://127.0.0.1/config.git", want: "git"},
		{url: "ssh://git@github.com:22/acme/config.git", want: "ssh"},
		{url: "git@github.com:acme/config.git", want: "ssh"},
		{url: "github.com:acme/config.git", want: "ssh"},
		{url: "", wantErr: "is required"},
		{url: "relative/path", wantErr: "must be a file, http, https, git or ssh URL, an absolute path, or user@host:path"},
		{url: "@:x", wantErr: "must be a file, http, https, git or ssh URL, an absolute path, or user@host:path"},
		{url: "https:///nohost", wantErr: "a https URL needs a host"},
		{url: "file://", wantErr: "a file URL needs a path"},
		{url: "s3://bucket/x", wantErr: `unsupported scheme "s3"; use file, http, https, git or ssh`},
		{url: "https://u:p4ss@h/x", wantErr: "must not embed a password; use auth.passwordFile or auth.tokenFile"},
		{url: "https://h/a b", wantErr: "must not contain whitespace"},
		{url: "https://h:port/x", wantErr: "is not a valid URL"},
	}
	for _, tc := range tests {
		got, err := urlTransport(tc.url)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if diff := cmp.Diff([]string{tc.want, tc.wantErr}, []string{got, gotErr}); diff != "" {
			t.Errorf("urlTransport(%q) mismatch (-want +got):\n%s", tc.url, diff)
		}
	}
}

func TestNameFromURL(t *testing.T) {
	tests := map[string]string{
		"ssh://git@github.com/acme/config.git":   "acme-config",
		"git@github.com:acme/config.git":         "acme-config",
		"https://gitlab.example/g/sub/apps.git/": "sub-apps",
		"file:///srv/config.git":                 "srv-config",
		"/srv/git/config":                        "git-config",
		"https://h/a%20b/c":                      "a-b-c",
		"http://h/.git":                          "",
		"https://h":                              "",
	}
	for url, want := range tests {
		if got := nameFromURL(url); got != want {
			t.Errorf("nameFromURL(%q) = %q, want %q", url, got, want)
		}
	}
}
