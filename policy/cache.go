package policy

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
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
	// seen are the hashes of the files read, by root-relative slash
	// path, with the stamps that vouch for them.
	seen  map[string]*seenFile
	gen   uint64 // Loads begun: a seenFile keeps the last that used it
	sizes sizes  // of the last Load's maps, to make the next one's
	stats cacheStats
}

// NewCache returns an empty Cache.
func NewCache() *Cache {
	return &Cache{files: map[fileKey]*decoded{}, builds: map[string]*buildResult{}, kusts: map[string]*parsedKust{}, seen: map[string]*seenFile{}}
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

// sizes are the sizes of a Load's largest maps.
type sizes struct{ walked, listed, claimed int }

// sizeHint is the last Load's sizes.
func (c *Cache) sizeHint() sizes {
	if c == nil {
		return sizes{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sizes
}

// cacheStats count the work a Cache did not save, for tests.
type cacheStats struct {
	decodes int // files decoded
	builds  int // kustomizations built
	parses  int // kustomization files parsed
	opens   int // files opened (directories not counted)
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
	gen    uint64 // this Load's number, for seenFile.gen
	sizes  sizes  // of its maps
	opens  int    // files opened
	// answers memoizes the file system's answers while checking builds:
	// bases shared by many kustomizations are read once a Load.
	answers map[fsQuestion]fsResult
}

func newUsed() *used {
	return &used{files: map[fileKey]bool{}, builds: map[string]bool{}, kusts: map[string]bool{}, answers: map[fsQuestion]fsResult{}}
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

func (c *Cache) putFile(u *used, key fileKey, d *decoded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	u.files[key] = true
	c.files[key] = d
	c.stats.decodes++
}

// seenSum returns the hash recorded for r if its stamp is st.
func (c *Cache) seenSum(u *used, r string, st fileStamp) (sum [sha256.Size]byte, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.seen[r]
	if s == nil || s.st != st {
		return sum, false
	}
	s.gen = max(s.gen, u.gen)
	return s.sum, true
}

func (c *Cache) putSeen(u *used, r string, s *seenFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.gen = u.gen
	c.seen[r] = s
}

// begin numbers a Load that uses c.
func (c *Cache) begin(u *used) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	u.gen = c.gen
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
	for k, s := range c.seen {
		if s.gen < u.gen { // a Load begun since may have used it
			delete(c.seen, k)
		}
	}
	c.stats.opens += u.opens
	c.sizes = u.sizes
}

func (c *Cache) counts() cacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// decodeCached decodes data, whose hash is sum, or replays what decoding
// the same bytes gave the last Load.
func (l *loader) decodeCached(file, kust string, data []byte, sum [sha256.Size]byte) {
	c := l.opts.cache
	if c == nil {
		l.decode(file, kust, data)
		return
	}
	key := fileKey{file, kust}
	if l.replayed(key, sum) {
		return
	}
	objs, probs := len(l.objects), len(l.set.Problems)
	l.decode(file, kust, data)
	c.putFile(l.used, key, &decoded{sum: sum, objects: slices.Clone(l.objects[objs:]), problems: slices.Clone(l.set.Problems[probs:])})
}

// replayed replays the last Load's decode of key if it decoded bytes
// hashing to sum, and reports whether it did.
func (l *loader) replayed(key fileKey, sum [sha256.Size]byte) bool {
	d := l.opts.cache.file(key, sum)
	if d == nil {
		return false
	}
	l.used.files[key] = true
	l.objects = append(l.objects, d.objects...)
	for _, p := range d.problems {
		l.replay(p)
	}
	return true
}

// replayFresh replays the decode of file p, unopened, when the Cache
// read it before and its stamp (fi, the walk's lstat) vouches that it
// did not change since.
func (l *loader) replayFresh(p string, fi fs.FileInfo) bool {
	if l.opts.cache == nil {
		return false
	}
	sum, ok := l.rd.freshAs(p, fi, l.opts.maxFile)
	return ok && l.replayed(fileKey{p, ""}, sum)
}

// decodeRead decodes the bytes read from file p, which had the stat fi
// when opened.
func (l *loader) decodeRead(p string, data []byte, fi fs.FileInfo) {
	if l.opts.cache == nil {
		l.decode(p, "", data)
		return
	}
	sum := sha256.Sum256(data)
	l.rd.record(p, fi, sum)
	l.decodeCached(p, "", data, sum)
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
		got, ok := l.used.answers[a.q]
		if !ok && a.q.op == opReadFile {
			got, ok = probe.freshRead(a.q.path) // as cheap as memoizing it
		}
		if !ok {
			got = probe.answer(a.q)
			l.used.answers[a.q] = got
		}
		if got != a.a {
			return false
		}
	}
	return true
}

// kustText parses the kustomization file, or returns what the same bytes
// parsed to in the last Load: without opening the file when its stamp
// vouches for them.
func (l *loader) kustText(fsys *rootFS, file string) (*kustText, error) {
	c := l.opts.cache
	if c != nil {
		if r, err := fsys.resolve(abs(file)); err == nil {
			if sum, ok := l.rd.fresh(r, l.opts.maxFile); ok {
				if t := c.kust(l.used, file, sum); t != nil {
					return t, nil
				}
			}
		}
	}
	r, data, fi, err := fsys.readFile(abs(file))
	if err != nil {
		return nil, fmt.Errorf("reading kustomization: %w", err)
	}
	if c == nil {
		return parseKustomization(data), nil
	}
	sum := sha256.Sum256(data)
	if fi != nil {
		l.rd.record(r, fi, sum)
	}
	if t := c.kust(l.used, file, sum); t != nil {
		return t, nil
	}
	t := parseKustomization(data)
	c.mu.Lock()
	c.kusts[file] = &parsedKust{sum: sum, text: t}
	c.stats.parses++
	c.mu.Unlock()
	return t, nil
}

// kust returns the parse of file if its bytes hashed to sum.
func (c *Cache) kust(u *used, file string, sum [sha256.Size]byte) *kustText {
	c.mu.Lock()
	defer c.mu.Unlock()
	u.kusts[file] = true
	if t := c.kusts[file]; t != nil && t.sum == sum {
		return t.text
	}
	return nil
}
