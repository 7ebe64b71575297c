package forge_test

// No real GitHub or GitLab is reachable from where hoist is built and
// tested, so these are contract tests: go-github and GitLab's client-go
// talk to an httptest server that answers the documented REST shapes
// (docs.github.com/rest/pulls, docs.gitlab.com/api/merge_requests), and the
// tests check the requests the clients send and how answers are parsed.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// call is one request the fake forge received.
type call struct {
	Method, Path, Query, Auth string
	Body                      any // decoded JSON
}

// route answers one method and path.
type route struct {
	status int
	body   string
}

// fakeForge records requests and answers from routes keyed "METHOD /path".
type fakeForge struct {
	t      *testing.T
	srv    *httptest.Server
	authH  string // the header that carries the token
	routes map[string]route

	mu    sync.Mutex // protects calls
	calls []call
}

func newFakeForge(t *testing.T, authHeader string, routes map[string]route) *fakeForge {
	f := &fakeForge{t: t, authH: authHeader, routes: routes}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeForge) serve(w http.ResponseWriter, r *http.Request) {
	c := call{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Auth: r.Header.Get(f.authH)}
	if b, _ := io.ReadAll(r.Body); len(b) > 0 {
		if err := json.Unmarshal(b, &c.Body); err != nil {
			f.t.Errorf("%s %s: body is not JSON: %s", r.Method, r.URL.Path, b)
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	rt, ok := f.routes[r.Method+" "+c.Path]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"Not Found"}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rt.status)
	_, _ = io.WriteString(w, rt.body)
}

// requests returns "METHOD path" of every call, in order.
func (f *fakeForge) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.Method+" "+c.Path)
	}
	return out
}

// find returns the first call to method and path.
func (f *fakeForge) find(method, path string) call {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.calls {
		if c.Method == method && c.Path == path {
			return c
		}
	}
	f.t.Fatalf("no %s %s among %v", method, path, f.calls)
	return call{}
}
