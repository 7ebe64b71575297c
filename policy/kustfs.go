package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustRoot is where the loaded root appears to kustomize: every path
// kustomize asks for must lie under it. A kustomization never sees the
// real location of the worktree, and an absolute path it names (other
// than under kustRoot) is refused.
const kustRoot = "/hoist-root"

// errOutsideRoot is a path that is absolute or resolves, through ".." or a
// symlink, outside the loaded root.
var errOutsideRoot = errors.New("path is outside the loaded root")

// errReadOnly is any write kustomize attempts.
var errReadOnly = errors.New("the loaded root is read-only")

// rootFS is kustomize's view of the loaded root: read-only, confined to
// the root (os.Root refuses escapes, and resolve refuses them first with a
// clear message), and recording the files a render reads.
type rootFS struct {
	root    *os.Root
	maxFile int64
	reads   map[string]bool // files read, slash paths relative to the root
	trace   *fsTrace        // what a build asked, when a Cache keeps it
	// known are the walk's entries (no symlink on the way, but one may be
	// at the end) and listed the directories it listed whole; lstats
	// memoizes Lstat of the other paths: a rootFS lives for one Load,
	// which sees the tree as its walk did.
	known  map[string]fs.DirEntry
	listed map[string]bool
	lstats map[string]lstatResult
	rd     *reader // reads files, through the Load's Cache
}

type lstatResult struct {
	fi  fs.FileInfo
	err error
}

// lstat is the root's Lstat as the walk found it, or memoized.
func (f *rootFS) lstat(p string) (fs.FileInfo, error) {
	if d, ok := f.known[p]; ok {
		return d.Info()
	}
	if f.missing(p) {
		return nil, &fs.PathError{Op: "lstatat", Path: p, Err: syscall.ENOENT}
	}
	if r, ok := f.lstats[p]; ok {
		return r.fi, r.err
	}
	fi, err := f.root.Lstat(p)
	f.lstats[p] = lstatResult{fi, err}
	return fi, err
}

var _ filesys.FileSystem = (*rootFS)(nil)

// newRootFS is the Load's view of r.
func (l *loader) newRootFS(r *os.Root) *rootFS {
	return &rootFS{root: r, maxFile: l.opts.maxFile, reads: map[string]bool{}, known: l.walked, listed: l.listed, lstats: map[string]lstatResult{}, rd: l.rd}
}

// abs is the path kustomize sees for rel, a slash path relative to the root.
func abs(rel string) string { return path.Join(kustRoot, rel) }

// rel turns a path kustomize gave into a cleaned slash path relative to
// the root, without resolving symlinks.
func (f *rootFS) rel(p string) (string, error) {
	p = filepath.ToSlash(p)
	if !path.IsAbs(p) {
		return "", fmt.Errorf("%s: %w", p, errOutsideRoot)
	}
	p = path.Clean(p)
	if p == kustRoot {
		return ".", nil
	}
	r, ok := strings.CutPrefix(p, kustRoot+"/")
	if !ok || strings.ContainsRune(r, 0) {
		return "", fmt.Errorf("%s: %w", p, errOutsideRoot)
	}
	return r, nil
}

// resolve returns the root-relative path p names after following every
// symlink on the way, refusing any that leads outside the root. A missing
// element ends the walk: the rest is returned as written.
func (f *rootFS) resolve(p string) (string, error) {
	rel, err := f.rel(p)
	if err != nil {
		return "", err
	}
	if d, ok := f.known[rel]; ok && d.Type()&fs.ModeSymlink == 0 {
		return rel, nil
	}
	done, todo := ".", strings.Split(rel, "/")
	for hops := 0; len(todo) > 0; {
		elem := todo[0]
		todo = todo[1:]
		if elem == "." || elem == "" {
			continue
		}
		next := path.Join(done, elem)
		if next == ".." || strings.HasPrefix(next, "../") {
			return "", fmt.Errorf("%s: %w", abs(rel), errOutsideRoot)
		}
		fi, err := f.lstat(next)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			done = next
			continue
		}
		if hops++; hops > 40 {
			return "", fmt.Errorf("%s: too many symlinks", abs(rel))
		}
		target, err := f.root.Readlink(next)
		if err != nil {
			return "", err
		}
		target = filepath.ToSlash(target)
		if path.IsAbs(target) {
			return "", fmt.Errorf("%s: symlink to an absolute path: %w", abs(next), errOutsideRoot)
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return done, nil
}

// Open opens a file for reading. A build that opens files is not cached:
// what it reads through the file is not known.
func (f *rootFS) Open(p string) (filesys.File, error) {
	if f.trace != nil {
		f.trace.opaque = true
	}
	r, err := f.resolve(p)
	if err != nil {
		return nil, err
	}
	f.rd.used.opens++
	return f.root.Open(r)
}

// ReadFile reads a file, at most the loader's maximum file size, and
// records it as read.
func (f *rootFS) ReadFile(p string) ([]byte, error) {
	r, data, fi, err := f.readFile(p)
	if err == nil {
		f.reads[r] = true
	}
	if f.trace != nil {
		f.trace.add(fsQuestion{opReadFile, p}, f.sumRead(r, data, fi, err))
	}
	return data, err
}

// readFile reads p, returning the root-relative path it resolved to and,
// for a regular file, its stat when opened.
func (f *rootFS) readFile(p string) (string, []byte, fs.FileInfo, error) {
	r, err := f.resolve(p)
	if err != nil {
		return "", nil, nil, err
	}
	// A regular file no larger than the maximum is read in one open; for
	// anything else (what the walk or resolve found missing or not a
	// regular file is not even opened), what follows says why not.
	if f.mayBeRegular(r) {
		if data, fi, err := f.rd.read(r, f.maxFile, true, true); err == nil {
			return r, data, fi, nil
		}
	}
	fi, err := f.statResolved(r)
	if err != nil {
		return "", nil, nil, err
	}
	switch {
	case fi.IsDir(): // as reading it says, with the path kustomize sees
		return "", nil, nil, &fs.PathError{Op: "read", Path: abs(r), Err: syscall.EISDIR}
	case fi.Size() > f.maxFile:
		return "", nil, nil, fmt.Errorf("%s: file is larger than %d bytes", abs(r), f.maxFile)
	}
	f.rd.used.opens++
	data, err := f.root.ReadFile(r)
	return r, data, nil, err
}

// stat stats p after resolving it.
func (f *rootFS) stat(p string) (fs.FileInfo, error) {
	r, err := f.resolve(p)
	if err != nil {
		return nil, err
	}
	return f.statResolved(r)
}

// statResolved stats r, a path resolve returned, as the walk found it
// when it did.
func (f *rootFS) statResolved(r string) (fs.FileInfo, error) {
	if d, ok := f.known[r]; ok && d.Type()&fs.ModeSymlink == 0 {
		return d.Info()
	}
	if f.missing(r) { // what the root's Stat says
		return nil, &fs.PathError{Op: "statat", Path: r, Err: syscall.ENOENT}
	}
	return f.root.Stat(r)
}

// mayBeRegular reports whether r, a path resolve returned, may be a
// regular file, as far as the walk and resolve found.
func (f *rootFS) mayBeRegular(r string) bool {
	if d, ok := f.known[r]; ok {
		return d.Type().IsRegular()
	}
	l, ok := f.lstats[r]
	return !f.missing(r) && (!ok || l.err == nil && l.fi.Mode().IsRegular())
}

// missing reports whether the walk found that p did not exist: its
// directory was listed whole without it. Only where names are compared
// byte for byte (see caseSensitive).
func (f *rootFS) missing(p string) bool {
	if !caseSensitive {
		return false
	}
	_, ok := f.known[p]
	return !ok && f.listed[path.Dir(p)]
}

// IsDir reports whether p is a directory inside the root.
func (f *rootFS) IsDir(p string) bool {
	ok := f.isDir(p)
	if f.trace != nil {
		f.trace.add(fsQuestion{opIsDir, p}, sumBool(ok))
	}
	return ok
}

func (f *rootFS) isDir(p string) bool {
	fi, err := f.stat(p)
	return err == nil && fi.IsDir()
}

// Exists reports whether p exists inside the root.
func (f *rootFS) Exists(p string) bool {
	ok := f.exists(p)
	if f.trace != nil {
		f.trace.add(fsQuestion{opExists, p}, sumBool(ok))
	}
	return ok
}

func (f *rootFS) exists(p string) bool {
	_, err := f.stat(p)
	return err == nil
}

// ReadDir lists the names in directory p.
func (f *rootFS) ReadDir(p string) ([]string, error) {
	names, err := f.readDir(p)
	if f.trace != nil {
		f.trace.add(fsQuestion{opReadDir, p}, sumStrings(err, names...))
	}
	return names, err
}

func (f *rootFS) readDir(p string) ([]string, error) {
	r, err := f.resolve(p)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(f.root.FS(), r)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// CleanedAbs splits p into a confirmed directory and a file name ("" when
// p is a directory), with symlinks resolved as kustomize's disk file
// system does.
func (f *rootFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	dir, file, err := f.cleanedAbs(p)
	if f.trace != nil {
		f.trace.add(fsQuestion{opCleanedAbs, p}, sumStrings(err, string(dir), file))
	}
	return dir, file, err
}

func (f *rootFS) cleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	r, err := f.resolve(p)
	if err != nil {
		return "", "", err
	}
	fi, err := f.statResolved(r)
	if err == nil && fi.IsDir() {
		return filesys.ConfirmedDir(abs(r)), "", nil
	}
	dir, file := path.Split(r)
	if dir == "" {
		dir = "."
	}
	if fi, err := f.root.Stat(dir); err != nil || !fi.IsDir() {
		return "", "", fmt.Errorf("%s is not a file in a directory of the loaded root", abs(r))
	}
	return filesys.ConfirmedDir(abs(dir)), file, nil
}

// Glob is not supported: kustomize's build does not use it.
func (f *rootFS) Glob(pattern string) ([]string, error) {
	return nil, fmt.Errorf("glob %s: not supported", pattern)
}

// Walk is not supported: kustomize's build does not use it.
func (f *rootFS) Walk(p string, _ filepath.WalkFunc) error {
	return fmt.Errorf("walk %s: not supported", p)
}

// Create refuses: the root is read-only.
func (f *rootFS) Create(p string) (filesys.File, error) { return nil, errReadOnly }

// Mkdir refuses: the root is read-only.
func (f *rootFS) Mkdir(p string) error { return errReadOnly }

// MkdirAll refuses: the root is read-only.
func (f *rootFS) MkdirAll(p string) error { return errReadOnly }

// RemoveAll refuses: the root is read-only.
func (f *rootFS) RemoveAll(p string) error { return errReadOnly }

// WriteFile refuses: the root is read-only.
func (f *rootFS) WriteFile(p string, _ []byte) error { return errReadOnly }
