package yamlpatch

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// reads records the files a run opened.
type reads struct {
	mu    sync.Mutex
	files []string
}

func (r *reads) option() Option {
	return func(o *options) error {
		o.onRead = func(rel string) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.files = append(r.files, rel)
		}
		o.now = func() time.Time { return time.Now().Add(time.Hour) } // every file is old enough
		return nil
	}
}

func (r *reads) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.files
	r.files = nil
	sort.Strings(out)
	return out
}

// TestCacheSkipsUnchangedUnmarkedFiles: with a Cache, a run opens only the
// marked files and those whose stat data changed, and finds what a run
// without it finds, whatever changed in between.
func TestCacheSkipsUnchangedUnmarkedFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	marked := "image: r/api:1.0.0 # {\"$imagepolicy\": \"apps:api\"}\n"
	write("a/deploy.yaml", marked)
	unmarked := strings.Replace(marked, "$imagepolicy", "$imagepolicX", 1) // the same size, no marker
	write("a/config.yaml", unmarked)
	write("b/other.yaml", "other: 1\n")
	refs := map[string]Ref{"apps:api": {Name: "r/api", Tag: "2.0.0"}}
	cache, r := NewCache(), &reads{}
	check := func(step string, wantReads []string) {
		t.Helper()
		want, err := Apply(dir, refs, WithDryRun())
		if err != nil {
			t.Fatal(err)
		}
		got, err := Apply(dir, refs, WithDryRun(), WithCache(cache), r.option())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: result mismatch (-uncached +cached):\n%s", step, diff)
		}
		if diff := cmp.Diff(wantReads, r.take()); diff != "" {
			t.Errorf("%s: files read mismatch (-want +got):\n%s", step, diff)
		}
	}
	check("cold", []string{"a/config.yaml", "a/deploy.yaml", "b/other.yaml"})
	check("warm", []string{"a/deploy.yaml"})

	// A marker added in place, same size, the old mtime restored: only the
	// change time tells.
	fi, err := os.Stat(filepath.Join(dir, "a/config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write("a/config.yaml", "image: r/api:1.0.0 # {\"$imagepolicy\": \"apps:api\"}\n")
	if err := os.Chtimes(filepath.Join(dir, "a/config.yaml"), fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	check("marker added, mtime restored", []string{"a/config.yaml", "a/deploy.yaml"})

	// Replaced by rename with a marked file; a new file; a file removed.
	write("tmp.yaml.new", marked)
	if err := os.Rename(filepath.Join(dir, "tmp.yaml.new"), filepath.Join(dir, "b/other.yaml")); err != nil {
		t.Fatal(err)
	}
	write("c/new.yaml", "new: 1\n")
	if err := os.Remove(filepath.Join(dir, "a/config.yaml")); err != nil {
		t.Fatal(err)
	}
	check("renamed over, added, removed", []string{"a/deploy.yaml", "b/other.yaml", "c/new.yaml"})
	check("warm again", []string{"a/deploy.yaml", "b/other.yaml"})

	// A file replaced by a symlink is a problem in both.
	if err := os.Remove(filepath.Join(dir, "c/new.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../a/deploy.yaml", filepath.Join(dir, "c/new.yaml")); err != nil {
		t.Fatal(err)
	}
	r.take()
	want, _ := Apply(dir, refs, WithDryRun())
	got, _ := Apply(dir, refs, WithDryRun(), WithCache(cache), r.option())
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("symlink: result mismatch (-uncached +cached):\n%s", diff)
	}
}

// TestCacheForgetsRecentFiles: a file modified within the racy window of
// its read is read again next time.
func TestCacheForgetsRecentFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := NewCache()
	var n int
	count := func(o *options) error { o.onRead = func(string) { n++ }; return nil }
	for range 2 {
		if _, _, err := Scan(dir, WithCache(cache), count); err != nil {
			t.Fatal(err)
		}
	}
	if n != 2 {
		t.Errorf("a just-written file was read %d times in 2 runs, want 2 (too recent to trust its stat)", n)
	}
}
