package gitwriter

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Trailer keys a person may write on any commit, and hoist writes with its
// updates.
const (
	// TrailerRelease on any commit releases the holds of the policy it
	// names that were set before that commit: "Hoist-Release: apps:api".
	// Several trailers release several policies.
	TrailerRelease = "Hoist-Release"
	// TrailerRejected, in a policy's group of an update's trailers, names
	// a rejected version the update passed over, so the record carries on
	// in history: "Hoist-Rejected: 1.1.0".
	TrailerRejected = "Hoist-Rejected"
)

// HistoryCache keeps what hoist read from commits, trees and files, by
// hash, so that a pass reads only the commits that are new since the last.
// Everything in it is derived from git objects, which never change, so a
// new cache (a fresh state dir) reads the same. It is safe for concurrent
// use. Keep one per repository across passes ([WithHistoryCache]); the
// zero value is ready to use.
type HistoryCache struct {
	mu      sync.Mutex // Protects the maps below.
	commits map[plumbing.Hash]*commitInfo
	blobs   map[treePath]plumbing.Hash // zero hash: no such file
	values  map[blobPath]map[string]string
}

type treePath struct {
	tree plumbing.Hash
	path string
}

type blobPath struct {
	blob plumbing.Hash
	path string
}

// maxCacheEntries bounds each map of a HistoryCache; past it the map is
// dropped and refilled, which costs time but never changes a result.
const maxCacheEntries = 200000

// commitInfo is what holds need of one commit.
type commitInfo struct {
	hash      plumbing.Hash
	parents   []plumbing.Hash
	tree      plumbing.Hash
	who       string
	when      time.Time // author time
	committed time.Time // committer time
	revert    string    // the commit "This reverts commit <sha>." names
	entries   []Entry   // hoist's records, with their rejections
	releases  []string  // policies a Hoist-Release trailer names
}

func (c *HistoryCache) commit(h plumbing.Hash) (*commitInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ci, ok := c.commits[h]
	return ci, ok
}

func (c *HistoryCache) putCommit(ci *commitInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.commits == nil || len(c.commits) >= maxCacheEntries {
		c.commits = map[plumbing.Hash]*commitInfo{}
	}
	c.commits[ci.hash] = ci
}

func (c *HistoryCache) blob(k treePath) (plumbing.Hash, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.blobs[k]
	return h, ok
}

func (c *HistoryCache) putBlob(k treePath, h plumbing.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.blobs == nil || len(c.blobs) >= maxCacheEntries {
		c.blobs = map[treePath]plumbing.Hash{}
	}
	c.blobs[k] = h
}

func (c *HistoryCache) value(k blobPath) (map[string]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.values[k]
	return v, ok
}

func (c *HistoryCache) putValue(k blobPath, v map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.values == nil || len(c.values) >= maxCacheEntries {
		c.values = map[blobPath]map[string]string{}
	}
	c.values[k] = v
}

// revertRE finds the line `git revert` writes.
var revertRE = regexp.MustCompile(`(?m)^This reverts commit ([0-9a-f]{7,64})\b`)

// newCommitInfo parses what holds need from c.
func newCommitInfo(c *object.Commit) *commitInfo {
	ci := &commitInfo{hash: c.Hash, parents: c.ParentHashes, tree: c.TreeHash,
		who: c.Author.Name + " <" + c.Author.Email + ">", when: c.Author.When, committed: c.Committer.When}
	if m := revertRE.FindStringSubmatch(c.Message); m != nil {
		ci.revert = m[1]
	}
	ci.entries = entries(c)
	for _, kv := range ParseTrailers(c.Message) {
		if kv[0] == TrailerRelease {
			if p, ok := unescape(kv[1]); ok && p != "" {
				ci.releases = append(ci.releases, p)
			}
		}
	}
	return ci
}

// unescape reads a trailer value: plain text as it is, or a Go-quoted
// string. ok is false for a quoted value that does not unquote.
func unescape(v string) (string, bool) {
	if !strings.HasPrefix(v, `"`) {
		return v, true
	}
	s, err := strconv.Unquote(v)
	return s, err == nil
}

// releases reports whether ci releases policy.
func (ci *commitInfo) releasesPolicy(policy string) bool {
	for _, p := range ci.releases {
		if p == policy {
			return true
		}
	}
	return false
}

// record returns ci's valid record of policy: an entry naming it with a
// Hoist-To that reads back. Entries written by hand with garbage (no
// Hoist-To, a quoted value that does not unquote) are not records.
func (ci *commitInfo) record(policy string) (Entry, bool) {
	for _, e := range ci.entries {
		p, ok := unescape(e.Policy)
		if !ok || p != policy {
			continue
		}
		if to, ok := unescape(e.To); ok && to != "" {
			e.Policy, e.To = p, to
			return e, true
		}
	}
	return Entry{}, false
}
