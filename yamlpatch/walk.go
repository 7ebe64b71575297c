package yamlpatch

import (
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unsafe"
)

// dirWalker lists candidate files the way filepath.WalkDir would visit
// them (names in order, depth first), with plain system calls: open,
// getdents and close per directory, no os.File, no stat unless the file
// system leaves an entry's type unknown. On a tree of mostly unmarked
// files, listing costs about as much as reading them.
type dirWalker struct {
	root     string
	log      *slog.Logger
	buf      []byte // getdents buffer, reused
	files    []string
	problems []Problem
}

// dirEntry is one directory entry: its name and type bits (syscall.DT_*).
type dirEntry struct {
	name string
	typ  uint8
}

// walk lists directory path (rel is its slash path under root, "" for
// root). An unreadable root is an error; any other directory a problem.
func (w *dirWalker) walk(path, rel string) error {
	entries, err := w.readDir(path)
	if err != nil {
		if rel == "" {
			return err
		}
		w.problems = append(w.problems, Problem{File: rel, Reason: fmt.Sprintf("reading: %v", err)})
	}
	for _, e := range entries {
		if err := w.visit(path, rel, e); err != nil {
			return err
		}
	}
	return nil
}

func (w *dirWalker) visit(dir, dirRel string, e dirEntry) error {
	path, rel := dir+string(filepath.Separator)+e.name, e.name
	if dirRel != "" {
		rel = dirRel + "/" + e.name
	}
	if e.typ == syscall.DT_UNKNOWN {
		var st syscall.Stat_t
		if err := syscall.Lstat(path, &st); err != nil {
			return nil // gone since the listing
		}
		e.typ = uint8(st.Mode & syscall.S_IFMT >> 12) // DT_* is S_IFMT>>12
	}
	switch {
	case e.typ == syscall.DT_LNK:
		if p, ok := outsideLink(w.root, path, rel, e.name); ok {
			w.problems = append(w.problems, p)
		} else {
			w.log.Debug("skipping symlink", "file", rel)
		}
	case e.typ == syscall.DT_DIR && e.name != ".git":
		return w.walk(path, rel)
	case e.typ == syscall.DT_REG && isCandidate(e.name):
		w.files = append(w.files, rel)
	}
	return nil
}

// readDir returns the entries of directory path, but . and .., sorted by
// name. Its errors read as os.ReadDir's.
func (w *dirWalker) readDir(path string) ([]dirEntry, error) {
	fd, err := retryEINTR(func() (int, error) {
		return syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	if w.buf == nil {
		w.buf = make([]byte, 32<<10)
	}
	var entries []dirEntry
	for {
		n, err := retryEINTR(func() (int, error) { return syscall.Getdents(fd, w.buf) })
		if err != nil {
			return entries, &fs.PathError{Op: "readdirent", Path: path, Err: err}
		}
		if n <= 0 {
			break
		}
		entries = parseDirents(w.buf[:n], entries)
	}
	slices.SortFunc(entries, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	return entries, nil
}

// parseDirents appends the linux_dirent64 records of buf but . and .. to
// entries.
func parseDirents(buf []byte, entries []dirEntry) []dirEntry {
	const nameOff = int(unsafe.Offsetof(syscall.Dirent{}.Name))
	for len(buf) >= nameOff {
		reclen := int(*(*uint16)(unsafe.Pointer(&buf[unsafe.Offsetof(syscall.Dirent{}.Reclen)])))
		if reclen < nameOff || reclen > len(buf) {
			break
		}
		rec := buf[:reclen]
		buf = buf[reclen:]
		name := rec[nameOff:]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		if s := string(name); s != "." && s != ".." {
			entries = append(entries, dirEntry{name: s, typ: rec[unsafe.Offsetof(syscall.Dirent{}.Type)]})
		}
	}
	return entries
}
