package gitwriter

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// bigRepo serves a bare repository of n files (in 100 directories) over a
// real git daemon.
func bigRepo(b *testing.B, n int) (bare, url string) {
	b.Helper()
	files := make(map[string]string, n)
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("apps/d%02d/f%05d.yaml", i%100, i)] = fmt.Sprintf("name: f%d\nimage: ghcr.io/acme/app%d:1.0.%d\n", i, i, i)
	}
	base := b.TempDir()
	bare = gittest.NewBare(b, filepath.Join(base, "big.git"), files)
	return bare, gittest.Daemon(b, base).URL("big.git")
}

// BenchmarkFirstClone times Open (resolve branch + shallow clone) of a
// 10,000-file repository, and reports `git clone --depth 1` of the same
// repository as git-ns/op and the ratio.
func BenchmarkFirstClone(b *testing.B) {
	_, url := bigRepo(b, 10000)
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
	_, url := bigRepo(b, 10000)
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
// edit, commit and push, on a cached clone of a 10,000-file repository.
func BenchmarkOneChangePass(b *testing.B) {
	_, url := bigRepo(b, 10000)
	r, err := Open(context.Background(), url, WithStateDir(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tag := fmt.Sprintf("2.0.%d", i)
		out, err := r.Update(context.Background(), setTo("apps/d07/f00007.yaml", "image: ghcr.io/acme/app7:"+tag+"\n", "apps:app7", tag))
		if err != nil || out.Commit == "" {
			b.Fatalf("Update = %+v, %v", out, err)
		}
	}
}

var _ = os.Getenv
var _ = exec.Command
