package registry

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// newTestScanner makes a scanner of ts, with the in-memory store or
// ("bbolt") a cache file in dir.
func newTestScanner(t testing.TB, ts *tagServer, kind, dir string, opts ...Option) *Scanner {
	t.Helper()
	opts = append([]Option{WithHost(ts.host, HostConfig{Insecure: true, RPS: -1}), WithPageSize(3)}, opts...)
	if kind == "bbolt" {
		opts = append(opts, WithCache(filepath.Join(dir, "cache.db")))
	}
	sc, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestListTagsOwnCopy: a caller that changes the list it got changes
// neither the cache nor the next listing.
func TestListTagsOwnCopy(t *testing.T) {
	ts, repos := newTagServer(t, 1, 7)
	for _, kind := range []string{"memory", "bbolt"} {
		t.Run(kind, func(t *testing.T) {
			sc := newTestScanner(t, ts, kind, t.TempDir())
			defer sc.Close()
			l, err := sc.ListTags(context.Background(), repos[0])
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(l.Tags)
			l.Tags[0] = "changed"
			cached, _, _ := sc.CachedTags(repos[0])
			if diff := cmp.Diff(want, cached); diff != "" {
				t.Errorf("CachedTags after the caller changed its list (-want +got):\n%s", diff)
			}
			again, err := sc.ListTags(context.Background(), repos[0])
			if diff := cmp.Diff(want, again.Tags); err != nil || diff != "" {
				t.Errorf("ListTags again: %v (-want +got):\n%s", err, diff)
			}
		})
	}
}

// TestTagCacheSameAsListing: across edits of the registry, the cached tags
// of each repository are what an uncached scanner lists, with the time of
// the last listing, also after a restart.
func TestTagCacheSameAsListing(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []string{"memory", "bbolt"} {
		t.Run(kind, func(t *testing.T) {
			ts, repos := newTagServer(t, 3, 7)
			dir := t.TempDir()
			sc := newTestScanner(t, ts, kind, dir)
			defer func() { sc.Close() }()
			edits := []func(){
				func() {},
				func() { ts.set(repos[0], append(ts.tagsOf(repos[0]), "2.0.0")) },
				func() {},
				func() { ts.set(repos[1], nil) },
				func() { ts.set(repos[1], []string{"a"}); ts.set(repos[2], ts.tagsOf(repos[2])[2:]) },
				func() {},
			}
			for i, edit := range edits {
				edit()
				for _, repo := range repos {
					before := time.Now()
					if _, err := sc.ListTags(ctx, repo); err != nil {
						t.Fatal(err)
					}
					checkCached(t, fmt.Sprintf("edit %d", i), sc, repo, listUncached(t, ts, repo), before, time.Now())
				}
			}
			if kind != "bbolt" {
				return
			}
			_, at, _ := sc.CachedTags(repos[0])
			sc.Close()
			sc = newTestScanner(t, ts, kind, dir)
			for _, repo := range repos {
				checkCached(t, "restart", sc, repo, listUncached(t, ts, repo), at, time.Now())
			}
		})
	}
}

func (ts *tagServer) tagsOf(repo string) []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return slices.Clone(ts.tags[strings.TrimPrefix(repo, ts.host+"/")])
}

// listUncached lists repo with a new scanner without a cache file.
func listUncached(t *testing.T, ts *tagServer, repo string) []string {
	sc := newTestScanner(t, ts, "memory", "")
	defer sc.Close()
	l, err := sc.ListTags(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	return l.Tags
}

// checkCached: CachedTags(repo) is want, listed between from and to.
func checkCached(t *testing.T, step string, sc *Scanner, repo string, want []string, from, to time.Time) {
	t.Helper()
	got, at, ok := sc.CachedTags(repo)
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); !ok || diff != "" {
		t.Errorf("%s: CachedTags(%s) ok %v (-uncached +cached):\n%s", step, repo, ok, diff)
	}
	if at.Before(from) || at.After(to) {
		t.Errorf("%s: CachedTags(%s) listed at %v, want between %v and %v", step, repo, at, from, to)
	}
}

// TestTagCacheUnchangedWritesNothing: listing tags that did not change
// writes no page of the cache file; a change does.
func TestTagCacheUnchangedWritesNothing(t *testing.T) {
	ts, repos := newTagServer(t, 4, 7)
	sc := newTestScanner(t, ts, "bbolt", t.TempDir())
	defer sc.Close()
	list := func() int64 {
		before := boltWrites(sc)
		for _, repo := range repos {
			if _, err := sc.ListTags(context.Background(), repo); err != nil {
				t.Fatal(err)
			}
		}
		return boltWrites(sc) - before
	}
	if n := list(); n == 0 {
		t.Fatalf("first listing wrote nothing")
	}
	if n := list(); n != 0 {
		t.Errorf("listing unchanged tags wrote %d pages, want 0", n)
	}
	ts.set(repos[3], []string{"v9"})
	if n := list(); n == 0 {
		t.Errorf("listing changed tags wrote nothing")
	}
}

// TestBoltListedTimes: the times of unchanged listings are written at most
// once per listedFlushEvery and on Close; a crash loses only them.
func TestBoltListedTimes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	log := slog.New(slog.DiscardHandler)
	st, err := openBoltStore(path, log)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tags := []string{"a", "b"}
	put := func(repo string, at time.Time) int64 {
		before := st.db.Stats()
		if err := st.PutTags(repo, tags, at); err != nil {
			t.Fatal(err)
		}
		after := st.db.Stats()
		return after.TxStats.GetWrite() - before.TxStats.GetWrite()
	}
	wantAt := func(step, repo string, want time.Time) {
		t.Helper()
		got, at, ok := st.Tags(repo)
		if diff := cmp.Diff(tags, got); !ok || diff != "" || !at.Equal(want) {
			t.Errorf("%s: Tags(%s) = %v at %v, ok %v; want at %v (-want +got):\n%s", step, repo, got, at, ok, want, diff)
		}
	}
	put("r1", t0)
	put("r2", t0)
	if n := put("r1", t0.Add(10*time.Second)); n != 0 {
		t.Errorf("unchanged listing wrote %d pages", n)
	}
	wantAt("kept in memory", "r1", t0.Add(10*time.Second))
	if n := put("r2", t0.Add(listedFlushEvery-time.Second)); n != 0 {
		t.Errorf("unchanged listing wrote %d pages", n)
	}
	if n := put("r2", t0.Add(10*time.Second+listedFlushEvery)); n == 0 {
		t.Errorf("listing a minute after the first unchanged one wrote nothing")
	}
	put("r1", t0.Add(11*time.Second+listedFlushEvery)) // kept in memory only
	_ = st.db.Close()                                  // a crash: Close is not called
	if st, err = openBoltStore(path, log); err != nil {
		t.Fatal(err)
	}
	wantAt("after a crash", "r1", t0.Add(10*time.Second))
	wantAt("after a crash", "r2", t0.Add(10*time.Second+listedFlushEvery))
	put("r1", t0.Add(2*time.Hour))
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err = openBoltStore(path, log); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	wantAt("after Close", "r1", t0.Add(2*time.Hour))
}
