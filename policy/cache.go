package policy

import (
	"crypto/sha256"
	"errors"
	"os"
	"slices"
	"sync"
)

// Cache keeps what one Load decoded and built for the next Load of the same
// tree, so that loading a worktree where few files changed costs little
// more than reading its files. A file whose bytes did not change is not
// decoded again, and a kustomization is not built again while every file
// and directory its build looked at (including those it found missing)
// answers as before. Load with a Cache returns what Load without one
// returns for the tree as it stands.
//
// After each Load the cache keeps only what that Load used, so it holds at
// most one tree's worth. Use one Cache per worktree; a Cache is safe for
// concurrent use.
type Cache struct {
	mu     sync.Mutex              // guards the fields below
	files  map[fileKey]*decoded    // decode results by file
	builds map[string]*buildResult // kustomize builds by kustomization file
	kusts  map[string]*parsedKust  // kustomization files parsed, by file
	stats  cacheStats
}

// NewCache returns an empty Cache.
func NewCache() *Cache {
	return &Cache{files: map[fileKey]*decoded{}, builds: map[string]*buildResult{}, kusts: map[string]*parsedKust{}}
}

// WithCache makes Load reuse and update c. The default is no cache.
func WithCache(c *Cache) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("cache must not be nil")
		}
		o.cache = c
		return nil
	}
}

// cacheStats count the work a Cache did not save, for tests.
type cacheStats struct {
	decodes int // files decoded
	builds  int // kustomizations built
	parses  int // kustomization files parsed
}

// parsedKust is a kustomization file's text parsed; its paths are
// resolved again in each Load, since symlinks may have changed.
type parsedKust struct {
	sum  [sha256.Size]byte
	text *kustText
}

// fileKey names a decode: the file, and the kustomization that rendered
// the bytes ("" for a source file).
type fileKey struct{ file, kust string }

// decoded is what decoding a file's bytes gave: its objects and problems,
// in order. Objects are never changed once decoded, so Loads share them.
type decoded struct {
	sum      [sha256.Size]byte
	objects  []*object
	problems []Problem
}

// buildResult is a kustomize build and what it depended on.
type buildResult struct {
	trace []fsAnswer // every question the build asked of the file system
	reads []string   // the files it read
	out   []byte
	err   error
}

// used is what one Load took from or put into the cache: the rest is
// dropped when it finishes.
type used struct {
	files  map[fileKey]bool
	builds map[string]bool
	kusts  map[string]bool
	// answers memoizes the file system's answers while checking builds:
	// bases shared by many kustomizations are read once a Load.
	answers map[fsQuestion][sha256.Size]byte
}

func newUsed() *used {
	return &used{files: map[fileKey]bool{}, builds: map[string]bool{}, kusts: map[string]bool{}, answers: map[fsQuestion][sha256.Size]byte{}}
}

// file returns the decode of key if the bytes hashed to sum before.
func (c *Cache) file(key fileKey, sum [sha256.Size]byte) *decoded {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.files[key]; d != nil && d.sum == sum {
		return d
	}
	return nil
}

func (c *Cache) putFile(key fileKey, d *decoded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[key] = d
	c.stats.decodes++
}

func (c *Cache) build(kust string) *buildResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.builds[kust]
}

func (c *Cache) putBuild(kust string, b *buildResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.builds[kust] = b
	c.stats.builds++
}

// keep drops every entry u did not use.
func (c *Cache) keep(u *used) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.files {
		if !u.files[k] {
			delete(c.files, k)
		}
	}
	for k := range c.builds {
		if !u.builds[k] {
			delete(c.builds, k)
		}
	}
	for k := range c.kusts {
		if !u.kusts[k] {
			delete(c.kusts, k)
		}
	}
}

func (c *Cache) counts() cacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// decodeCached decodes data, or replays what decoding the same bytes gave
// the last Load.
func (l *loader) decodeCached(file, kust string, data []byte) {
	c := l.opts.cache
	if c == nil {
		l.decode(file, kust, data)
		return
	}
	key, sum := fileKey{file, kust}, sha256.Sum256(data)
	l.used.files[key] = true
	if d := c.file(key, sum); d != nil {
		l.objects = append(l.objects, d.objects...)
		for _, p := range d.problems {
			l.replay(p)
		}
		return
	}
	objs, probs := len(l.objects), len(l.set.Problems)
	l.decode(file, kust, data)
	c.putFile(key, &decoded{sum: sum, objects: slices.Clone(l.objects[objs:]), problems: slices.Clone(l.set.Problems[probs:])})
}

// replay records a problem decoding met in an earlier Load, logging it as
// problem or warn did.
func (l *loader) replay(p Problem) {
	if p.Severity == SeverityWarning {
		l.warn(p.File, p.Line, p.Policy, p.Err)
		return
	}
	l.set.Problems = append(l.set.Problems, p)
	l.opts.log.Info("skipping policy object", "file", p.File, "line", p.Line, "policy", p.Policy, "error", p.Err)
}

// buildCached builds k, or returns the last Load's build of it when the
// file system answers every question that build asked as it did then.
// probe is the Load's own view of the root, which asks the questions again.
func (l *loader) buildCached(r *os.Root, probe *rootFS, k *kustomization) (out []byte, reads []string, err error) {
	c := l.opts.cache
	if c == nil {
		b := l.newRootFS(r)
		out, err := build(b, k)
		return out, b.readList(), err
	}
	l.used.builds[k.file] = true
	if b := c.build(k.file); b != nil && l.unchanged(probe, b.trace) {
		return b.out, b.reads, b.err
	}
	b := l.newRootFS(r)
	b.trace = &fsTrace{}
	out, err = build(b, k)
	reads = b.readList()
	if !b.trace.opaque {
		c.putBuild(k.file, &buildResult{trace: b.trace.answers, reads: reads, out: out, err: err})
	}
	return out, reads, err
}

// unchanged reports whether the file system gives every answer of trace.
func (l *loader) unchanged(probe *rootFS, trace []fsAnswer) bool {
	for _, a := range trace {
		sum, ok := l.used.answers[a.q]
		if !ok {
			sum = probe.answer(a.q)
			l.used.answers[a.q] = sum
		}
		if sum != a.sum {
			return false
		}
	}
	return true
}

// parseCached parses a kustomization file, or returns what the same bytes
// parsed to in the last Load.
func (l *loader) parseCached(file string, data []byte) *kustText {
	c := l.opts.cache
	if c == nil {
		return parseKustomization(data)
	}
	sum := sha256.Sum256(data)
	l.used.kusts[file] = true
	c.mu.Lock()
	t := c.kusts[file]
	c.mu.Unlock()
	if t != nil && t.sum == sum {
		return t.text
	}
	text := parseKustomization(data)
	c.mu.Lock()
	c.kusts[file] = &parsedKust{sum: sum, text: text}
	c.stats.parses++
	c.mu.Unlock()
	return text
}
