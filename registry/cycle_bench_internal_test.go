package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"
)

// tagServer is a registry-shaped server of tag lists only: repos
// repositories of tags each, paginated as distribution does it (n, last
// and a Link header while more tags remain). Pages are encoded once.
type tagServer struct {
	host  string
	mu    sync.Mutex          // protects tags and pages
	tags  map[string][]string // repository path -> tags, sorted
	pages map[string]tagPage  // request URI -> page
}

// tagPage is one encoded page and its Link header.
type tagPage struct {
	body []byte
	link string
}

func newTagServer(tb testing.TB, repos, tags int) (*tagServer, []string) {
	ts := &tagServer{tags: map[string][]string{}, pages: map[string]tagPage{}}
	var paths []string
	for r := range repos {
		p := fmt.Sprintf("org%02d/service-%04d", r%40, r)
		names := make([]string, tags)
		for i := range names {
			names[i] = fmt.Sprintf("1.%d.%04d-build.%d", r%50, i, r*tags+i)
		}
		ts.tags[p] = names
		paths = append(paths, p)
	}
	srv := httptest.NewServer(ts)
	tb.Cleanup(srv.Close)
	ts.host = strings.TrimPrefix(srv.URL, "http://")
	for i, p := range paths {
		paths[i] = ts.host + "/" + p
	}
	return ts, paths
}

// set replaces the tags of repo ("host/path").
func (ts *tagServer) set(repo string, tags []string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.tags[strings.TrimPrefix(repo, ts.host+"/")] = slices.Sorted(slices.Values(tags))
	clear(ts.pages)
}

func (ts *tagServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v2/" {
		return
	}
	ts.mu.Lock()
	p, ok := ts.pages[r.URL.RequestURI()]
	if !ok {
		if p, ok = ts.page(r.URL); ok {
			ts.pages[r.URL.RequestURI()] = p
		}
	}
	ts.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if p.link != "" {
		w.Header().Set("Link", p.link)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(p.body)
}

// page encodes the page u asks for; ts.mu is held.
func (ts *tagServer) page(u *url.URL) (tagPage, bool) {
	repo, ok := strings.CutSuffix(strings.TrimPrefix(u.Path, "/v2/"), "/tags/list")
	tags, found := ts.tags[repo]
	if !ok || !found {
		return tagPage{}, false
	}
	n, err := strconv.Atoi(u.Query().Get("n"))
	if err != nil || n <= 0 {
		n = len(tags)
	}
	if last := u.Query().Get("last"); last != "" {
		i := 0
		for i < len(tags) && tags[i] <= last {
			i++
		}
		tags = tags[i:]
	}
	var link string
	if len(tags) > n {
		tags = tags[:n]
		link = "<" + (&url.URL{Path: u.Path, RawQuery: url.Values{"n": {strconv.Itoa(n)}, "last": {tags[n-1]}}.Encode()}).String() + `>; rel="next"`
	}
	body, _ := json.Marshal(struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}{repo, tags})
	return tagPage{body, link}, true
}

// listCycle lists every repository, 16 at a time, as a pass does.
func listCycle(b *testing.B, sc *Scanner, repos []string, want int) {
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(16)
	for _, r := range repos {
		g.Go(func() error {
			l, err := sc.ListTags(ctx, r)
			if err == nil && len(l.Tags) != want {
				err = fmt.Errorf("%s has %d tags, want %d", r, len(l.Tags), want)
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkListCycle lists 200 repositories x 1,000 tags (pages of 500)
// from an in-process registry-shaped server, in steady state (nothing new),
// with the in-memory store and with the bbolt cache. It reports bbolt's
// page writes per cycle.
func BenchmarkListCycle(b *testing.B) {
	const nRepos, nTags = 200, 1000
	ts, repos := newTagServer(b, nRepos, nTags)
	for _, kind := range []string{"memory", "bbolt"} {
		b.Run(kind, func(b *testing.B) {
			opts := []Option{WithHost(ts.host, HostConfig{Insecure: true, RPS: -1, MaxConcurrent: 16}), WithPageSize(500)}
			if kind == "bbolt" {
				opts = append(opts, WithCache(filepath.Join(b.TempDir(), "cache.db")))
			}
			sc, err := New(opts...)
			if err != nil {
				b.Fatal(err)
			}
			defer sc.Close()
			listCycle(b, sc, repos, nTags) // the first cycle writes everything
			before := boltWrites(sc)
			for b.Loop() {
				listCycle(b, sc, repos, nTags)
			}
			b.ReportMetric(float64(boltWrites(sc)-before)/float64(b.N), "bolt-writes/cycle")
		})
	}
}

// boltWrites is how many pages bbolt wrote so far (0 without a cache).
func boltWrites(sc *Scanner) int64 {
	if bs, ok := sc.store.(*boltStore); ok {
		st := bs.db.Stats()
		return st.TxStats.GetWrite()
	}
	return 0
}

// BenchmarkDecodePage decodes one page of 1,000 tags.
func BenchmarkDecodePage(b *testing.B) {
	tags := make([]string, 1000)
	for i := range tags {
		tags[i] = fmt.Sprintf("1.%d.%04d-build.%d", i%50, i, 7000+i)
	}
	body, _ := json.Marshal(map[string]any{"name": "org/service", "tags": tags})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		c := newTagCollector(100000)
		if _, err := decodePage(bytes.NewReader(body), c); err != nil || len(c.tags) != 1000 {
			b.Fatal(err, len(c.tags))
		}
	}
}
