package gitwriter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// passWork is what one daemon-like pass (Open, Update, Close) cost.
type passWork struct{ TreeWalks, IndexDecodes int }

func cachePass(t *testing.T, url string, opts []Option, file, content string) passWork {
	t.Helper()
	r := mustOpen(t, url, opts...)
	defer r.Close()
	out, err := r.Update(context.Background(), setTo(file, content, "apps:web", content))
	must(t, err)
	if out.Commit == "" {
		t.Fatalf("pass setting %s made no commit", file)
	}
	return passWork{r.treeWalks, r.indexDecodes}
}

// TestCloneCacheSkipsRepeatWork: with a CloneCache kept across passes, a
// pass on a warm clone neither walks the head's trees nor decodes the
// index; the first Open in a process checks the clone, and a commit made on
// a head fetched from outside is walked once by the next Open.
func TestCloneCacheSkipsRepeatWork(t *testing.T) {
	bare, url := daemonRepo(t)
	state := t.TempDir()
	c := &CloneCache{}
	opts := []Option{WithStateDir(state), WithCloneCache(c)}
	var got []passWork
	got = append(got, cachePass(t, url, opts, "deploy/web.yaml", "1\n"))
	got = append(got, cachePass(t, url, opts, "deploy/web.yaml", "2\n"))
	outsidePush(t, bare, "README.md", "outside\n")
	got = append(got, cachePass(t, url, opts, "deploy/web.yaml", "3\n"))
	got = append(got, cachePass(t, url, opts, "deploy/web.yaml", "4\n"))
	// Without a shared cache every pass starts over.
	got = append(got, cachePass(t, url, []Option{WithStateDir(state)}, "deploy/web.yaml", "5\n"))
	want := []passWork{
		{TreeWalks: 1},                  // first pass in the process: clones, then checks the clone
		{},                              // warm
		{},                              // the outside commit is fetched: Open had checked our last one
		{TreeWalks: 1},                  // our commit on the outside one is checked once
		{TreeWalks: 1, IndexDecodes: 1}, // no shared cache: every pass starts over
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("work per pass mismatch (-want +got):\n%s", diff)
	}
}

// TestCloneCacheMatchesUncached runs the same passes, with outside pushes
// and outside changes to the clone's worktree and index between them, with
// a CloneCache kept across passes and without one: every pass pushes the
// same files, and the worktree ends as the remote's tree.
func TestCloneCacheMatchesUncached(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, cached bool) [][]string {
		bare, url := daemonRepo(t)
		opts := []Option{WithStateDir(t.TempDir())}
		if cached {
			opts = append(opts, WithCloneCache(&CloneCache{}))
		}
		between := []func(dir string){
			func(string) {},
			func(string) { outsidePush(t, bare, "deploy/api.yaml", "outside\n") },
			func(dir string) { // a stray edit and file in the worktree
				gittest.WriteFiles(t, dir, map[string]string{"README.md": "stray\n", "stray.txt": "x\n"})
			},
			func(dir string) { must(t, os.Remove(filepath.Join(dir, "deploy", "api.yaml"))) },
			func(dir string) { gittest.Git(t, dir, "rm", "-q", "--cached", "README.md") }, // the index changes
			func(dir string) { // a stray local commit
				gittest.WriteFiles(t, dir, map[string]string{"stray.txt": "x\n"})
				gittest.Git(t, dir, "add", "-A")
				gittest.Git(t, dir, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "stray")
			},
		}
		var pushed [][]string
		for i, damage := range between {
			r := mustOpen(t, url, opts...)
			damage(r.Dir())
			content := fmt.Sprintf("%d\n", i)
			out, err := r.Update(context.Background(), setTo("deploy/web.yaml", content, "apps:web", content))
			must(t, err)
			files := gittest.Git(t, bare, "show", "--name-only", "--format=", out.Commit)
			pushed = append(pushed, []string{files})
			if diff := cmp.Diff(remoteTree(t, bare), worktreeState(t, r.Dir())); diff != "" {
				t.Errorf("pass %d: worktree differs from the remote (-remote +worktree):\n%s", i, diff)
			}
			r.Close()
		}
		return pushed
	}
	uncached, cached := run(t, false), run(t, true)
	if diff := cmp.Diff(uncached, cached); diff != "" {
		t.Errorf("files pushed per pass with a CloneCache differ (-uncached +cached):\n%s", diff)
	}
	for i, files := range cached {
		if files[0] != "deploy/web.yaml" {
			t.Errorf("pass %d pushed %q, want only deploy/web.yaml", i, files[0])
		}
	}
}
