package gitwriter

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// resetWorktree makes the index and worktree match commit target. It takes
// the fast path when it knows which commit the index matches, and rewrites
// the whole worktree otherwise or on error.
func (r *Repo) resetWorktree(target plumbing.Hash) error {
	if !r.indexAt.IsZero() {
		err := r.fastReset(target)
		if err == nil {
			return nil
		}
		r.log.Warn("fast reset failed, doing a full reset", "reason", err.Error())
	}
	return r.checkoutAll(target)
}

// checkoutAll empties the worktree (all but .git) and writes every file of
// target's tree, with a new index. It trusts nothing that was there.
func (r *Repo) checkoutAll(target plumbing.Hash) error {
	r.clean = false
	if err := r.setIndexAt(plumbing.ZeroHash); err != nil {
		return err
	}
	tree, err := r.commitTree(target)
	if err != nil {
		return err
	}
	if err := r.emptyWorktree(); err != nil {
		return err
	}
	idx := &index.Index{Version: 2}
	w := object.NewTreeWalker(tree, true, nil)
	defer w.Close()
	for {
		name, e, err := w.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading tree of %s: %w", target, err)
		}
		if e.Mode == filemode.Dir || e.Mode == filemode.Submodule {
			continue
		}
		ie, err := r.writeFresh(name, &e)
		if err != nil {
			return err
		}
		idx.Entries = append(idx.Entries, ie)
	}
	if err := r.writeIndex(idx); err != nil {
		return err
	}
	r.clean = true
	return r.setIndexAt(target)
}

func (r *Repo) emptyWorktree() error {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return fmt.Errorf("reading worktree: %w", err)
	}
	for _, e := range entries {
		if e.Name() == ".git" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(r.dir, e.Name())); err != nil {
			return fmt.Errorf("emptying worktree: %w", err)
		}
	}
	return nil
}

// fastReset rewrites the files that are dirty or differ between r.indexAt
// and target.
func (r *Repo) fastReset(target plumbing.Hash) error {
	idx, sum, err := r.readIndex()
	if err != nil {
		return err
	}
	var dirty []string
	if !r.clean {
		if dirty, err = r.scan(idx); err != nil {
			return err
		}
	}
	if target == r.indexAt && len(dirty) == 0 {
		r.clean = true
		r.o.cloneCache.putIndex(r.dir, idx, sum) // unchanged, as is the file
		return nil
	}
	to, err := r.commitTree(target)
	if err != nil {
		return err
	}
	changed, err := r.treeDiff(r.indexAt, to)
	if err != nil {
		return err
	}
	from := r.indexAt
	r.clean = false
	if err := r.setIndexAt(plumbing.ZeroHash); err != nil {
		return err
	}
	if err := r.checkoutPaths(idx, to, union(dirty, changed)); err != nil {
		return err
	}
	if err := r.writeIndex(idx); err != nil {
		return err
	}
	r.log.Debug("reset worktree", "from", from.String(), "to", target.String(), "dirty", len(dirty), "changed", len(changed))
	r.clean = true
	return r.setIndexAt(target)
}

// baseFile records, across processes, the commit the index and worktree
// match (except for files whose stat data show a change), and the index
// file's size and mtime then. It is removed before the index changes and
// rewritten after, so a crash in between, or anyone else writing the index,
// leads to a full reset.
const baseFile = "hoist-base"

func (r *Repo) setIndexAt(h plumbing.Hash) error {
	r.indexAt, r.stamp = h, ""
	p := filepath.Join(r.dir, ".git", baseFile)
	if h.IsZero() {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("clearing worktree base: %w", err)
		}
		return nil
	}
	tmp := p + ".tmp"
	r.stamp = r.indexStamp()
	if err := os.WriteFile(tmp, []byte(h.String()+" "+r.stamp+"\n"), 0o644); err != nil {
		return fmt.Errorf("recording worktree base: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("recording worktree base: %w", err)
	}
	return nil
}

// indexStamp identifies the current index file by size and mtime.
func (r *Repo) indexStamp() string {
	fi, err := os.Stat(filepath.Join(r.dir, ".git", "index"))
	if err != nil {
		return "none"
	}
	return fmt.Sprintf("%d:%d", fi.Size(), fi.ModTime().UnixNano())
}

// loadIndexAt reads the recorded worktree base of the clone; it sets
// r.indexAt to zero unless the index is still the one recorded.
func (r *Repo) loadIndexAt() {
	r.indexAt, r.clean, r.stamp = plumbing.ZeroHash, false, ""
	b, err := os.ReadFile(filepath.Join(r.dir, ".git", baseFile))
	if err != nil {
		return
	}
	hash, stamp, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	h := plumbing.NewHash(hash)
	if stamp != r.indexStamp() {
		return
	}
	if _, err := r.repo.CommitObject(h); err == nil {
		r.indexAt, r.stamp = h, stamp
	}
}

func (r *Repo) commitTree(h plumbing.Hash) (*object.Tree, error) {
	c, err := r.repo.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("reading commit %s: %w", h, err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("reading tree of %s: %w", h, err)
	}
	return t, nil
}

// treeDiff lists the paths that differ between the tree of commit from and to.
func (r *Repo) treeDiff(from plumbing.Hash, to *object.Tree) ([]string, error) {
	ft, err := r.commitTree(from)
	if err != nil {
		return nil, err
	}
	changes, err := object.DiffTree(ft, to)
	if err != nil {
		return nil, fmt.Errorf("comparing trees: %w", err)
	}
	var paths []string
	for _, c := range changes {
		for _, n := range []string{c.From.Name, c.To.Name} {
			if n != "" {
				paths = append(paths, n)
			}
		}
	}
	return paths, nil
}

func union(a, b []string) []string {
	set := make(map[string]bool, len(a)+len(b))
	for _, s := range append(append([]string{}, a...), b...) {
		set[s] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// checkoutPaths makes each of paths in the worktree and index what it is in
// tree: deletions first, then writes.
func (r *Repo) checkoutPaths(idx *index.Index, tree *object.Tree, paths []string) error {
	var write []*object.TreeEntry
	var names []string
	for _, name := range paths {
		e, err := r.findFile(tree, name)
		if err != nil {
			return fmt.Errorf("finding %s: %w", name, err)
		}
		if e == nil {
			if err := r.removePath(idx, name); err != nil {
				return err
			}
			continue
		}
		write, names = append(write, e), append(names, name)
	}
	for i, e := range write {
		if err := r.writePath(idx, names[i], e); err != nil {
			return err
		}
	}
	return nil
}

// findFile returns the non-directory entry at name in tree, or nil when
// tree has no file there (nothing, or a directory, or a file in place of a
// parent directory).
func (r *Repo) findFile(tree *object.Tree, name string) (*object.TreeEntry, error) {
	parts := strings.Split(name, "/")
	for i, part := range parts {
		var e *object.TreeEntry
		for j := range tree.Entries {
			if tree.Entries[j].Name == part {
				e = &tree.Entries[j]
				break
			}
		}
		if e == nil {
			return nil, nil
		}
		if i == len(parts)-1 {
			if e.Mode == filemode.Dir {
				return nil, nil
			}
			return e, nil
		}
		if e.Mode != filemode.Dir {
			return nil, nil
		}
		sub, err := r.repo.TreeObject(e.Hash)
		if err != nil {
			return nil, err
		}
		tree = sub
	}
	return nil, nil
}

// worktreePath maps a slash-separated tree path into the worktree, refusing
// paths that leave it or go through .git or a symlink.
func (r *Repo) worktreePath(name string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(name))
	if name == "" || filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("path %q leaves the worktree", name)
	}
	parts := strings.Split(clean, string(filepath.Separator))
	if strings.EqualFold(parts[0], ".git") {
		return "", fmt.Errorf("path %q is inside .git", name)
	}
	p := r.dir
	for _, part := range parts[:len(parts)-1] {
		p = filepath.Join(p, part)
		if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return "", fmt.Errorf("path %q goes through a symlink", name)
		}
	}
	return filepath.Join(r.dir, clean), nil
}

func (r *Repo) removePath(idx *index.Index, name string) error {
	_, _ = idx.Remove(name)
	p, err := r.worktreePath(name)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("removing %s: %w", name, err)
	}
	for d := filepath.Dir(p); d != r.dir && strings.HasPrefix(d, r.dir); d = filepath.Dir(d) {
		if os.Remove(d) != nil {
			break // not empty
		}
	}
	return nil
}

func (r *Repo) writePath(idx *index.Index, name string, e *object.TreeEntry) error {
	if e.Mode == filemode.Submodule {
		return nil
	}
	p, err := r.worktreePath(name)
	if err != nil {
		return err
	}
	if err := r.writeEntry(p, e); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	setEntry(idx, name, e.Hash, e.Mode, fi)
	return nil
}

// writeFresh writes a tree entry into the emptied worktree and returns its
// index entry.
func (r *Repo) writeFresh(name string, e *object.TreeEntry) (*index.Entry, error) {
	p, err := r.worktreePath(name)
	if err != nil {
		return nil, err
	}
	b, err := r.blob(e.Hash)
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", name, err)
	}
	err = r.o.writeFile(p, e.Mode, b)
	if errors.Is(err, fs.ErrNotExist) { // the parent directory is not there yet
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("writing %s: %w", name, err)
		}
		err = r.o.writeFile(p, e.Mode, b)
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", name, err)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", name, err)
	}
	return newEntry(name, e.Hash, e.Mode, fi), nil
}

func (r *Repo) blob(h plumbing.Hash) ([]byte, error) {
	blob, err := r.repo.BlobObject(h)
	if err != nil {
		return nil, err
	}
	rd, err := blob.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// writeFile writes one worktree file (or symlink) with the mode git records.
func writeFile(p string, mode filemode.FileMode, b []byte) error {
	if mode == filemode.Symlink {
		return os.Symlink(string(b), p)
	}
	perm := fs.FileMode(0o644)
	if mode == filemode.Executable {
		perm = 0o755
	}
	return os.WriteFile(p, b, perm)
}

func (r *Repo) writeEntry(p string, e *object.TreeEntry) error {
	b, err := r.blob(e.Hash)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(p); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return r.o.writeFile(p, e.Mode, b)
}
