package pass

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrOutsideWorktree is returned when a configured path resolves, through a
// symlink committed to the repository or through "..", to a place outside
// the worktree.
var ErrOutsideWorktree = errors.New("resolves outside the repository")

// Root returns the directory that path names inside the worktree dir, with
// every symlink resolved, or an error wrapping [ErrOutsideWorktree] when it
// leaves the worktree. Anyone who can commit to the repository can commit a
// symlink, so a pass never trusts path as it is written: a "clusters ->
// /elsewhere" link would otherwise have hoist load policies from, and rewrite
// files in, a directory it does not own.
func Root(dir, path string) (string, error) {
	if filepath.IsAbs(path) || filepath.VolumeName(path) != "" {
		return "", fmt.Errorf("path %q: must be relative to the repository", path)
	}
	base, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("resolving the worktree: %w", err)
	}
	root, err := filepath.EvalSymlinks(filepath.Join(base, filepath.FromSlash(path)))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("path %q: no such directory in the repository", path)
		}
		return "", fmt.Errorf("path %q: %w", path, err)
	}
	if !within(base, root) {
		return "", fmt.Errorf("path %q %w (a symlink or .. in it leads out)", path, ErrOutsideWorktree)
	}
	fi, err := os.Stat(root)
	if err != nil {
		return "", fmt.Errorf("path %q: %w", path, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("path %q: not a directory", path)
	}
	return root, nil
}

// within reports whether p is base or below it; both are clean and absolute.
func within(base, p string) bool {
	rel, err := filepath.Rel(base, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
