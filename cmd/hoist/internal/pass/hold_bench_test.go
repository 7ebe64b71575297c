package pass

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// cachedHistory reads a local checkout's history with a cache kept across
// passes, as the daemon's Repo does with gitwriter.WithHistoryCache.
type cachedHistory struct {
	dir   string
	cache *gitwriter.HistoryCache
}

func (h cachedHistory) Holds(ctx context.Context, q gitwriter.HoldQuery) (gitwriter.HoldReport, error) {
	return gitwriter.ReadHolds(ctx, h.dir, q, gitwriter.WithHistoryCache(h.cache))
}

type noHistory struct{}

func (noHistory) Holds(context.Context, gitwriter.HoldQuery) (gitwriter.HoldReport, error) {
	return gitwriter.HoldReport{}, nil
}

// bigRepo is a config repository with 10 policies and 10,000 commits:
// hoist updated half of the policies early on, the other half never, and
// people made the rest of the commits, so holds walk all of history.
func bigRepo(b *testing.B, n int) (string, fakeScanner) {
	b.Helper()
	dir := b.TempDir()
	gittest.Git(b, dir, "init", "-q", "-b", "main")
	var s strings.Builder
	mark := 0
	commit := func(msg string, files map[string]string) {
		mark++
		fmt.Fprintf(&s, "commit refs/heads/main\nmark :%d\ncommitter t <t@x> %d +0000\ndata %d\n%s\n", mark, 1700000000+mark, len(msg), msg)
		if mark > 1 {
			fmt.Fprintf(&s, "from :%d\n", mark-1)
		}
		for f, c := range files {
			fmt.Fprintf(&s, "M 100644 inline %s\ndata %d\n%s\n", f, len(c), c)
		}
	}
	sc := fakeScanner{}
	seed := map[string]string{}
	for i := 0; i < 10; i++ {
		name := fmt.Sprintf("app%d", i)
		seed["policies/"+name+".yaml"] = "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: " + name + ", namespace: apps}\n" +
			"spec:\n  image: r/" + name + "\n  policy: {semver: {range: '*'}}\n"
		seed["deploy/"+name+".yaml"] = "image: r/" + name + ":1.0.0 # {\"$imagepolicy\": \"apps:" + name + "\"}\n"
		sc["r/"+name] = []string{"1.0.0"}
	}
	commit("seed", seed)
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("app%d", i)
		commit("Update\n\nHoist-Policy: apps:"+name+"\nHoist-From: 0.9.0\nHoist-To: 1.0.0\n", nil)
	}
	for mark < n {
		commit("work", map[string]string{fmt.Sprintf("docs/%d.md", mark%50): fmt.Sprint(mark)})
	}
	cmd := gittest.GitCmd(dir, "fast-import", "--quiet")
	cmd.Stdin = strings.NewReader(s.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("fast-import: %v\n%s", err, out)
	}
	gittest.Git(b, dir, "checkout", "-q", "main")
	return dir, sc
}

// BenchmarkPassHolds10k is a pass that finds nothing new on a 10,000-commit
// repository, without holds ("none") and with holds read from history with
// the cache of the last pass ("warm"): the difference is what holds add.
func BenchmarkPassHolds10k(b *testing.B) {
	dir, sc := bigRepo(b, 10000)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		h    History
	}{{"none", noHistory{}}, {"warm", cachedHistory{dir, &gitwriter.HistoryCache{}}}} {
		b.Run(bc.name, func(b *testing.B) {
			if _, err := Decide(ctx, dir, sc, Options{History: bc.h}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rep, err := Decide(ctx, dir, sc, Options{History: bc.h})
				if err != nil || len(rep.Holds) != 0 || len(rep.Refs) != 10 || len(rep.Problems) != 0 {
					b.Fatalf("Decide: %v, %+v", err, rep)
				}
			}
		})
	}
}
