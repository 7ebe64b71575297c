package gitwriter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

func TestPushBranch(t *testing.T) {
	bare, url := daemonRepo(t)
	const pb = "hoist/updates"
	mainBefore := gittest.Git(t, bare, "rev-parse", "main")
	r := mustOpen(t, url, WithPushBranch(pb), WithStateDir(t.TempDir()))
	ctx := context.Background()

	first, err := r.Update(ctx, setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1"))
	must(t, err)
	if first.Branch != pb || !first.Pushed || first.Commit != gittest.Git(t, bare, "rev-parse", pb) {
		t.Fatalf("first Update = %+v, remote %s = %s", first, pb, gittest.Git(t, bare, "rev-parse", pb))
	}
	if got := gittest.Git(t, bare, "rev-parse", "main"); got != mainBefore {
		t.Errorf("main moved to %s; only the push branch may change", got)
	}

	// The same pass again: the push branch already holds it, nothing is pushed.
	again, err := r.Update(ctx, setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1"))
	must(t, err)
	if again.Commit != first.Commit || again.Pushed {
		t.Errorf("repeated pass gave commit %s (pushed %v), want the existing %s, nothing pushed", again.Commit, again.Pushed, first.Commit)
	}

	// main moves on; the next pass rebuilds the push branch on the new main,
	// replacing hoist's own earlier commit.
	newMain := outsidePush(t, bare, "README.md", "moved\n")
	second, err := r.Update(ctx, setTo("deploy/web.yaml", "tag: 2.0.2\n", "apps:web", "2.0.2"))
	must(t, err)
	if got := gittest.Git(t, bare, "rev-parse", pb+"^"); got != newMain {
		t.Errorf("push branch's parent = %s, want the new main %s", got, newMain)
	}
	if second.Commit != gittest.Git(t, bare, "rev-parse", pb) || !second.Pushed {
		t.Errorf("push branch is not the second commit")
	}

	// Someone else commits to the push branch: hoist refuses to overwrite it.
	foreign := commitOn(t, bare, pb, "notes.txt", "human work\n")
	_, err = r.Update(ctx, setTo("deploy/web.yaml", "tag: 2.0.3\n", "apps:web", "2.0.3"))
	if !errors.Is(err, ErrForeignPushBranch) {
		t.Fatalf("Update over a foreign commit = %v, want ErrForeignPushBranch", err)
	}
	if got := gittest.Git(t, bare, "rev-parse", pb); got != foreign {
		t.Errorf("push branch = %s, want the foreign commit %s kept", got, foreign)
	}
}

// commitOn commits file=content on branch of bare with the git CLI as a human.
func commitOn(t *testing.T, bare, branch, file, content string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "human")
	gittest.Git(t, "", "clone", "-q", "-b", branch, bare, work)
	gittest.WriteFiles(t, work, map[string]string{file: content})
	gittest.Git(t, work, "add", "-A")
	gittest.Git(t, work, "commit", "-q", "-m", "human change")
	gittest.Git(t, work, "push", "-q", "origin", branch)
	return gittest.Git(t, work, "rev-parse", "HEAD")
}

func TestPushOptions(t *testing.T) {
	bare, url := daemonRepo(t)
	seen := filepath.Join(t.TempDir(), "options")
	hook := "#!/bin/sh\ni=0\nwhile [ $i -lt ${GIT_PUSH_OPTION_COUNT:-0} ]; do eval echo \\$GIT_PUSH_OPTION_$i; i=$((i+1)); done > " + seen + "\n"
	must(t, os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755))
	r := mustOpen(t, url, WithPushOptions("merge_request.create", "merge_request.target=main"))
	_, err := r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1"))
	must(t, err)
	b, err := os.ReadFile(seen)
	must(t, err)
	got := strings.Fields(string(b))
	sort.Strings(got)
	want := []string{"merge_request.create=", "merge_request.target=main"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("push options the server saw mismatch (-want +got):\n%s", diff)
	}
}
