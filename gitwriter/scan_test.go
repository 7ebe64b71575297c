package gitwriter

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestScanFindsEveryChange: scan reports each kind of worktree change, and
// nothing else, whatever the names' order (a.txt sorts before a/ in git,
// after it in a directory walk).
func TestScanFindsEveryChange(t *testing.T) {
	_, url := daemonRepo(t)
	r := mustOpen(t, url, WithStateDir(t.TempDir()))
	dir, _, err := r.Checkout(context.Background())
	must(t, err)
	write := func(name, content string) {
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("deploy/api.yaml", "modified, same size?\n")                 // modified
	write("deploy.txt", "new\n")                                       // untracked, sorts between deploy and deploy/
	write("deploy/new/deep.yaml", "new\n")                             // untracked in a new directory
	must(t, os.Remove(filepath.Join(dir, "README.md")))                // deleted
	must(t, os.Chmod(filepath.Join(dir, "deploy", "web.yaml"), 0o755)) // mode change
	must(t, os.Symlink("deploy", filepath.Join(dir, "link")))          // untracked symlink (to a directory: not followed)
	end, err := r.begin(context.Background())
	must(t, err)
	defer end()
	idx, _, err := r.readIndex()
	must(t, err)
	got, err := r.scan(idx)
	must(t, err)
	want := []string{"README.md", "deploy.txt", "deploy/api.yaml", "deploy/new/deep.yaml", "deploy/web.yaml", "link"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scan mismatch (-want +got):\n%s", diff)
	}
}
