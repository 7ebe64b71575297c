package gitwriter

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// CloneCache keeps what gitwriter learnt of its cached clones in this
// process, so that a [Repo] opened for each pass does work in proportion to
// what changed: the commits whose trees it has read whole (so Open does not
// walk them again) and the decoded index (so a pass does not decode it
// again while the index file is the one it wrote). Nothing in it outlives
// the process, so the first Open of a clone in a process checks everything,
// as after a crash. An operation that fails forgets its clone. It is safe
// for concurrent use. Keep one per repository across passes
// ([WithCloneCache]); the zero value is ready to use.
type CloneCache struct {
	mu     sync.Mutex // Protects clones.
	clones map[string]*cloneState
}

// cloneState is what a CloneCache knows of one clone directory.
type cloneState struct {
	verified map[plumbing.Hash]bool // commits whose every tree was read
	index    *index.Index           // the decoded index file, nil when not held
	indexSum []byte                 // the checksum trailer of the file index was read from
}

// maxVerified bounds the verified commits kept per clone; past it the set
// is dropped and refilled, which costs a tree walk, never a result.
const maxVerified = 64

func (c *CloneCache) state(dir string) *cloneState {
	if c.clones == nil {
		c.clones = map[string]*cloneState{}
	}
	s := c.clones[dir]
	if s == nil {
		s = &cloneState{verified: map[plumbing.Hash]bool{}}
		c.clones[dir] = s
	}
	return s
}

// isVerified reports that h's trees were read whole in the clone at dir.
func (c *CloneCache) isVerified(dir string, h plumbing.Hash) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state(dir).verified[h]
}

func (c *CloneCache) putVerified(dir string, h plumbing.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.state(dir)
	if len(s.verified) >= maxVerified {
		s.verified = map[plumbing.Hash]bool{}
	}
	s.verified[h] = true
}

// forget drops everything known of the clone at dir.
func (c *CloneCache) forget(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.clones, dir)
}

// takeIndex hands out the decoded index of the clone at dir when it was
// read from a file with checksum sum, and forgets it: the caller may change
// it, and gives it back with putIndex once the file holds it.
func (c *CloneCache) takeIndex(dir string, sum []byte) *index.Index {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.state(dir)
	idx := s.index
	if idx == nil || !bytes.Equal(s.indexSum, sum) {
		idx = nil
	}
	s.index, s.indexSum = nil, nil
	return idx
}

func (c *CloneCache) putIndex(dir string, idx *index.Index, sum []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.state(dir)
	s.index, s.indexSum = idx, sum
}

// indexSum returns the checksum trailer of the clone's index file: the
// SHA-1 of everything before it, so equal sums mean equal contents. It is
// nil when there is no index file or it is too short to have one.
func indexSum(dir string) ([]byte, error) {
	f, err := os.Open(filepath.Join(dir, ".git", "index"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	const n = 20
	if fi.Size() < 12+n {
		return nil, nil
	}
	sum := make([]byte, n)
	if _, err := f.ReadAt(sum, fi.Size()-n); err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	return sum, nil
}

// readIndex returns the clone's index, from the CloneCache when the file
// is the one it was decoded from, and the file's checksum. The caller owns
// it; writeIndex (or putIndex, when neither changed) gives it back.
func (r *Repo) readIndex() (idx *index.Index, sum []byte, err error) {
	if sum, err = indexSum(r.dir); err != nil {
		return nil, nil, err
	}
	if sum != nil {
		if idx := r.o.cloneCache.takeIndex(r.dir, sum); idx != nil {
			return idx, sum, nil
		}
	}
	r.indexDecodes++
	if idx, err = r.repo.Storer.Index(); err != nil {
		return nil, nil, fmt.Errorf("reading index: %w", err)
	}
	return idx, sum, nil
}

// writeIndex writes idx as the clone's index and keeps it in the
// CloneCache for the next readIndex.
func (r *Repo) writeIndex(idx *index.Index) error {
	if err := r.repo.Storer.SetIndex(idx); err != nil {
		return fmt.Errorf("writing index: %w", err)
	}
	sum, err := indexSum(r.dir)
	if err != nil || sum == nil {
		return err
	}
	r.o.cloneCache.putIndex(r.dir, idx, sum)
	return nil
}

// forgetOnError makes the CloneCache forget the clone when *err is set: a
// failed operation may have met a damaged clone, which the next Open then
// checks in full.
func (r *Repo) forgetOnError(err *error) {
	if *err != nil {
		r.o.cloneCache.forget(r.dir)
	}
}
