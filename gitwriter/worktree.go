package gitwriter

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
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
// modified, added (untracked) and deleted files, sorted. It lstats every
// file (the safety net for whatever an edit touched) without building a map
// of the index: entries are found by binary search in the sorted index.
func (r *Repo) scan(idx *index.Index) ([]string, error) {
	byName := func(a, b *index.Entry) int { return strings.Compare(a.Name, b.Name) }
	if !slices.IsSortedFunc(idx.Entries, byName) {
		slices.SortFunc(idx.Entries, byName)
	}
	s := &scanner{r: r, entries: idx.Entries, seen: make([]bool, len(idx.Entries)), racy: r.indexTime()}
	if err := s.dir(r.dir, ""); err != nil {
		return nil, fmt.Errorf("scanning worktree: %w", err)
	}
	for i, e := range s.entries {
		if !s.seen[i] && e.Mode != filemode.Submodule {
			s.dirty = append(s.dirty, e.Name)
		}
	}
	sort.Strings(s.dirty)
	return s.dirty, nil
}

// scanner is one scan's state.
type scanner struct {
	r       *Repo
	entries []*index.Entry // sorted by name
	seen    []bool         // by entry
	racy    time.Time
	dirty   []string
	st      syscall.Stat_t
}

// dir scans the directory at p, named rel in the tree ("" for the root).
func (s *scanner) dir(p, rel string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, n := range names {
		if rel == "" && n == ".git" {
			continue
		}
		name, fp := n, p+string(filepath.Separator)+n
		if rel != "" {
			name = rel + "/" + n
		}
		if err := s.file(fp, name); err != nil {
			return err
		}
	}
	return nil
}

// file scans one worktree entry, descending into directories.
func (s *scanner) file(p, name string) error {
	if err := syscall.Lstat(p, &s.st); err != nil {
		return &fs.PathError{Op: "lstat", Path: p, Err: err}
	}
	if s.st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
		return s.dir(p, name)
	}
	i, ok := slices.BinarySearchFunc(s.entries, name, func(e *index.Entry, n string) int { return strings.Compare(e.Name, n) })
	if !ok {
		s.dirty = append(s.dirty, name)
		return nil
	}
	s.seen[i] = true
	changed, err := s.changed(p, s.entries[i])
	if changed {
		s.dirty = append(s.dirty, name)
	}
	return err
}

// changed compares the file just lstat'ed at p with its index entry,
// hashing it only when its stat data differ or are racy.
func (s *scanner) changed(p string, e *index.Entry) (bool, error) {
	if statMode(&s.st) != e.Mode {
		return true, nil
	}
	mtime := time.Unix(s.st.Mtim.Unix())
	if uint32(s.st.Size) == e.Size && mtime.Equal(e.ModifiedAt) && mtime.Before(s.racy) {
		return false, nil
	}
	b, err := readWorktreeFile(p, e.Mode == filemode.Symlink)
	if err != nil {
		return false, err
	}
	return plumbing.ComputeHash(plumbing.BlobObject, b) != e.Hash, nil
}

// statMode is the git mode of a file with stat data st; Empty for what git
// does not track.
func statMode(st *syscall.Stat_t) filemode.FileMode {
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFLNK:
		return filemode.Symlink
	case syscall.S_IFREG:
		if st.Mode&0o100 != 0 {
			return filemode.Executable
		}
		return filemode.Regular
	}
	return filemode.Empty
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

// readWorktreeFile reads the file at p, or the target of the symlink.
func readWorktreeFile(p string, symlink bool) ([]byte, error) {
	if symlink {
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
		if gone(fi, err) {
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

// gone reports that a tracked file is no longer a file: it was deleted,
// or it or a parent became a directory (whose files stage on their own) or
// a parent became a file.
func gone(fi os.FileInfo, err error) bool {
	if err != nil {
		return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
	}
	return fi.IsDir()
}

func (r *Repo) stageFile(idx *index.Index, name, p string, fi os.FileInfo) error {
	mode, err := filemode.NewFromOSFileMode(fi.Mode())
	if err != nil {
		return fmt.Errorf("staging %s: %w", name, err)
	}
	b, err := readWorktreeFile(p, fi.Mode()&os.ModeSymlink != 0)
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
