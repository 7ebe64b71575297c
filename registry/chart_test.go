package registry_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

const testIndex = `apiVersion: v1
entries:
  api:
  - annotations:
      category: Infrastructure
    apiVersion: v2
    created: "2026-01-02T03:04:05.123456789Z"
    description: |
      The API.
      # not a comment
    digest: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    name: api
    urls:
    - https://charts.example.com/api-1.2.3+build.1.tgz
    version: 1.2.3+build.1
  # a comment between versions
  - created: 2025-12-01T00:00:00Z
    name: api
    version: 1.2.2
  - name: api
    version: not-a-version
  web:
  - name: web
    version: 0.1.0
generated: "2026-01-02T03:04:05Z"
`

// chartRepo is a Helm chart repository over HTTP, as a static file server
// serves one: index.yaml with ETag and Last-Modified, honouring
// If-None-Match and If-Modified-Since.
type chartRepo struct {
	user, pass string

	mu       sync.Mutex // protects the fields below
	index    []byte
	etag     string
	modified time.Time
	statuses map[int]int
}

func newChartRepo(t *testing.T, index string) (*chartRepo, *httptest.Server) {
	c := &chartRepo{statuses: map[int]int{}}
	c.set(index, `"v1"`)
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *chartRepo) set(index, etag string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.index, c.etag, c.modified = []byte(index), etag, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
}

func (c *chartRepo) counts() map[int]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[int]int{}
	for k, v := range c.statuses {
		out[k] = v
	}
	return out
}

func (c *chartRepo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	index, etag, modified := c.index, c.etag, c.modified
	c.mu.Unlock()
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() { c.mu.Lock(); c.statuses[rec.status]++; c.mu.Unlock() }()
	if u, p, ok := r.BasicAuth(); c.user != "" && (!ok || u != c.user || p != c.pass) {
		http.Error(rec, "unauthorized", http.StatusUnauthorized)
		return
	}
	if r.URL.Path != "/charts/index.yaml" {
		http.NotFound(rec, r)
		return
	}
	rec.Header().Set("ETag", etag)
	http.ServeContent(rec, r, "index.yaml", modified, bytes.NewReader(index))
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func TestChartVersionsIndexConditional(t *testing.T) {
	repo, srv := newChartRepo(t, testIndex)
	repo.user, repo.pass = "alice", "s3cret"
	host := strings.TrimPrefix(srv.URL, "http://")
	cache := filepath.Join(t.TempDir(), "cache.db")
	newSc := func() *registry.Scanner {
		sc, err := registry.New(registry.WithCache(cache), registry.WithHost(host, registry.HostConfig{
			RPS: -1, UsernameFile: secretFile(t, "alice"), PasswordFile: secretFile(t, "s3cret")}))
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	sc := newSc()
	ctx := context.Background()
	got, err := sc.ChartVersions(ctx, srv.URL+"/charts/", "api")
	if err != nil {
		t.Fatalf("ChartVersions: %v", err)
	}
	want := registry.ChartList{Dropped: 1, Versions: []registry.ChartVersion{
		{Version: "1.2.3+build.1", Created: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC),
			Digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		{Version: "1.2.2", Created: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ChartVersions mismatch (-want +got):\n%s", diff)
	}
	// Another chart of the same index: a 304, nothing parsed.
	web, err := sc.ChartVersions(ctx, srv.URL+"/charts", "web")
	if err != nil || len(web.Versions) != 1 || web.Versions[0].Version != "0.1.0" {
		t.Errorf("ChartVersions(web) = %+v, %v", web, err)
	}
	st := sc.Stats()
	if st.ChartIndexFetches != 1 || st.ChartIndexNotModified != 1 {
		t.Errorf("fetches, not modified = %d, %d; want 1, 1", st.ChartIndexFetches, st.ChartIndexNotModified)
	}
	_ = sc.Close()

	// A restarted process revalidates from the cache file.
	sc = newSc()
	defer sc.Close()
	if again, err := sc.ChartVersions(ctx, srv.URL+"/charts", "api"); err != nil || !cmp.Equal(want, again) {
		t.Errorf("after restart: %+v, %v", again, err)
	}
	if st := sc.Stats(); st.ChartIndexFetches != 0 || st.ChartIndexNotModified != 1 {
		t.Errorf("after restart: fetches, not modified = %d, %d; want 0, 1", st.ChartIndexFetches, st.ChartIndexNotModified)
	}
	// A changed index is fetched again.
	repo.set(strings.Replace(testIndex, "version: 0.1.0", "version: 0.2.0", 1), `"v2"`)
	if web, err := sc.ChartVersions(ctx, srv.URL+"/charts", "web"); err != nil || web.Versions[0].Version != "0.2.0" {
		t.Errorf("after change: %+v, %v", web, err)
	}
	if diff := cmp.Diff(map[int]int{200: 2, 304: 2}, repo.counts()); diff != "" {
		t.Errorf("server statuses mismatch (-want +got):\n%s", diff)
	}
}

func TestChartVersionsIndexErrors(t *testing.T) {
	ctx := context.Background()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	other := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(other.Close)
	tests := []struct {
		name, index, chart, path string
		opts                     []registry.Option
		want                     error
		wantText                 string
	}{
		{name: "missing chart", index: testIndex, chart: "nope", want: registry.ErrNotFound, wantText: `has no chart "nope"`},
		{name: "404", index: testIndex, chart: "api", path: "/other", want: registry.ErrNotFound, wantText: "404"},
		{name: "malformed", index: "apiVersion: v1\nentries:\n  api:\n  - version: [1\n", chart: "api", wantText: "chart starting at line 3"},
		{name: "not an index", index: "<html>hello</html>\n", chart: "api", wantText: "no entries"},
		{name: "oversized", index: testIndex, chart: "api", opts: []registry.Option{registry.WithMaxIndexSize(100)},
			want: registry.ErrTooLarge, wantText: "more than the 100 allowed"},
		{name: "too many versions", index: testIndex, chart: "api", opts: []registry.Option{registry.WithMaxTags(1)},
			want: registry.ErrTruncated, wantText: "more than 1 versions"},
		{name: "unreachable", chart: "api", wantText: "connection refused"},
		{name: "plain http elsewhere", chart: "api", path: "http://charts.example.com", wantText: "plain HTTP refused"},
		{name: "credentials in url", chart: "api", path: "https://u:p@charts.example.com", wantText: "credentials, query"},
		{name: "redirect to another host", chart: "api", path: "/redirect", want: registry.ErrRedirect},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newChartRepo(t, tc.index)
			base := srv.URL + "/charts"
			switch {
			case tc.name == "unreachable":
				base = closed.URL + "/charts"
			case tc.path == "/redirect":
				srv.Config.Handler = http.RedirectHandler(other.URL+"/charts/index.yaml", http.StatusFound)
			case strings.HasPrefix(tc.path, "/"):
				base = srv.URL + tc.path
			case tc.path != "":
				base = tc.path
			}
			opts := append([]registry.Option{registry.WithRetry(0, time.Millisecond),
				registry.WithDefaults(registry.HostConfig{RPS: -1})}, tc.opts...)
			sc, err := registry.New(opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer sc.Close()
			_, err = sc.ChartVersions(ctx, base, tc.chart)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("ChartVersions error = %v, want %v containing %q", err, tc.want, tc.wantText)
			}
		})
	}
}

func TestChartVersionsOCI(t *testing.T) {
	s := registrytest.Start(t)
	for _, tag := range []string{"1.0.0", "1.2.3_build.1", "2.0.0-rc.1", "latest"} {
		s.PushChart(t, s.Repo("charts/api:"+tag))
	}
	sc := newScanner(t, s)
	want := registry.ChartList{Dropped: 1, Versions: []registry.ChartVersion{
		{Version: "1.0.0", Tag: "1.0.0"},
		{Version: "1.2.3+build.1", Tag: "1.2.3_build.1"},
		{Version: "2.0.0-rc.1", Tag: "2.0.0-rc.1"},
	}}
	for _, ref := range [][2]string{{"oci://" + s.Host + "/charts", "api"}, {"oci://" + s.Repo("charts/api"), ""}} {
		got, err := sc.ChartVersions(context.Background(), ref[0], ref[1])
		if err != nil {
			t.Fatalf("ChartVersions(%q, %q): %v", ref[0], ref[1], err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ChartVersions(%q, %q) mismatch (-want +got):\n%s", ref[0], ref[1], diff)
		}
	}
	if _, err := sc.ChartVersions(context.Background(), "oci://"+s.Repo("charts/none"), ""); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("missing OCI chart: error %v, want ErrNotFound", err)
	}
}

// Concurrent calls for charts of one index parse it once: they share the
// fetch, or find the cache current (304).
func TestChartVersionsConcurrentOneParse(t *testing.T) {
	repo, srv := newChartRepo(t, testIndex)
	sc, err := registry.New(registry.WithDefaults(registry.HostConfig{RPS: -1}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			chart := []string{"api", "web"}[i%2]
			if _, err := sc.ChartVersions(context.Background(), srv.URL+"/charts", chart); err != nil {
				t.Errorf("ChartVersions(%s): %v", chart, err)
			}
		})
	}
	wg.Wait()
	if st := sc.Stats(); st.ChartIndexFetches != 1 {
		t.Errorf("index parsed %d times, want 1", st.ChartIndexFetches)
	}
	if got := repo.counts()[200]; got != 1 {
		t.Errorf("server sent the index %d times, want 1", got)
	}
}
