package yamlpatch

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// isCandidate reports whether a file name is one markers are looked for in.
func isCandidate(name string) bool {
	return name == "Kustomization" || strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// listFiles returns the slash paths, relative to root, of the candidate
// regular files under root. Symlinks (files and directories) are skipped and
// .git directories are not entered. Unreadable directories are problems; an
// unusable root is an error.
func listFiles(root string, log *slog.Logger) ([]string, []Problem, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, nil, fmt.Errorf("opening root: %w", err)
	}
	if !fi.IsDir() {
		return nil, nil, fmt.Errorf("root %s is not a directory", root)
	}
	// filepath.WalkDir skips everything when root itself is named .git.
	if filepath.Base(root) == ".git" {
		return nil, nil, nil
	}
	w := &dirWalker{root: root, log: log}
	if err := w.walk(root, ""); err != nil {
		return nil, nil, fmt.Errorf("walking root: %w", err)
	}
	return w.files, w.problems, nil
}

// outsideLink reports a symlink that may hold markers (a directory, or a
// file with a candidate name) and points out of root: it is not followed,
// and saying so beats skipping it silently. A link inside root needs no
// word: its target is visited at its own path.
func outsideLink(root, path, rel, name string) (Problem, bool) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		if !isCandidate(name) {
			return Problem{}, false
		}
		return Problem{File: rel, Reason: "symlink to nothing; not followed", Warning: true}, true
	}
	if r, err := filepath.Rel(root, target); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return Problem{}, false
	}
	fi, err := os.Stat(target)
	if err != nil || (!fi.IsDir() && !isCandidate(name)) {
		return Problem{}, false
	}
	return Problem{File: rel, Reason: "symlink to outside the repository; not followed"}, true
}

// readFile reads a regular file of at most limit bytes without following
// a symlink at its path. A bigger file is not read into memory: it is
// searched for the marker token and a [*tooLargeError] returned.
//
// Files are read and written with plain system calls rather than os.File:
// os.File registers each file with the runtime poller, which costs six more
// system calls per file, and file system calls are what bound Apply on big
// trees.
func readFile(path string, limit int64) ([]byte, fileMeta, error) {
	return readFileInto(path, limit, nil)
}

// readFileInto is readFile reading into scratch when it is big enough: the
// bytes returned may then share scratch's array.
func readFileInto(path string, limit int64, scratch []byte) ([]byte, fileMeta, error) {
	fd, err := retryEINTR(func() (int, error) {
		return syscall.Open(path, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, fileMeta{}, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fileMeta{}, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, fileMeta{}, errors.New("not a regular file")
	}
	data, err := readAll(fd, min(st.Size, limit), limit, scratch)
	if errors.Is(err, errTooLarge) {
		return nil, fileMeta{}, tooLarge(fd, st.Size, limit)
	}
	if err != nil {
		return nil, fileMeta{}, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return data, fileMeta{mode: fs.FileMode(st.Mode & 0o777), uid: int(st.Uid), gid: int(st.Gid),
		links: uint64(st.Nlink), stamp: stampOf(&st)}, nil
}

// fileMeta is what a rewritten file keeps of the original.
type fileMeta struct {
	mode     fs.FileMode // permission bits
	uid, gid int
	links    uint64 // hard links; more than one rules out writing in place
	stamp    stamp  // the stat data when read
}

var errTooLarge = errors.New("file too large")

// readAll reads fd to EOF into a buffer sized for size bytes (scratch, when
// it has room), so that a file that did not change since its stat takes one
// read plus the EOF read. It returns errTooLarge once it has read more than
// limit bytes.
func readAll(fd int, size, limit int64, scratch []byte) ([]byte, error) {
	data := scratch[:0]
	if int64(cap(scratch)) < size+1 {
		data = make([]byte, 0, size+1)
	}
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := retryEINTR(func() (int, error) { return syscall.Read(fd, data[len(data):cap(data)]) })
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return data, nil
		}
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, errTooLarge
		}
	}
}

func retryEINTR(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if !errors.Is(err, syscall.EINTR) {
			return n, err
		}
	}
}

// writeFile replaces path atomically: a temp file in the same directory,
// with the original's mode (and owner, where permitted), renamed over it. The rename replaces the directory
// entry, so a symlink that appeared at path since it was read is replaced,
// never written through. With sync, the data is flushed before the rename.
func writeFile(path string, data []byte, meta fileMeta, w writeOpts) (err error) {
	if w.inPlace && meta.links == 1 {
		return writeInPlace(path, data, w.sync)
	}
	fd, tmp, err := createTemp(path)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			syscall.Close(fd)
		}
		if err != nil {
			syscall.Unlink(tmp)
		}
	}()
	if err := writeAll(fd, data); err != nil {
		return &fs.PathError{Op: "write", Path: tmp, Err: err}
	}
	// The temp file is created 0600; only chmod when that is not the mode.
	if meta.mode.Perm() != 0o600 {
		if err := syscall.Fchmod(fd, uint32(meta.mode.Perm())); err != nil {
			return &fs.PathError{Op: "chmod", Path: tmp, Err: err}
		}
	}
	// Keep the owner when it is not us; only root may, so failure is ignored.
	if meta.uid != w.euid || meta.gid != w.egid {
		_ = syscall.Fchown(fd, meta.uid, meta.gid)
	}
	if w.sync {
		if err := syscall.Fsync(fd); err != nil {
			return &fs.PathError{Op: "sync", Path: tmp, Err: err}
		}
	}
	closed = true
	if err := syscall.Close(fd); err != nil {
		return &fs.PathError{Op: "close", Path: tmp, Err: err}
	}
	if err := syscall.Rename(tmp, path); err != nil {
		return &os.LinkError{Op: "rename", Old: tmp, New: path, Err: err}
	}
	return nil
}

func writeAll(fd int, data []byte) error {
	for len(data) > 0 {
		n, err := retryEINTR(func() (int, error) { return syscall.Write(fd, data) })
		if err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// createTemp creates ".<base>.hoist-<random>" next to path, mode 0600.
func createTemp(path string) (int, string, error) {
	dir, base := filepath.Split(path)
	for range 100 {
		name := filepath.Join(dir, fmt.Sprintf(".%s.hoist-%016x", base, rand.Uint64()))
		fd, err := retryEINTR(func() (int, error) {
			return syscall.Open(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
		})
		if errors.Is(err, syscall.EEXIST) {
			continue
		}
		if err != nil {
			return -1, "", &fs.PathError{Op: "create", Path: name, Err: err}
		}
		return fd, name, nil
	}
	return -1, "", fmt.Errorf("creating a temp file next to %s: too many attempts", path)
}

// writeInPlace truncates the file at path and writes data into it: the
// inode, and so its mode and owner, stay. It never follows a symlink. A
// failure can leave the file truncated: only for trees that can be reset.
func writeInPlace(path string, data []byte, sync bool) error {
	fd, err := retryEINTR(func() (int, error) {
		return syscall.Open(path, syscall.O_WRONLY|syscall.O_TRUNC|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	if err := writeAll(fd, data); err != nil {
		syscall.Close(fd)
		return &fs.PathError{Op: "write", Path: path, Err: err}
	}
	if sync {
		if err := syscall.Fsync(fd); err != nil {
			syscall.Close(fd)
			return &fs.PathError{Op: "sync", Path: path, Err: err}
		}
	}
	if err := syscall.Close(fd); err != nil {
		return &fs.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

// writeOpts are the options writeFile uses.
type writeOpts struct {
	sync       bool
	inPlace    bool // truncate and write the file rather than rename a temp file over it
	euid, egid int  // this process's, looked up once per run
}

// absPath joins root, clean, and rel, a clean slash path under it, as
// filepath.Join does without cleaning again.
func absPath(root, rel string) string {
	if strings.HasSuffix(root, string(filepath.Separator)) {
		return root + filepath.FromSlash(rel)
	}
	return root + string(filepath.Separator) + filepath.FromSlash(rel)
}
