package gitwriter

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// The fast worktree path: go-git's Status and hard Reset hash every file, which
// costs seconds on large repositories. hoist's edits touch a few files, so
// gitwriter finds changed files by comparing stat data with the index (as
// git does) and rewrites only those files and the ones that differ between
// the old and the new head.

// scan returns the paths whose worktree state differs from the index:
// modified, added (untracked) and deleted files, sorted.
func (r *Repo) scan(idx *index.Index) ([]string, error) {
	entries := make(map[string]*index.Entry, len(idx.Entries))
	for _, e := range idx.Entries {
		entries[e.Name] = e
	}
	racy := r.indexTime()
	var dirty []string
	seen := make(map[string]bool, len(entries))
	err := filepath.WalkDir(r.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(r.dir, p)
		name := filepath.ToSlash(rel)
		if d.IsDir() {
			if name == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		seen[name] = true
		e := entries[name]
		if e == nil {
			dirty = append(dirty, name)
			return nil
		}
		changed, err := r.fileChanged(p, e, racy)
		if changed {
			dirty = append(dirty, name)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("scanning worktree: %w", err)
	}
	for name, e := range entries {
		if !seen[name] && e.Mode != filemode.Submodule {
			dirty = append(dirty, name)
		}
	}
	sort.Strings(dirty)
	return dirty, nil
}

// indexTime is the index file's mtime: entries not older than it are "racy"
// and get hashed whatever their stat data say.
func (r *Repo) indexTime() time.Time {
	fi, err := os.Stat(filepath.Join(r.dir, ".git", "index"))
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// fileChanged compares the file at p with its index entry, hashing it only
// when its stat data differ or are racy.
func (r *Repo) fileChanged(p string, e *index.Entry, racy time.Time) (bool, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return false, err
	}
	mode, err := filemode.NewFromOSFileMode(fi.Mode())
	if err != nil || mode != e.Mode {
		return true, nil
	}
	if uint32(fi.Size()) == e.Size && fi.ModTime().Equal(e.ModifiedAt) && fi.ModTime().Before(racy) {
		return false, nil
	}
	h, err := hashFile(p, fi)
	if err != nil {
		return false, err
	}
	return h != e.Hash, nil
}

// hashFile returns the blob hash of the file or symlink at p.
func hashFile(p string, fi os.FileInfo) (plumbing.Hash, error) {
	b, err := readWorktreeFile(p, fi)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return plumbing.ComputeHash(plumbing.BlobObject, b), nil
}

func readWorktreeFile(p string, fi os.FileInfo) ([]byte, error) {
	if fi.Mode()&os.ModeSymlink != 0 {
		t, err := os.Readlink(p)
		return []byte(t), err
	}
	return os.ReadFile(p)
}

// stage records the worktree state of paths in the index and the object
// store: deleted files leave the index, others are written as blobs.
func (r *Repo) stage(idx *index.Index, paths []string) error {
	for _, name := range paths {
		p, err := r.worktreePath(name)
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			_, _ = idx.Remove(name)
			continue
		}
		if err != nil {
			return fmt.Errorf("staging %s: %w", name, err)
		}
		if err := r.stageFile(idx, name, p, fi); err != nil {
			return err
		}
	}
	return r.writeIndex(idx)
}

func (r *Repo) stageFile(idx *index.Index, name, p string, fi os.FileInfo) error {
	mode, err := filemode.NewFromOSFileMode(fi.Mode())
	if err != nil {
		return fmt.Errorf("staging %s: %w", name, err)
	}
	b, err := readWorktreeFile(p, fi)
	if err != nil {
		return fmt.Errorf("staging %s: %w", name, err)
	}
	h, err := r.writeBlob(b)
	if err != nil {
		return fmt.Errorf("staging %s: %w", name, err)
	}
	setEntry(idx, name, h, mode, fi)
	return nil
}

func (r *Repo) writeBlob(b []byte) (plumbing.Hash, error) {
	obj := r.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(b)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(b); err != nil {
		w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.repo.Storer.SetEncodedObject(obj)
}

// setEntry adds or replaces the index entry of name.
func setEntry(idx *index.Index, name string, h plumbing.Hash, mode filemode.FileMode, fi os.FileInfo) {
	e, err := idx.Entry(name)
	if err != nil {
		e = idx.Add(name)
	}
	*e = *newEntry(name, h, mode, fi)
}

// newEntry is the index entry of a file just written or read, with its stat data.
func newEntry(name string, h plumbing.Hash, mode filemode.FileMode, fi os.FileInfo) *index.Entry {
	e := &index.Entry{Name: name, Hash: h, Mode: mode, ModifiedAt: fi.ModTime(), Size: uint32(fi.Size())}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		e.CreatedAt = time.Unix(st.Ctim.Unix())
		e.Dev, e.Inode, e.UID, e.GID = uint32(st.Dev), uint32(st.Ino), st.Uid, st.Gid
	}
	return e
}
