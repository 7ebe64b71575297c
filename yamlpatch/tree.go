package yamlpatch

import (
	"errors"
	"slices"
)

// Tree is the files under a root, each read and parsed once by [Load], for
// a caller that must read the markers before it can decide the references
// (to keep the digests they pin, say) and then apply them without parsing
// every file again.
//
// A Tree holds the text of every marked file, and for each marker its
// scalar node, until it is dropped; [Apply] holds only the files it is
// working on. A Tree is not safe for concurrent use.
type Tree struct {
	o       *options
	root    string       // resolved root
	files   []string     // candidate files, slash paths relative to root
	loaded  []*loaded    // per file; nil for one without markers or unread
	found   []fileResult // per file, what loading found; then the walk's problems
	markers []Marker     // sorted by file and line
	written bool         // Apply wrote the files: the loaded text is stale
}

// Load reads and parses the files under root, with the options of [Apply]
// (dry-run, in-place writes, known policies...), for [Tree.Markers] and
// [Tree.Apply]. The error is only for an unusable root; a file that cannot
// be read or parsed is reported by [Tree.Apply], as [Apply] reports it.
func Load(root string, opts ...Option) (*Tree, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	root, files, problems, err := o.list(root)
	if err != nil {
		return nil, err
	}
	t := &Tree{o: o, root: root, files: files, loaded: make([]*loaded, len(files)),
		found: make([]fileResult, len(files), len(files)+1)}
	o.each(len(files), t.load)
	if o.cache != nil {
		o.cache.prune()
	}
	t.found = append(t.found, fileResult{problems: problems})
	for _, fr := range t.found {
		t.markers = append(t.markers, fr.markers...)
	}
	sortMarkers(t.markers)
	return t, nil
}

// load reads and parses file i, keeping the text and the marked scalars
// but not the rest of the documents: a full verification parses again.
func (t *Tree) load(i int) {
	rel := t.files[i]
	fr := &t.found[i]
	l, err := t.o.load(rel, t.abs(i), fr)
	if err != nil {
		*fr = fileResult{problems: []Problem{{File: rel, Reason: err.Error()}}}
		return
	}
	if l == nil {
		return
	}
	for _, s := range l.sites {
		fr.markers = append(fr.markers, Marker{File: rel, Line: s.node.Line,
			APIVersion: s.obj.apiVersion, Kind: s.obj.kind, Namespace: s.obj.namespace, Name: s.obj.name,
			Policy: s.spec.policy, Field: s.spec.field, Value: s.node.Value})
	}
	l.docs, l.dropped = nil, true
	t.loaded[i] = l
}

func (t *Tree) abs(i int) string {
	return absPath(t.root, t.files[i])
}

// Markers lists every marker on a value that can be rewritten, sorted by
// file and line, as [Scan] lists them. Misplaced markers and files that do
// not parse are left to [Tree.Apply]'s problems.
func (t *Tree) Markers() []Marker {
	return slices.Clone(t.markers)
}

// ErrApplied is returned by [Tree.Apply] when the tree has already been
// applied without dry-run: its files have changed since [Load] read them.
var ErrApplied = errors.New("tree already applied: load it again")

// Apply does what [Apply] does, on the files as [Load] read them, without
// reading or parsing them again. The Result, problems included, is the one
// [Apply] with the same options would return for the files as they were
// then. Without dry-run it may be called once.
func (t *Tree) Apply(refs map[string]Ref) (Result, error) {
	if t.written {
		return Result{}, ErrApplied
	}
	results := make([]fileResult, len(t.found))
	results[len(t.files)] = t.found[len(t.files)]
	var j joiner
	t.o.each(len(t.files), func(i int) {
		fr := fileResult{problems: slices.Clone(t.found[i].problems)}
		if l := t.loaded[i]; l != nil {
			t.o.rewrite(t.files[i], t.abs(i), l, refs, &fr)
		}
		t.o.done(i, t.files[i], &fr, &j)
		results[i] = fr
	})
	t.written = !t.o.dryRun
	return t.o.result(t.files, results, &j)
}
