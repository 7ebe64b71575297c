package registry_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hoist-dev/hoist/registry"
)

// TestErrorBodySanitised: a registry error whose code and message hold
// escape sequences, newlines, a very long text and the Authorization header
// it received reaches the error message escaped, capped and redacted.
func TestErrorBodySanitised(t *testing.T) {
	srv, _ := fakeRegistry(t, true, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		msg := "denied\n\nHoist-Policy: forged\x1b[2J\x1b]0;title\x07 you sent " + r.Header.Get("Authorization") +
			" (password=pa55word) creds alice/pa55word \u202eevil " + strings.Repeat("x", 5000)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": "DENIED\x1b[31m\n", "message": msg}}})
	})
	user, pass := secretFile(t, "alice"), secretFile(t, "pa55word")
	sc := plainScanner(t, registry.WithHost(hostOf(srv), registry.HostConfig{UsernameFile: user, PasswordFile: pass}))
	_, err := sc.Tags(context.Background(), hostOf(srv)+"/team/app")
	if err == nil {
		t.Fatal("Tags succeeded on a 403")
	}
	msg := err.Error()
	t.Logf("error: %s", msg)
	b64 := base64.StdEncoding.EncodeToString([]byte("alice:pa55word"))
	for _, bad := range []string{"\n", "\x1b", "\x07", "\u202e", b64, "pa55word"} {
		if strings.Contains(msg, bad) {
			t.Errorf("error holds %q:\n%q", bad, msg)
		}
	}
	for _, want := range []string{`DENIED\x1b[31m\x0a`, `denied\x0a\x0aHoist-Policy: forged\x1b[2J`, "Basic REDACTED", hostOf(srv), "team/app"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not hold %q:\n%s", want, msg)
		}
	}
	if len(msg) > 500 {
		t.Errorf("error is %d bytes, want the registry's text capped", len(msg))
	}
}

// TestRepositoryPathRefused: a repository with ".." (or another invalid
// path component) is refused before any request, naming it.
func TestRepositoryPathRefused(t *testing.T) {
	srv, hits := fakeRegistry(t, false, func(w http.ResponseWriter, r *http.Request) {})
	sc := plainScanner(t)
	for _, path := range []string{"../../etc", "a/../b", "a/./b", "a//b", "Upper/app", "a/..", "a..b/c"} {
		repo := hostOf(srv) + "/" + path
		_, err := sc.Tags(context.Background(), repo)
		if err == nil || !strings.Contains(err.Error(), repo) {
			t.Errorf("Tags(%q): error %v, want one naming the repository", repo, err)
		}
		if _, err := registry.NormalizeRepository("host.example/" + path); err == nil {
			t.Errorf("NormalizeRepository(%q) accepted", path)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the registry got %d requests, want 0", n)
	}
}
