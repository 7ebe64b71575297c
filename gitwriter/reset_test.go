package gitwriter

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// withWriteFile replaces how checkouts write worktree files.
func withWriteFile(f func(p string, mode filemode.FileMode, b []byte) error) Option {
	return func(o *options) error {
		o.writeFile = f
		return nil
	}
}

// TestCheckoutWriteFails: a worktree write that fails (a full disk leaves a
// truncated file and ENOSPC) fails the checkout; the file is not staged as
// if it were whole. Files in a directory that does not exist yet are written
// twice (after creating the directory), so the retry's error counts too.
func TestCheckoutWriteFails(t *testing.T) {
	bare := gittest.NewBare(t, filepath.Join(t.TempDir(), "local.git"), seed)
	for name, file := range map[string]string{
		"file at the root":                    "README.md",
		"file in a new directory (the retry)": "deploy/api.yaml",
	} {
		t.Run(name, func(t *testing.T) {
			full := func(p string, mode filemode.FileMode, b []byte) error {
				if err := writeFile(p, mode, b); err != nil || !strings.HasSuffix(filepath.ToSlash(p), "/"+file) {
					return err
				}
				if err := os.Truncate(p, int64(len(b)/2)); err != nil {
					return err
				}
				return &os.PathError{Op: "write", Path: p, Err: syscall.ENOSPC}
			}
			_, err := Open(t.Context(), bare, WithStateDir(t.TempDir()), withWriteFile(full))
			if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "writing "+file) {
				t.Errorf("Open with a full disk at %s = %v, want ENOSPC naming the file", file, err)
			}
		})
	}
}
