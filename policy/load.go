package policy

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Load reads the policies under root: every .yaml and .yml file, all of its
// documents, looking for hoist.dev/v1alpha1 ImagePolicy and Flux's
// image.toolkit.fluxcd.io ImageRepository and ImagePolicy (v1alpha1 to v1)
// and ImageUpdateAutomation (v1beta1 to v1). Other documents are skipped
// without a word. Root may also be one file.
//
// Where a kustomization (kustomization.yaml, kustomization.yml or
// Kustomization) includes files, Load reads the objects as kustomize
// renders them, so its namespace, patches and other transformers apply:
// a kustomization that no other one under root uses as a base is built
// with kustomize's krusty, in process, on a read-only view of root that
// refuses absolute paths and paths leading out of root (through ".." or a
// symlink); remote bases (git, http) are never fetched: such a
// kustomization is refused with a warning. Every file a build read is
// claimed by it: resources come back in the rendered output, patches are
// not loaded as objects. The objects a kustomization rendered carry its
// path in Policy.Kustomization and Automation.Kustomization, and as their
// File, with Line 0: lines of rendered output cannot point into a source
// file. A kustomization that fails to build is one Problem naming its
// file; its files are then loaded as they stand, and its bases that no
// other build read are built on their own. Other files are loaded
// directly.
//
// An object that is wrong becomes a Problem naming its file and line, and
// the others still load. The error is only for an unreadable root or a bad
// option. Load's own walk never follows a symlink: links are skipped; a
// kustomization may follow symlinks that stay inside root. Nothing outside
// root is read. Directories named .git are skipped.
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
	l := newLoader(o, r.FS())
	files, kusts, err := l.walk(r.FS(), start)
	if err != nil {
		return nil, fmt.Errorf("loading policies from %s: %w", root, err)
	}
	if fi.IsDir() && len(kusts) > 0 {
		l.kustomize(r, kusts)
	}
	l.load(files)
	if o.cache != nil {
		l.used.sizes = sizes{walked: len(l.walked), listed: len(l.listed), claimed: len(l.claimed)}
		o.cache.keep(l.used)
	}
	return l.finish(), nil
}

// loader collects the objects of a walk and the problems met on the way.
type loader struct {
	opts    *options
	objects []*object
	set     Set
	// claimed are the files a kustomization render read (slash paths):
	// they are not loaded directly.
	claimed map[string]bool
	// rendered is the output of each kustomization file that rendered.
	rendered map[string][]byte
	// remote are the remote references already warned about, by the
	// kustomization file holding them.
	remote map[string]bool
	// walked are the paths the walk found (slash paths, with no symlink
	// on the way but perhaps at the end), and their entries; listed are
	// the directories it listed whole: a path in one that the walk did
	// not find did not exist.
	walked map[string]fs.DirEntry
	listed map[string]bool
	// used is what this Load took from or put into its Cache.
	used *used
	rd   *reader // reads the files, through the Cache
}

// newLoader is a loader of the files of fsys.
func newLoader(o *options, fsys fs.FS) *loader {
	n := o.cache.sizeHint()
	l := &loader{opts: o, claimed: make(map[string]bool, n.claimed), rendered: map[string][]byte{}, remote: map[string]bool{},
		walked: make(map[string]fs.DirEntry, n.walked), listed: make(map[string]bool, n.listed), used: newUsed()}
	l.rd = &reader{fsys: fsys, cache: o.cache, used: l.used, start: time.Now(), walked: l.walked}
	if o.cache != nil {
		o.cache.begin(l.used)
	}
	return l
}

// entry is a file the walk found.
type entry struct {
	path string
	d    fs.DirEntry
}

// walk lists the YAML files under start and, apart, the kustomization
// files. It fails only if start itself cannot be read.
func (l *loader) walk(fsys fs.FS, start string) (files []entry, kusts []string, err error) {
	err = fs.WalkDir(fsys, start, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && p == start:
			return err
		case err != nil:
			delete(l.listed, p) // its listing failed, perhaps half way
			l.problem(p, 0, "", fmt.Errorf("reading %s: %w", p, err))
			return nil
		}
		l.walked[p] = d
		switch {
		case d.IsDir() && d.Name() == ".git":
			return fs.SkipDir
		case d.IsDir():
			l.listed[p] = true
			return nil
		case !isYAML(p) && !isKustomizationPath(p):
			return nil
		case !d.Type().IsRegular():
			l.opts.log.Debug("skipping non-regular file", "file", p, "type", d.Type().String())
			return nil
		}
		if isKustomizationPath(p) {
			kusts = append(kusts, p)
		}
		files = append(files, entry{p, d})
		return nil
	})
	return files, kusts, err
}

// load reads the files in walk order: the output of a kustomization that
// rendered where its file is, and the files no render read.
func (l *loader) load(files []entry) {
	for _, e := range files {
		switch {
		case l.rendered[e.path] != nil:
			l.decodeCached(e.path, e.path, l.rendered[e.path], sha256.Sum256(l.rendered[e.path]))
		case !isYAML(e.path): // a Kustomization file that did not render
		case l.claimed[e.path]:
			l.opts.log.Debug("file read by a kustomization", "file", e.path)
		default:
			l.file(e.path, e.d)
		}
	}
}

func isYAML(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	return ext == ".yaml" || ext == ".yml"
}

// file reads and decodes one YAML file. With a Cache, a file whose stamp
// vouches for bytes decoded before is not opened.
func (l *loader) file(p string, d fs.DirEntry) {
	info, err := d.Info()
	if err == nil && info.Size() > l.opts.maxFile {
		if !l.mayHoldPolicies(p) {
			l.opts.log.Debug("large file without policy objects", "file", p, "bytes", info.Size())
			return // a data file: yamlpatch reports it if it holds markers
		}
		err = fmt.Errorf("file is larger than %s", sizeText(l.opts.maxFile))
	}
	if err == nil && l.replayFresh(p, info) {
		return
	}
	var data []byte
	if err == nil {
		data, info, err = l.rd.read(p, math.MaxInt64, false, false)
	}
	if err != nil {
		l.problem(p, 0, "", fmt.Errorf("reading policy file: %w", err))
		return
	}
	l.decodeRead(p, data, info)
}

// sizeText is "16 MiB" for whole mebibytes, else "N bytes".
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// mayHoldPolicies reports whether the first 64 KiB of a file name an API
// group whose objects Load reads; a file too large to load that does not is
// data, not policies.
func (l *loader) mayHoldPolicies(p string) bool {
	f, err := l.rd.open(p)
	if err != nil {
		return true // let the read report it
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	return bytes.Contains(head[:n], []byte("image.toolkit.fluxcd.io")) || bytes.Contains(head[:n], []byte("hoist.dev/")) ||
		bytes.Contains(head[:n], []byte(helmRepositoryKind))
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
