package gitwriter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

func TestUpdateDaemon(t *testing.T) {
	bare, url := daemonRepo(t)
	r := mustOpen(t, url, WithStateDir(t.TempDir()), WithAuthor("bot", "bot@example.com"))
	if r.Branch() != "main" {
		t.Errorf("Branch() = %q, want main (the remote HEAD)", r.Branch())
	}
	out, err := r.Update(context.Background(), setTo("deploy/api.yaml", "image: ghcr.io/acme/api:1.4.3\n", "apps:api", "1.4.3"))
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got := gittest.Git(t, bare, "rev-parse", "main"); got != out.Commit {
		t.Errorf("remote main = %s, want pushed commit %s", got, out.Commit)
	}
	if got := gittest.Git(t, bare, "show", "main:deploy/api.yaml"); got != "image: ghcr.io/acme/api:1.4.3" {
		t.Errorf("remote deploy/api.yaml = %q", got)
	}
	if got := gittest.Git(t, bare, "log", "-1", "--format=%an <%ae>|%s", "main"); got != "bot <bot@example.com>|Update images: api 1.4.3" {
		t.Errorf("commit author|subject = %q", got)
	}
	trailers := gittest.Git(t, bare, "log", "-1", "--format=%(trailers:only,unfold)", "main")
	want := "Hoist-Policy: apps:api\nHoist-Image: ghcr.io/acme/api:1.4.3\nHoist-To: 1.4.3"
	if diff := cmp.Diff(want, trailers); diff != "" {
		t.Errorf("trailers (git interpret-trailers) mismatch (-want +got):\n%s", diff)
	}
	if out.Attempts != 1 || out.Branch != "main" || !out.Pushed {
		t.Errorf("Outcome = %+v, want 1 attempt pushed to main", out)
	}

	// The same edit again finds nothing to change: no commit.
	again, err := r.Update(context.Background(), setTo("deploy/api.yaml", "image: ghcr.io/acme/api:1.4.3\n", "apps:api", "1.4.3"))
	if err != nil || again.Commit != "" || again.Pushed {
		t.Errorf("second Update = %+v, %v; want no commit", again, err)
	}
	if n := gittest.Git(t, bare, "rev-list", "--count", "main"); n != "2" {
		t.Errorf("remote has %s commits, want 2", n)
	}
	if !strings.HasPrefix(out.Message, "Update images: api 1.4.3\n\napps:api: set to 1.4.3 (deploy/api.yaml)") {
		t.Errorf("message = %q", out.Message)
	}
}

// TestNoChangeNoCommit: an edit that reports updates but leaves the tree as
// it was makes no commit, and a failing edit pushes nothing.
func TestNoChangeNoCommit(t *testing.T) {
	bare, url := daemonRepo(t)
	before := gittest.Git(t, bare, "rev-parse", "main")
	r := mustOpen(t, url)
	claim := func(ctx context.Context, dir string) (Change, error) {
		// Rewrites a file with its own content and claims an update.
		must(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte(seed["README.md"]), 0o644))
		return Change{Updates: []Update{{File: "README.md", Policy: "apps:x", Image: "x:1", To: "1"}}}, nil
	}
	out, err := r.Update(context.Background(), claim)
	if err != nil || out.Commit != "" {
		t.Errorf("Update with no tree change = %+v, %v; want no commit", out, err)
	}
	_, err = r.Update(context.Background(), func(ctx context.Context, dir string) (Change, error) {
		must(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("half\n"), 0o644))
		return Change{}, errors.New("registry down")
	})
	if err == nil || !strings.Contains(err.Error(), "registry down") {
		t.Errorf("Update with a failing edit = %v, want the edit's error", err)
	}
	if got := gittest.Git(t, bare, "rev-parse", "main"); got != before {
		t.Errorf("remote moved to %s; want nothing pushed", got)
	}
}

// TestLocalPath uses a bare repository by path (go-git's file transport),
// as `hoist demo` and CI jobs do.
func TestLocalPath(t *testing.T) {
	bare := gittest.NewBare(t, filepath.Join(t.TempDir(), "local.git"), seed)
	r := mustOpen(t, bare)
	out, err := r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1"))
	must(t, err)
	if got := gittest.Git(t, bare, "rev-parse", "main"); got != out.Commit || got == "" {
		t.Errorf("remote main = %s, want %q", got, out.Commit)
	}
	outsidePush(t, bare, "README.md", "moved\n")
	out, err = r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.0.2\n", "apps:web", "2.0.2"))
	must(t, err)
	if got := gittest.Git(t, bare, "show", out.Commit+":README.md"); got != "moved" {
		t.Errorf("second commit's README.md = %q, want the outside change kept", got)
	}
}

// TestRetryRedoesEdit: the remote moves while the edit runs, so the first
// push is rejected; Update fetches, calls the edit again on the new head and
// lands one commit on top of the outside one.
func TestRetryRedoesEdit(t *testing.T) {
	for name, remote := range map[string]func(t *testing.T) (string, string){
		"git daemon": daemonRepo,
		"local path": func(t *testing.T) (string, string) {
			b := gittest.NewBare(t, filepath.Join(t.TempDir(), "local.git"), seed)
			return b, b
		},
	} {
		t.Run(name, func(t *testing.T) {
			bare, url := remote(t)
			r := mustOpen(t, url)
			var heads []string
			var outside string
			out, err := r.Update(context.Background(), func(ctx context.Context, dir string) (Change, error) {
				heads = append(heads, gittest.Git(t, dir, "rev-parse", "HEAD"))
				if outside == "" {
					outside = outsidePush(t, bare, "README.md", "raced\n")
				}
				return setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1")(ctx, dir)
			})
			must(t, err)
			if out.Attempts != 2 || len(heads) != 2 || heads[1] != outside {
				t.Fatalf("Outcome %+v, edit saw heads %v; want 2 attempts, the second on the outside commit %s", out, heads, outside)
			}
			if got := gittest.Git(t, bare, "rev-parse", out.Commit+"^"); got != outside {
				t.Errorf("pushed commit's parent = %s, want the outside commit %s", got, outside)
			}
			if got := gittest.Git(t, bare, "rev-parse", "main"); got != out.Commit {
				t.Errorf("remote main = %s, want %s", got, out.Commit)
			}
		})
	}
}

// TestGiveUp: when the remote moves during every attempt, Update stops after
// the max attempts with ErrRejected and pushes nothing.
func TestGiveUp(t *testing.T) {
	bare, url := daemonRepo(t)
	r := mustOpen(t, url, WithMaxAttempts(3))
	n := 0
	out, err := r.Update(context.Background(), func(ctx context.Context, dir string) (Change, error) {
		n++
		outsidePush(t, bare, "README.md", fmt.Sprintf("raced %d\n", n))
		return setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1")(ctx, dir)
	})
	if !errors.Is(err, ErrRejected) || n != 3 || out.Attempts != 3 || out.Commit != "" {
		t.Errorf("Update = %+v, %v after %d edits; want ErrRejected after 3", out, err, n)
	}
	if got := gittest.Git(t, bare, "log", "-1", "--format=%s", "main"); got != "outside change to README.md" {
		t.Errorf("remote head = %q, want the last outside commit", got)
	}
}
