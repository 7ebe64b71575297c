package yamlpatch

import (
	"errors"
	"sync"
	"syscall"
	"time"
)

// Cache remembers, from one [Apply], [Scan] or [Load] to the next on the
// same tree, which files held no marker token, by the stat data they had
// when they were read (size, modification and change times, inode, device,
// mode), the way git's index knows unchanged files. A file whose lstat
// still matches is not opened again: on a large tree where few files are
// marked, a pass then costs a directory walk and an lstat per file rather
// than a read of every file. A file modified less than two seconds before
// it was read is not remembered (a write in the same timestamp tick could
// keep its stat data), and neither is one that could not be read. Files
// the last run did not visit are forgotten. It is safe for concurrent use;
// keep one per tree.
type Cache struct {
	mu      sync.Mutex
	files   map[string]stamp // absolute path -> stat when read, unmarked
	visited map[string]bool  // paths the run in progress looked at
}

// NewCache returns an empty Cache.
func NewCache() *Cache {
	return &Cache{files: map[string]stamp{}, visited: map[string]bool{}}
}

// WithCache keeps what runs learn of the tree's unmarked files in c.
func WithCache(c *Cache) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("nil cache")
		}
		o.cache = c
		return nil
	}
}

// stamp is what a file's stat data say of its content.
type stamp struct {
	size, mtime, ctime int64
	ino, dev           uint64
	mode               uint32
}

func stampOf(st *syscall.Stat_t) stamp {
	return stamp{size: st.Size, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(),
		ino: st.Ino, dev: st.Dev, mode: st.Mode}
}

// racyWindow is how recent a modification makes a file's stat data
// untrustworthy as a sign of its content.
const racyWindow = 2 * time.Second

// unmarked reports whether abs is known to hold no marker token: its lstat
// matches the stat it had when it was read without one.
func (c *Cache) unmarked(abs string) bool {
	var st syscall.Stat_t
	err := syscall.Lstat(abs, &st)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.visited[abs] = true
	s, ok := c.files[abs]
	return ok && err == nil && s == stampOf(&st)
}

// remember records that abs, read at readAt with stat s, held no marker
// token, unless it was modified too shortly before.
func (c *Cache) remember(abs string, s stamp, readAt time.Time) {
	if s.mtime >= readAt.Add(-racyWindow).UnixNano() || s.ctime >= readAt.Add(-racyWindow).UnixNano() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[abs] = s
}

// forget drops abs (it was read and holds a marker, or failed).
func (c *Cache) forget(abs string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.files, abs)
}

// prune forgets the files the run did not visit and starts the next run.
func (c *Cache) prune() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for p := range c.files {
		if !c.visited[p] {
			delete(c.files, p)
		}
	}
	clear(c.visited)
}
