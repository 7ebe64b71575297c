package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMount(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "next "+r.Method+" "+r.URL.Path)
	})
	h := Mount(next, Handler(fakeSource{fixture()}))
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/", "<!doctype html>"},
		{"HEAD", "/", ""},
		{"GET", "/api/v1/status", "{"},
		{"GET", "/static/style.css", "/* hoist status page"},
		{"GET", "/healthz", "next GET /healthz"},
		{"GET", "/metrics", "next GET /metrics"},
		{"POST", "/hooks/dockerhub", "next POST /hooks/dockerhub"},
		{"POST", "/", "next POST /"},
		{"GET", "/api/v1/other", "next GET /api/v1/other"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		got := rec.Body.String()
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s %s: got %q, want it to start with %q", tc.method, tc.path, got[:min(len(got), 40)], tc.want)
		}
		if diff := cmp.Diff(tc.want == "" || !strings.HasPrefix(tc.want, "next"), rec.Header().Get("Content-Security-Policy") != ""); diff != "" {
			t.Errorf("%s %s: CSP header presence mismatch (-want +got):\n%s", tc.method, tc.path, diff)
		}
	}
}
