package gitwriter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// bigFiles is the size of the benchmark repository.
const bigFiles = 10000

// bigBare is the benchmark repository, built once per test binary in a
// directory TestMain removes.
var bigBare = struct {
	once sync.Once
	dir  string
}{}

// bigRepo serves a bare repository of bigFiles files (in 100 directories)
// over a real git daemon, and returns a private copy's path and URL.
func bigRepo(b *testing.B) (bare, url string) {
	b.Helper()
	bigBare.once.Do(func() {
		files := make(map[string]string, bigFiles)
		for i := 0; i < bigFiles; i++ {
			files[fmt.Sprintf("apps/d%02d/f%05d.yaml", i%100, i)] = fmt.Sprintf("name: f%d\nimage: ghcr.io/acme/app%d:1.0.%d # {\"$imagepolicy\": \"apps:app%d\"}\n", i, i, i, i)
		}
		dir, err := os.MkdirTemp("", "gitwriter-bench-")
		if err != nil {
			b.Fatal(err)
		}
		bigBare.dir = gittest.NewBare(b, filepath.Join(dir, "big.git"), files)
	})
	base := b.TempDir()
	bare = filepath.Join(base, "big.git")
	gittest.Git(b, "", "clone", "-q", "--bare", "--no-hardlinks", bigBare.dir, bare)
	return bare, gittest.Daemon(b, base).URL("big.git")
}

// BenchmarkFirstClone times Open (resolve branch + shallow clone) of a
// 10,000-file repository, and reports `git clone --depth 1` of the same
// repository as git-ns/op and the ratio.
func BenchmarkFirstClone(b *testing.B) {
	_, url := bigRepo(b)
	var gitTime time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		start := time.Now()
		cmd := gittest.GitCmd("", "clone", "-q", "--depth", "1", url, filepath.Join(dir, "cli"))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git clone: %v\n%s", err, out)
		}
		gitTime += time.Since(start)
		b.StartTimer()
		r, err := Open(context.Background(), url, WithStateDir(filepath.Join(dir, "state")))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		r.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(gitTime.Nanoseconds())/float64(b.N), "git-ns/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(gitTime.Nanoseconds()), "ratio-vs-git")
}

// BenchmarkNoopPass times an Update whose edit changes nothing, on a cached
// clone of a 10,000-file repository.
func BenchmarkNoopPass(b *testing.B) {
	_, url := bigRepo(b)
	r, err := Open(context.Background(), url, WithStateDir(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	noop := func(ctx context.Context, dir string) (Change, error) { return Change{}, nil }
	if _, err := r.Update(context.Background(), noop); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out, err := r.Update(context.Background(), noop); err != nil || out.Commit != "" {
			b.Fatalf("no-op Update = %+v, %v", out, err)
		}
	}
}

// BenchmarkOneChangePass times an Update that changes one file: checkout,
// edit, commit and push, on a cached clone of a 10,000-file repository. It
// reports the git CLI doing the same (pull, edit, commit -a, push from its
// own clone) as git-ns/op.
func BenchmarkOneChangePass(b *testing.B) {
	bare, url := bigRepo(b)
	r, err := Open(context.Background(), url, WithStateDir(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	cli := filepath.Join(b.TempDir(), "cli")
	gittest.Git(b, "", "clone", "-q", "--depth", "1", url, cli)
	_ = bare
	var gitTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tag := fmt.Sprintf("2.0.%d", i)
		out, err := r.Update(context.Background(), setTo("apps/d07/f00007.yaml", "image: ghcr.io/acme/app7:"+tag+"\n", "apps:app7", tag))
		if err != nil || out.Commit == "" {
			b.Fatalf("Update = %+v, %v", out, err)
		}
		b.StopTimer()
		start := time.Now()
		gittest.Git(b, cli, "pull", "-q", "--rebase", "origin", "main")
		gittest.WriteFiles(b, cli, map[string]string{"apps/d08/f00008.yaml": "image: ghcr.io/acme/app8:" + tag + "\n"})
		gittest.Git(b, cli, "commit", "-q", "-am", "cli "+tag)
		gittest.Git(b, cli, "push", "-q", "origin", "HEAD:main")
		gitTime += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(gitTime.Nanoseconds())/float64(b.N), "git-ns/op")
}

// BenchmarkNoopPassReopen times what `hoist once` does when nothing
// changed: Open on the cached clone, a no-op Update, Close.
func BenchmarkNoopPassReopen(b *testing.B) {
	_, url := bigRepo(b)
	state := b.TempDir()
	noop := func(ctx context.Context, dir string) (Change, error) { return Change{}, nil }
	pass := func() {
		r, err := Open(context.Background(), url, WithStateDir(state))
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		if out, err := r.Update(context.Background(), noop); err != nil || out.Commit != "" {
			b.Fatalf("no-op Update = %+v, %v", out, err)
		}
	}
	pass()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pass()
	}
}

// BenchmarkReopenOneChangePass times what the daemon does per webhook on a
// warm clone of a 10,000-file repository: Open on the cached clone, an
// Update that changes one file, Close. "fresh" opens each pass's Repo with
// nothing kept from the last (as the daemon did before [CloneCache]),
// "clone-cache" with one CloneCache kept across passes, and
// "clone-cache-index-commit" so and committing with go-git's
// Worktree.Commit (every tree rebuilt from the index), as before trees were
// written along the changed paths only. trees/op counts the tree objects
// hoist encoded for the commit (go-git's Worktree.Commit encodes all 102).
func BenchmarkReopenOneChangePass(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts func() []Option
	}{
		{"fresh", func() []Option { return nil }},
		{"clone-cache", func() []Option { c := &CloneCache{}; return []Option{WithCloneCache(c)} }},
		{"clone-cache-index-commit", func() []Option { c := &CloneCache{}; return []Option{WithCloneCache(c), withIndexCommit()} }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			_, url := bigRepo(b)
			opts := append(tc.opts(), WithStateDir(b.TempDir()))
			reopenPass(b, url, opts, -1)
			b.ReportAllocs()
			b.ResetTimer()
			trees := 0
			for i := 0; i < b.N; i++ {
				trees += reopenPass(b, url, opts, i)
			}
			if trees > 0 { // go-git's Worktree.Commit encodes its own, uncounted
				b.ReportMetric(float64(trees)/float64(b.N), "trees/op")
			}
		})
	}
}

// reopenPass runs one pass and returns the trees hoist encoded for its commit.
func reopenPass(b *testing.B, url string, opts []Option, i int) int {
	r, err := Open(context.Background(), url, opts...)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	tag := fmt.Sprintf("2.0.%d", i)
	out, err := r.Update(context.Background(), setTo("apps/d07/f00007.yaml", "image: ghcr.io/acme/app7:"+tag+"\n", "apps:app7", tag))
	if err != nil || out.Commit == "" {
		b.Fatalf("Update = %+v, %v", out, err)
	}
	return r.treesHashed
}
