package registry

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
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
