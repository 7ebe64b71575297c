package yamlpatch

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
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
	var files []string
	var problems []Problem
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		rel := relSlash(root, path)
		switch {
		case err != nil && path == root:
			return err
		case err != nil:
			problems = append(problems, Problem{File: rel, Reason: fmt.Sprintf("reading: %v", err)})
			return nil // WalkDir skips the directory itself
		case d.Type()&fs.ModeSymlink != 0:
			log.Debug("skipping symlink", "file", rel)
		case d.IsDir() && d.Name() == ".git":
			return fs.SkipDir
		case d.Type().IsRegular() && isCandidate(d.Name()):
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("walking root: %w", err)
	}
	return files, problems, nil
}

func relSlash(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

// readFile reads a regular file without following a symlink at its path.
func readFile(path string) ([]byte, fs.FileMode, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, errors.New("not a regular file")
	}
	data, err := readAll(f, fi.Size())
	return data, fi.Mode(), err
}

// readAll reads f to EOF into a buffer sized for size bytes, so that a file
// that did not change since its stat takes one read plus the EOF read.
func readAll(f *os.File, size int64) ([]byte, error) {
	data := make([]byte, 0, size+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// writeFile replaces path atomically: a temp file in the same directory,
// with the given mode, renamed over it. The rename replaces the directory
// entry, so a symlink that appeared at path since it was read is replaced,
// never written through. With sync, the data is flushed before the rename.
func writeFile(path string, data []byte, mode fs.FileMode, w writeOpts) (err error) {
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(dir, "."+base+".hoist-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; only chmod when that is not the mode.
	if mode.Perm() != 0o600 {
		if err = tmp.Chmod(mode.Perm()); err != nil {
			return err
		}
	}
	if w.sync {
		if err = tmp.Sync(); err != nil {
			return err
		}
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeOpts are the options writeFile uses.
type writeOpts struct {
	sync bool
}
