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

// withIndexCommit makes a Repo commit as it did before trees were written
// along the changed paths only: go-git's Worktree.Commit on the whole index.
func withIndexCommit() Option {
	return func(o *options) error {
		o.indexCommit = true
		return nil
	}
}

// treeSeed has nested directories, a lone file in a deep directory, and
// names that sort differently as files and as directories.
var treeSeed = map[string]string{
	"README.md":            "config\n",
	"deploy/api.yaml":      "image: api:1\n",
	"deploy/web.yaml":      "image: web:1\n",
	"deploy.txt":           "beside deploy/\n",
	"deploy-x/y.yaml":      "y\n",
	"a/b/c/only.yaml":      "lone\n",
	"apps/d1/f1.yaml":      "f1\n",
	"apps/d1/f2.yaml":      "f2\n",
	"apps/d2/f3.yaml":      "f3\n",
	"apps/d2/sub/f4.yaml":  "f4\n",
	"clusters/prod/k.yaml": "k\n",
}

// TestCommitTreeMatchesIndexCommit runs each edit on two clones of one
// repository, one committing with trees written along the changed paths
// and one with go-git's Worktree.Commit, and on a git CLI clone (add -A,
// write-tree): the three trees must be equal, the clone must pass git fsck,
// and an edit that changes nothing must make no commit.
func TestCommitTreeMatchesIndexCommit(t *testing.T) {
	cases := []struct {
		name string
		edit func(t *testing.T, dir string)
	}{
		{"modify", func(t *testing.T, dir string) { write(t, dir, "deploy/api.yaml", "image: api:2\n") }},
		{"add in new dirs", func(t *testing.T, dir string) { write(t, dir, "new/deep/er/x.yaml", "x\n") }},
		{"add beside", func(t *testing.T, dir string) { write(t, dir, "deploy/db.yaml", "db\n") }},
		{"delete last file of dirs", func(t *testing.T, dir string) { rm(t, dir, "a/b/c/only.yaml") }},
		{"delete one of two", func(t *testing.T, dir string) { rm(t, dir, "apps/d1/f2.yaml") }},
		{"mode change", func(t *testing.T, dir string) { must(t, os.Chmod(filepath.Join(dir, "deploy/web.yaml"), 0o755)) }},
		{"new executable", func(t *testing.T, dir string) {
			write(t, dir, "bin/run.sh", "#!/bin/sh\n")
			chmodX(t, dir, "bin/run.sh")
		}},
		{"symlink", func(t *testing.T, dir string) { must(t, os.Symlink("deploy/api.yaml", filepath.Join(dir, "link"))) }},
		{"symlink to dir", func(t *testing.T, dir string) { must(t, os.Symlink("apps", filepath.Join(dir, "apps/d2/up"))) }},
		{"file becomes directory", func(t *testing.T, dir string) {
			rm(t, dir, "deploy.txt")
			write(t, dir, "deploy.txt/inner", "in\n")
		}},
		{"directory becomes file", func(t *testing.T, dir string) {
			must(t, os.RemoveAll(filepath.Join(dir, "deploy-x")))
			write(t, dir, "deploy-x", "file\n")
		}},
		{"many at once", func(t *testing.T, dir string) {
			write(t, dir, "apps/d2/sub/f4.yaml", "f4'\n")
			write(t, dir, "apps/d3/f5.yaml", "f5\n")
			rm(t, dir, "apps/d1/f1.yaml")
			rm(t, dir, "clusters/prod/k.yaml")
			chmodX(t, dir, "README.md")
		}},
		{"delete everything", func(t *testing.T, dir string) {
			for name := range treeSeed {
				rm(t, dir, name)
			}
		}},
		{"no-op", func(t *testing.T, dir string) { write(t, dir, "deploy/api.yaml", "image: api:1\n") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			bare := gittest.NewBare(t, filepath.Join(base, "fast.git"), treeSeed)
			gittest.Git(t, "", "clone", "-q", "--bare", bare, filepath.Join(base, "index.git"))
			cli := filepath.Join(base, "cli")
			gittest.Git(t, "", "clone", "-q", bare, cli)
			d := gittest.Daemon(t, base)
			edit := func(ctx context.Context, dir string) (Change, error) {
				tc.edit(t, dir)
				return Change{Updates: []Update{{File: "x", Policy: "apps:api", Image: "api:2", To: "2"}}}, nil
			}
			fast := mustOpen(t, d.URL("fast.git"), WithStateDir(t.TempDir()))
			outFast, err := fast.Update(context.Background(), edit)
			must(t, err)
			slow := mustOpen(t, d.URL("index.git"), WithStateDir(t.TempDir()), withIndexCommit())
			outSlow, err := slow.Update(context.Background(), edit)
			must(t, err)

			tc.edit(t, cli)
			gittest.Git(t, cli, "add", "-A")
			want := strings.TrimSpace(gittest.Git(t, cli, "write-tree"))
			if tc.name == "no-op" {
				if outFast.Commit != "" || outSlow.Commit != "" {
					t.Fatalf("no-op edit committed: %q and %q", outFast.Commit, outSlow.Commit)
				}
				return
			}
			got := map[string]string{
				"fast":  strings.TrimSpace(gittest.Git(t, bare, "rev-parse", outFast.Commit+"^{tree}")),
				"index": strings.TrimSpace(gittest.Git(t, filepath.Join(base, "index.git"), "rev-parse", outSlow.Commit+"^{tree}")),
			}
			if diff := cmp.Diff(map[string]string{"fast": want, "index": want}, got); diff != "" {
				t.Errorf("tree mismatch with git write-tree (-want +got):\n%s", diff)
			}
			gittest.Git(t, fast.Dir(), "fsck", "--no-progress")
			gittest.Git(t, bare, "fsck", "--no-progress")
			if s := gittest.Git(t, fast.Dir(), "status", "--porcelain"); s != "" {
				t.Errorf("git status after the commit = %q, want clean", s)
			}
		})
	}
}

// TestCommitWritesTreesAlongChangedPaths: a one-file commit encodes the
// trees on the file's path only (apps/d2/sub, apps/d2, apps and the root),
// not the repository's other seven.
func TestCommitWritesTreesAlongChangedPaths(t *testing.T) {
	base := t.TempDir()
	gittest.NewBare(t, filepath.Join(base, "c.git"), treeSeed)
	r := mustOpen(t, gittest.Daemon(t, base).URL("c.git"), WithStateDir(t.TempDir()))
	out, err := r.Update(context.Background(), setTo("apps/d2/sub/f4.yaml", "f4'\n", "apps:f4", "2"))
	must(t, err)
	if out.Commit == "" {
		t.Fatal("Update made no commit")
	}
	if r.treesHashed != 4 {
		t.Errorf("trees encoded = %d, want 4", r.treesHashed)
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	must(t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(t, os.WriteFile(p, []byte(content), 0o644))
}

func rm(t *testing.T, dir, name string) {
	t.Helper()
	must(t, os.Remove(filepath.Join(dir, filepath.FromSlash(name))))
}

func chmodX(t *testing.T, dir, name string) {
	t.Helper()
	must(t, os.Chmod(filepath.Join(dir, filepath.FromSlash(name)), 0o755))
}

// TestTreeWithConflict: a change that would make one name both a file and
// a directory is refused (commit then builds the tree from the index).
func TestTreeWithConflict(t *testing.T) {
	base := t.TempDir()
	gittest.NewBare(t, filepath.Join(base, "c.git"), treeSeed)
	r := mustOpen(t, gittest.Daemon(t, base).URL("c.git"), WithStateDir(t.TempDir()))
	end, err := r.begin(context.Background())
	must(t, err)
	defer end()
	head, err := r.repo.Head()
	must(t, err)
	c, err := r.repo.CommitObject(head.Hash())
	must(t, err)
	idx, _, err := r.readIndex()
	must(t, err)
	e, err := idx.Entry("README.md")
	must(t, err)
	_, err = r.treeWith(c.TreeHash, []treeChange{{path: "README.md/inner", entry: e}})
	if !errors.Is(err, errTreeConflict) {
		t.Errorf("treeWith(file and directory) = %v, want errTreeConflict", err)
	}
}
