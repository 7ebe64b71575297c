package gitwriter

import (
	"context"
	"errors"
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
	if out.Attempts != 1 || out.Branch != "main" {
		t.Errorf("Outcome = %+v, want 1 attempt on main", out)
	}

	// The same edit again finds nothing to change: no commit.
	again, err := r.Update(context.Background(), setTo("deploy/api.yaml", "image: ghcr.io/acme/api:1.4.3\n", "apps:api", "1.4.3"))
	if err != nil || again.Commit != "" {
		t.Errorf("second Update = %+v, %v; want no commit", again, err)
	}
	if n := gittest.Git(t, bare, "rev-list", "--count", "main"); n != "2" {
		t.Errorf("remote has %s commits, want 2", n)
	}
	if !strings.HasPrefix(out.Message, "Update images: api 1.4.3\n\napps:api:  -> 1.4.3 (deploy/api.yaml)") {
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
