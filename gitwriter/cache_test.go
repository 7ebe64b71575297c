package gitwriter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
	"golang.org/x/sync/errgroup"
)

func TestCachedCloneIsReused(t *testing.T) {
	bare, url := daemonRepo(t)
	state := t.TempDir()
	r := mustOpen(t, url, WithStateDir(state))
	if _, err := r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1")); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(r.Dir(), ".git", "reuse-marker")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r.Close()
	// An outside push moves the remote; the next Open reuses the clone and
	// Checkout brings it up to date.
	outsidePush(t, bare, "README.md", "changed outside\n")
	r2 := mustOpen(t, url, WithStateDir(state))
	if r2.Dir() != r.Dir() {
		t.Fatalf("second Open uses %s, want the cached %s", r2.Dir(), r.Dir())
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("cached clone was not reused: %v", err)
	}
	dir, head, err := r2.Checkout(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := gittest.Git(t, bare, "rev-parse", "main"); head != want {
		t.Errorf("Checkout head = %s, want %s", head, want)
	}
	assertFile(t, dir, "README.md", "changed outside\n")
	assertFile(t, dir, "deploy/web.yaml", "tag: 2.0.1\n")
}

func TestCachedCloneIsRecloned(t *testing.T) {
	t.Parallel()
	tests := map[string]func(t *testing.T, dir string){
		"corrupt objects": func(t *testing.T, dir string) {
			must(t, os.RemoveAll(filepath.Join(dir, ".git", "objects")))
			must(t, os.MkdirAll(filepath.Join(dir, ".git", "objects"), 0o755))
		},
		"empty ref file (a crash mid-clone)": func(t *testing.T, dir string) {
			must(t, os.MkdirAll(filepath.Join(dir, ".git", "refs", "heads"), 0o755))
			must(t, os.WriteFile(filepath.Join(dir, ".git", "refs", "heads", "half"), nil, 0o644))
		},
		"other remote": func(t *testing.T, dir string) {
			gittest.Git(t, dir, "remote", "set-url", "origin", "git://127.0.0.1:1/elsewhere.git")
		},
		"garbage": func(t *testing.T, dir string) {
			must(t, os.RemoveAll(dir))
			must(t, os.MkdirAll(dir, 0o755))
			must(t, os.WriteFile(filepath.Join(dir, "junk"), []byte("x"), 0o644))
		},
		"dirty worktree and stray commit": func(t *testing.T, dir string) {
			gittest.WriteFiles(t, dir, map[string]string{"README.md": "local edit\n", "stray.txt": "x\n"})
			gittest.Git(t, dir, "add", "-A")
			gittest.Git(t, dir, "commit", "-q", "-m", "stray")
			gittest.WriteFiles(t, dir, map[string]string{"deploy/api.yaml": "broken\n", "untracked": "u\n"})
		},
	}
	// With a CloneCache shared by both Repos the damage must be found all
	// the same, though this process checked the clone before.
	for _, cached := range []bool{false, true} {
		for name, damage := range tests {
			t.Run(fmt.Sprintf("%s/cache=%v", name, cached), func(t *testing.T) {
				recloneAfter(t, damage, cached)
			})
		}
	}
}

func recloneAfter(t *testing.T, damage func(t *testing.T, dir string), cached bool) {
	bare, url := daemonRepo(t)
	opts := []Option{WithStateDir(t.TempDir())}
	if cached {
		opts = append(opts, WithCloneCache(&CloneCache{}))
	}
	r := mustOpen(t, url, opts...)
	_, _, err := r.Checkout(context.Background())
	must(t, err)
	r.Close()
	damage(t, r.Dir())
	r2 := mustOpen(t, url, opts...)
	dir, head, err := r2.Checkout(context.Background())
	if err != nil {
		t.Fatalf("Checkout after damage: %v", err)
	}
	if want := gittest.Git(t, bare, "rev-parse", "main"); head != want {
		t.Errorf("Checkout head = %s, want %s", head, want)
	}
	for f, content := range seed {
		assertFile(t, dir, f, content)
	}
	for _, f := range []string{"stray.txt", "untracked", "junk"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s survived the checkout", f)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func assertFile(t *testing.T, dir, name, want string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Errorf("reading %s: %v", name, err)
		return
	}
	if string(b) != want {
		t.Errorf("%s = %q, want %q", name, b, want)
	}
}

// outsidePush commits file=content to bare's main with the git CLI, as
// another writer would.
func outsidePush(t testing.TB, bare, file, content string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "outside")
	gittest.Git(t, "", "clone", "-q", bare, work)
	gittest.WriteFiles(t, work, map[string]string{file: content})
	gittest.Git(t, work, "add", "-A")
	gittest.Git(t, work, "commit", "-q", "-m", "outside change to "+file)
	gittest.Git(t, work, "push", "-q", "origin", "main")
	return gittest.Git(t, work, "rev-parse", "HEAD")
}

// TestSharedStateDir runs two Repos on one state dir at once: the clone's
// file lock serialises them and each sees the other's changes.
func TestSharedStateDir(t *testing.T) {
	bare, url := daemonRepo(t)
	state := t.TempDir()
	a := mustOpen(t, url, WithStateDir(state))
	b := mustOpen(t, url, WithStateDir(state))
	var g errgroup.Group
	for i, r := range []*Repo{a, b} {
		g.Go(func() error {
			for k := 0; k < 3; k++ {
				tag := fmt.Sprintf("%d.%d", i, k)
				out, err := r.Update(context.Background(), setTo(fmt.Sprintf("apps/r%d.yaml", i), tag+"\n", fmt.Sprintf("apps:r%d", i), tag))
				if err != nil {
					return err
				}
				if out.Commit == "" {
					return fmt.Errorf("repo %d round %d: no commit", i, k)
				}
			}
			return nil
		})
	}
	must(t, g.Wait())
	assertFile(t, a.Dir(), "apps/r1.yaml", "1.2\n") // b's last change, seen through the shared clone
	checkLinear(t, bare, 7)
}

func TestCloseRemovesTemporaryClone(t *testing.T) {
	_, url := daemonRepo(t)
	r := mustOpen(t, url)
	dir := r.Dir()
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		t.Fatalf("no clone at %s: %v", dir, err)
	}
	must(t, r.Close())
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("Close left the temporary clone %s", dir)
	}
	if _, _, err := r.Checkout(context.Background()); err == nil {
		t.Error("Checkout after Close succeeded")
	}
}

// TestCheckoutUndoesCallerEdits: edits a caller makes after Checkout (a dry
// run) are gone after the next Checkout, and never pushed.
func TestCheckoutUndoesCallerEdits(t *testing.T) {
	bare, url := daemonRepo(t)
	r := mustOpen(t, url, WithStateDir(t.TempDir()))
	for i := 0; i < 2; i++ {
		dir, _, err := r.Checkout(context.Background())
		must(t, err)
		for f, content := range seed {
			assertFile(t, dir, f, content)
		}
		gittest.WriteFiles(t, dir, map[string]string{"deploy/api.yaml": "dry run\n", "plan.txt": "x\n"})
	}
	out, err := r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1"))
	must(t, err)
	if got := gittest.Git(t, bare, "show", "--name-only", "--format=", out.Commit); got != "deploy/web.yaml" {
		t.Errorf("pushed commit changes %q, want only deploy/web.yaml", got)
	}
}
