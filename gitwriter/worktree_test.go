package gitwriter

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// TestCheckoutTracksRemote moves the remote through adds, deletes, mode
// changes, symlinks and file/directory swaps, with junk left by failed edits
// in between, and checks after each Checkout that the worktree is exactly
// the remote tree (as the git CLI lists it).
func TestCheckoutTracksRemote(t *testing.T) {
	bare, url := daemonRepo(t)
	logs := &recorder{}
	r := mustOpen(t, url, WithStateDir(t.TempDir()), WithLogger(slog.New(logs)))
	steps := []struct {
		name string
		cmds [][]string // run in an outside clone before commit
		junk map[string]string
	}{
		{name: "add nested", cmds: [][]string{{"sh", "-c", "mkdir -p x/y && echo z > x/y/z.yaml"}}},
		{name: "executable and symlink", cmds: [][]string{{"sh", "-c", "echo '#!/bin/sh' > run.sh && chmod +x run.sh && ln -s deploy/api.yaml link"}}},
		{name: "modify and delete", cmds: [][]string{{"sh", "-c", "echo changed > README.md && git rm -q deploy/web.yaml"}},
			junk: map[string]string{"deploy/api.yaml": "junk\n", "new/untracked.txt": "u\n"}},
		{name: "mode only and retarget", cmds: [][]string{{"sh", "-c", "chmod -x run.sh && ln -sfn README.md link"}}},
		{name: "file becomes directory", cmds: [][]string{{"sh", "-c", "git rm -q README.md && mkdir README.md && echo in > README.md/inner"}}},
		{name: "directory becomes file", cmds: [][]string{{"sh", "-c", "git rm -rq x && echo file > x"}},
			junk: map[string]string{"x/y/extra": "e\n"}},
	}
	work := filepath.Join(t.TempDir(), "outside")
	gittest.Git(t, "", "clone", "-q", bare, work)
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.junk != nil {
				_, err := r.Update(context.Background(), func(ctx context.Context, dir string) (Change, error) {
					gittest.WriteFiles(t, dir, st.junk)
					return Change{}, errors.New("edit failed half-way")
				})
				if err == nil {
					t.Fatal("Update with a failing edit succeeded")
				}
			}
			for _, c := range st.cmds {
				cmd := gittest.GitCmd(work)
				cmd.Path, cmd.Args = "/bin/sh", append([]string{"sh"}, c[1:]...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%v: %v\n%s", c, err, out)
				}
			}
			gittest.Git(t, work, "add", "-A")
			gittest.Git(t, work, "commit", "-q", "-m", st.name)
			gittest.Git(t, work, "push", "-q", "origin", "main")
			dir, head, err := r.Checkout(context.Background())
			must(t, err)
			if want := gittest.Git(t, bare, "rev-parse", "main"); head != want {
				t.Fatalf("head = %s, want %s", head, want)
			}
			if diff := cmp.Diff(remoteTree(t, bare), worktreeState(t, dir)); diff != "" {
				t.Errorf("worktree differs from the remote tree (-want +got):\n%s", diff)
			}
			if w := logs.matching("WARN"); len(w) > 0 {
				t.Errorf("the fast reset path was not taken: %q", w)
			}
		})
	}
}

// remoteTree lists main of bare as "mode path content" lines.
func remoteTree(t *testing.T, bare string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(gittest.Git(t, bare, "ls-tree", "-r", "main"), "\n") {
		meta, path, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		out = append(out, f[0]+" "+path+" "+gittest.Git(t, bare, "cat-file", "blob", f[2]))
	}
	sort.Strings(out)
	return out
}

// worktreeState lists dir (without .git) like remoteTree.
func worktreeState(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.Name() == ".git" {
				return filepath.SkipDir
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		mode, content := "100644", ""
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			mode, content = "120000", must2(os.Readlink(p))
		case fi.Mode()&0o100 != 0:
			mode, content = "100755", strings.TrimSpace(string(must2b(os.ReadFile(p))))
		default:
			content = strings.TrimSpace(string(must2b(os.ReadFile(p))))
		}
		out = append(out, mode+" "+filepath.ToSlash(rel)+" "+content)
		return nil
	})
	must(t, err)
	sort.Strings(out)
	return out
}

func must2(s string, err error) string {
	if err != nil {
		return "ERROR " + err.Error()
	}
	return s
}

func must2b(b []byte, err error) []byte {
	if err != nil {
		return []byte("ERROR " + err.Error())
	}
	return b
}
