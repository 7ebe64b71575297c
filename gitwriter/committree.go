package gitwriter

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// The commit's tree is its parent's with the staged paths applied: new tree
// objects are written only along the changed paths and every other subtree
// keeps its hash. A one-file commit in a 10,000-file repository in 100
// directories thus encodes 3 trees, where go-git's Worktree.Commit decodes
// the index again and rebuilds all 102 from it.

// errTreeConflict is a change that makes one name both a file and a
// directory; commit then builds the tree from the whole index instead.
var errTreeConflict = errors.New("path is both a file and a directory")

// treeChange is the new state of one path: an index entry, or nil when the
// path is deleted.
type treeChange struct {
	path  string // slash-separated, relative to the tree it changes
	entry *index.Entry
}

// changesOf returns the staged state in idx of paths.
func changesOf(idx *index.Index, paths []string) []treeChange {
	out := make([]treeChange, 0, len(paths))
	for _, p := range paths {
		e, err := idx.Entry(p)
		if err != nil {
			e = nil
		}
		out = append(out, treeChange{path: p, entry: e})
	}
	return out
}

// changeGroup is what changes one name of a tree: the name itself (leaf) or
// paths under it (subs, relative to it).
type changeGroup struct {
	leaf *treeChange
	subs []treeChange
}

// groupChanges groups changes by their first path element, in order of
// first appearance.
func groupChanges(changes []treeChange) (names []string, groups map[string]*changeGroup) {
	groups = map[string]*changeGroup{}
	for i := range changes {
		c := &changes[i]
		name, rest, nested := strings.Cut(c.path, "/")
		g := groups[name]
		if g == nil {
			g = &changeGroup{}
			groups[name] = g
			names = append(names, name)
		}
		if nested {
			g.subs = append(g.subs, treeChange{path: rest, entry: c.entry})
		} else {
			g.leaf = c
		}
	}
	return names, groups
}

// treeWith returns the hash of tree base with changes applied, writing
// the trees that changed (the empty tree too, when nothing is left).
func (r *Repo) treeWith(base plumbing.Hash, changes []treeChange) (plumbing.Hash, error) {
	h, err := r.updateTree(base, changes)
	if err != nil || !h.IsZero() {
		return h, err
	}
	return r.writeTree(base, nil)
}

// updateTree returns the hash of tree base (zero: none) with changes
// applied, writing the trees that changed; zero when the result is empty.
func (r *Repo) updateTree(base plumbing.Hash, changes []treeChange) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if !base.IsZero() {
		t, err := r.repo.TreeObject(base)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("reading tree %s: %w", base, err)
		}
		entries = slices.Clone(t.Entries)
	}
	names, groups := groupChanges(changes)
	for _, name := range names {
		var err error
		if entries, err = r.applyGroup(entries, name, groups[name]); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	if len(entries) == 0 {
		return plumbing.ZeroHash, nil
	}
	slices.SortFunc(entries, func(a, b object.TreeEntry) int { return strings.Compare(sortName(a), sortName(b)) })
	return r.writeTree(base, entries)
}

// applyGroup sets or removes the entry name of entries as g says.
func (r *Repo) applyGroup(entries []object.TreeEntry, name string, g *changeGroup) ([]object.TreeEntry, error) {
	i := slices.IndexFunc(entries, func(e object.TreeEntry) bool { return e.Name == name })
	var next *object.TreeEntry // the new entry; nil: none
	var dirBase plumbing.Hash
	if i >= 0 {
		old := entries[i]
		switch {
		case old.Mode == filemode.Dir:
			dirBase = old.Hash
			if len(g.subs) == 0 {
				next = &old
			}
		case g.leaf == nil:
			next = &old // a file (or submodule) the change leaves alone
		}
	}
	if len(g.subs) > 0 {
		h, err := r.updateTree(dirBase, g.subs)
		if err != nil {
			return nil, err
		}
		if !h.IsZero() {
			if next != nil {
				return nil, fmt.Errorf("%s: %w", name, errTreeConflict)
			}
			next = &object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
		}
	}
	if g.leaf != nil && g.leaf.entry != nil {
		if next != nil && next.Mode == filemode.Dir {
			return nil, fmt.Errorf("%s: %w", name, errTreeConflict)
		}
		next = &object.TreeEntry{Name: name, Mode: g.leaf.entry.Mode, Hash: g.leaf.entry.Hash}
	}
	switch {
	case next == nil && i >= 0:
		return slices.Delete(entries, i, i+1), nil
	case next == nil:
		return entries, nil
	case i >= 0:
		entries[i] = *next
		return entries, nil
	}
	return append(entries, *next), nil
}

// sortName is the name git sorts a tree entry by: directories as if they
// ended in a slash.
func sortName(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

// writeTree stores a tree of entries (sorted) and returns its hash. base is
// the tree it replaces, known to be stored.
func (r *Repo) writeTree(base plumbing.Hash, entries []object.TreeEntry) (plumbing.Hash, error) {
	obj := r.repo.Storer.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encoding tree: %w", err)
	}
	r.treesHashed++
	h := obj.Hash()
	if h == base || r.repo.Storer.HasEncodedObject(h) == nil {
		return h, nil
	}
	if _, err := r.repo.Storer.SetEncodedObject(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing tree: %w", err)
	}
	return h, nil
}

// writeCommit stores a commit of tree on parent by the configured author,
// signed when a signer is set, and moves the branch HEAD names to it, as
// go-git's Worktree.Commit does.
func (r *Repo) writeCommit(tree, parent plumbing.Hash, msg string, sig object.Signature) (plumbing.Hash, error) {
	sig.Name, sig.Email = sanitizeSig(sig.Name), sanitizeSig(sig.Email)
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: []plumbing.Hash{parent}}
	if r.signer != nil {
		var unsigned plumbing.MemoryObject
		if err := c.EncodeWithoutSignature(&unsigned); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("encoding commit: %w", err)
		}
		rd, err := unsigned.Reader()
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("encoding commit: %w", err)
		}
		s, err := r.signer.Sign(rd)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		c.PGPSignature = string(s)
	}
	obj := r.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encoding commit: %w", err)
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing commit: %w", err)
	}
	return h, r.moveHead(h)
}

// sanitizeSig drops what go-git drops from author names and emails.
func sanitizeSig(s string) string {
	return strings.NewReplacer("<", "", ">", "", "\n", "").Replace(s)
}

// moveHead points the branch HEAD names (or HEAD itself, when detached) at h.
func (r *Repo) moveHead(h plumbing.Hash) error {
	head, err := r.repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return fmt.Errorf("reading HEAD: %w", err)
	}
	name := plumbing.HEAD
	if head.Type() != plumbing.HashReference {
		name = head.Target()
	}
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(name, h)); err != nil {
		return fmt.Errorf("updating %s: %w", name, err)
	}
	return nil
}
