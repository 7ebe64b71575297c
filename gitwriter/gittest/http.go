package gittest

import (
	"crypto/subtle"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// backend is where Debian and most distributions install git-http-backend.
const backend = "/usr/lib/git-core/git-http-backend"

// HTTP starts the real git-http-backend (through net/http/cgi) serving every
// repository under base over plain HTTP on a free loopback port. Every request
// must carry basic auth user:pass.
func HTTP(t testing.TB, base, user, pass string) *Server {
	t.Helper()
	s := httptest.NewServer(handler(t, base, user, pass))
	t.Cleanup(s.Close)
	return &Server{Base: base, Addr: s.Listener.Addr().String(), User: user, Password: pass, scheme: "http"}
}

// HTTPS is HTTP over TLS with a self-signed certificate written to
// Server.CAFile.
func HTTPS(t testing.TB, base, user, pass string) *Server {
	t.Helper()
	s := httptest.NewUnstartedServer(handler(t, base, user, pass))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // TLS handshake errors are expected in tests
	s.StartTLS()
	t.Cleanup(s.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	block := &pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}
	if err := os.WriteFile(ca, pem.EncodeToMemory(block), 0o644); err != nil {
		t.Fatal(err)
	}
	return &Server{Base: base, Addr: s.Listener.Addr().String(), User: user, Password: pass, CAFile: ca, scheme: "https"}
}

func handler(t testing.TB, base, user, pass string) http.Handler {
	t.Helper()
	need(t, backend)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || !equal(u, user) || !equal(p, pass) {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h := &cgi.Handler{
			Path: backend,
			Dir:  base,
			Env: []string{
				"GIT_PROJECT_ROOT=" + base, "GIT_HTTP_EXPORT_ALL=1",
				"REMOTE_USER=" + u, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			},
			InheritEnv: []string{"PATH"},
			Stderr:     &logWriter{t: t, prefix: "git-http-backend: "},
		}
		h.ServeHTTP(w, r)
	})
}

func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 && !strings.ContainsRune(a, 0)
}
