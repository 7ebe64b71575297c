package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Load reads the policies under root: every .yaml and .yml file, all of its
// documents, looking for hoist.dev/v1alpha1 ImagePolicy and Flux's
// image.toolkit.fluxcd.io ImageRepository and ImagePolicy (v1alpha1 to v1)
// and ImageUpdateAutomation (v1beta1 to v1). Other documents are skipped
// without a word. Root may also be one file.
//
// An object that is wrong becomes a Problem naming its file and line, and
// the others still load. The error is only for an unreadable root or a bad
// option. Load never follows a symlink: links are skipped, so nothing
// outside root is read. Directories named .git are skipped.
func Load(root string, opts ...Option) (*Set, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("loading policies: %w", err)
	}
	dir, start := root, "."
	if !fi.IsDir() {
		dir, start = filepath.Dir(root), filepath.Base(root)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("loading policies: %w", err)
	}
	defer r.Close()
	l := &loader{opts: o}
	if err := l.walk(r.FS(), start); err != nil {
		return nil, fmt.Errorf("loading policies from %s: %w", root, err)
	}
	return l.finish(), nil
}

// loader collects the objects of a walk and the problems met on the way.
type loader struct {
	opts    *options
	objects []*object
	set     Set
}

// walk reads the YAML files under start. It fails only if start itself
// cannot be read.
func (l *loader) walk(fsys fs.FS, start string) error {
	return fs.WalkDir(fsys, start, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && p == start:
			return err
		case err != nil:
			l.problem(p, 0, "", fmt.Errorf("reading %s: %w", p, err))
			return nil
		case d.IsDir() && d.Name() == ".git":
			return fs.SkipDir
		case d.IsDir() || !isYAML(p):
			return nil
		case !d.Type().IsRegular():
			l.opts.log.Debug("skipping non-regular file", "file", p, "type", d.Type().String())
			return nil
		}
		l.file(fsys, p, d)
		return nil
	})
}

func isYAML(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	return ext == ".yaml" || ext == ".yml"
}

// file reads and decodes one YAML file.
func (l *loader) file(fsys fs.FS, p string, d fs.DirEntry) {
	info, err := d.Info()
	if err == nil && info.Size() > l.opts.maxFile {
		err = fmt.Errorf("file is larger than %d bytes", l.opts.maxFile)
	}
	var data []byte
	if err == nil {
		data, err = fs.ReadFile(fsys, p)
	}
	if err != nil {
		l.problem(p, 0, "", fmt.Errorf("reading policy file: %w", err))
		return
	}
	l.decode(p, data)
}

func (l *loader) problem(file string, line int, policy string, err error) {
	var fe *fieldError
	if errors.As(err, &fe) && fe.line > 0 {
		line = fe.line
	}
	l.set.Problems = append(l.set.Problems, Problem{File: file, Line: line, Policy: policy, Err: err})
	l.opts.log.Info("skipping policy object", "file", file, "line", line, "policy", policy, "error", err)
}

// warn records a problem of SeverityWarning: nothing was lost.
func (l *loader) warn(file string, line int, policy string, err error) {
	l.set.Problems = append(l.set.Problems, Problem{File: file, Line: line, Policy: policy, Err: err, Severity: SeverityWarning})
	l.opts.log.Info("policy warning", "file", file, "line", line, "policy", policy, "warning", err)
}

func (l *loader) note(n Note) {
	l.set.Notes = append(l.set.Notes, n)
	l.opts.log.Debug("policy note", "file", n.File, "line", n.Line, "note", n.Message)
}
