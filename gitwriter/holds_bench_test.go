package gitwriter

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// bigHistory makes a repository of n commits with git fast-import: hoist
// set apps:api to 1.1.0 in the second commit, then n-2 commits touch other
// files, so every read walks the whole history for apps:web, which hoist
// never updated.
func bigHistory(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	gittest.Git(b, dir, "init", "-q", "-b", "main")
	var s strings.Builder
	commit := func(i int, msg, file, content string) {
		fmt.Fprintf(&s, "commit refs/heads/main\nmark :%d\ncommitter t <t@x> %d +0000\ndata %d\n%s\n", i+1, 1700000000+i, len(msg), msg)
		if i > 0 {
			fmt.Fprintf(&s, "from :%d\n", i)
		}
		fmt.Fprintf(&s, "M 100644 inline %s\ndata %d\n%s\n", file, len(content), content)
	}
	web := "tag: 2.0.0 # {\"$imagepolicy\": \"apps:web:tag\"}\n"
	commit(0, "seed", "deploy/web.yaml", web)
	commit(1, "Update\n\nHoist-Policy: apps:api\nHoist-To: 1.1.0\n", "deploy/api.yaml", apiFile("1.1.0")["deploy/api.yaml"])
	for i := 2; i < n; i++ {
		commit(i, fmt.Sprintf("work %d", i), fmt.Sprintf("docs/%d.md", i%50), fmt.Sprintf("%d\n", i))
	}
	cmd := gittest.GitCmd(dir, "fast-import", "--quiet")
	cmd.Stdin = strings.NewReader(s.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("fast-import: %v\n%s", err, out)
	}
	gittest.Git(b, dir, "checkout", "-q", "main")
	return dir
}

func benchQuery() HoldQuery {
	return HoldQuery{Files: map[string][]string{"apps:api": {"deploy/api.yaml"}, "apps:web": {"deploy/web.yaml"}}, Read: readTags}
}

// BenchmarkHolds10k is what holds add to a pass that finds nothing new on
// a 10,000-commit repository: "warm" reuses the cache of the last pass (the
// daemon), "cold" reads every commit afresh (a fresh state dir or process).
func BenchmarkHolds10k(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("no git")
	}
	dir := bigHistory(b, 10000)
	ctx := context.Background()
	b.Run("warm", func(b *testing.B) {
		c := &HistoryCache{}
		if _, err := ReadHolds(ctx, dir, benchQuery(), WithHistoryCache(c)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rep, err := ReadHolds(ctx, dir, benchQuery(), WithHistoryCache(c))
			if err != nil || rep.Commits != 10000 {
				b.Fatalf("ReadHolds: %v, %d commits", err, rep.Commits)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := ReadHolds(ctx, dir, benchQuery()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzCommitInfo reads arbitrary commit messages as holds do: it never
// panics, a record always has a policy and a tag that read back, and
// trailers hoist renders (rejections included) always read back.
func FuzzCommitInfo(f *testing.F) {
	f.Add("Update\n\nHoist-Policy: apps:api\nHoist-To: 1.1.0\nHoist-Rejected: 1.0.9\n", "apps:api", "1.2.0")
	f.Add("Revert \"x\"\n\nThis reverts commit abcdef1234567.\n\nHoist-Release: apps:api\n", "apps:api", "v")
	f.Add("junk\n\nHoist-Policy: \"\\x\"\nHoist-To: \"unterminated\nHoist-Release: \"\"\n", "p", "\n")
	f.Fuzz(func(t *testing.T, msg, policy, rejected string) {
		ci := newCommitInfo(&object.Commit{Message: msg})
		for _, e := range ci.entries {
			p, ok := unescape(e.Policy)
			if !ok {
				continue
			}
			if rec, ok := ci.record(p); ok && (rec.To == "" || rec.Policy != p) {
				t.Fatalf("record %+v of %q from %q", rec, p, msg)
			}
		}
		for _, p := range ci.releases {
			if p == "" {
				t.Fatalf("empty release from %q", msg)
			}
		}
		c := Change{Updates: []Update{{Policy: policy, Image: "img:1", To: "1"}}, Rejected: map[string][]string{policy: {rejected}}}
		ci = newCommitInfo(&object.Commit{Message: msg + "\n\n" + trailers(c) + "\n"})
		rec, ok := ci.record(policy)
		if policy != "" && (!ok || rec.To != "1") {
			t.Fatalf("rendered record of %q not read back: %+v", policy, ci.entries)
		}
		if ok && rejected != "" && (len(rec.Rejected) == 0 || unquote(rec.Rejected[len(rec.Rejected)-1]) != rejected) {
			t.Fatalf("rejection %q not read back: %+v", rejected, rec)
		}
	})
}
