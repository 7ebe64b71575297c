package yamlpatch

import (
	"fmt"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// loaded is a read and parsed file holding the marker token.
type loaded struct {
	src    []byte
	meta   fileMeta
	starts []int // line starts of src, computed when first needed
	*parsed
	// dropped is set when the documents were let go after the markers
	// were read (a Tree holding many files); a full verification parses
	// src again.
	dropped bool
}

func (o *options) applyFile(rel, abs string, refs map[string]Ref) fileResult {
	var fr fileResult
	l, err := o.load(rel, abs, &fr)
	if err != nil {
		return fileResult{problems: []Problem{{File: rel, Reason: err.Error()}}}
	}
	if l != nil {
		o.rewrite(rel, abs, l, refs, &fr)
	}
	return fr
}

// rewrite patches a loaded file and, unless dry-run, writes it, recording
// what it did in fr.
func (o *options) rewrite(rel, abs string, l *loaded, refs map[string]Ref, fr *fileResult) {
	out := o.patchFile(rel, l, refs, fr)
	if out == nil || o.dryRun {
		return
	}
	w := writeOpts{sync: o.sync, inPlace: o.inPlace, euid: o.euid, egid: o.egid}
	if err := o.write(abs, out, l.meta, w); err != nil {
		p := Problem{File: rel, Reason: fmt.Sprintf("changes not written: %v", err)}
		fr.problems = append(fr.problems, p)
		fr.changes, fr.diff, fr.writeErr = nil, "", &p
	}
}

// patchFile computes the patched bytes of a loaded file, recording changes,
// problems and the diff in fr. It returns nil when nothing is to be written.
func (o *options) patchFile(rel string, l *loaded, refs map[string]Ref, fr *fileResult) []byte {
	edits, changes := o.plan(rel, l, refs, fr)
	if len(edits) == 0 {
		return nil
	}
	out, err := o.patch(rel, l, edits)
	if err != nil {
		fr.problems = append(fr.problems, Problem{File: rel, Reason: fmt.Sprintf("file left unchanged: %v", err)})
		return nil
	}
	fr.changes = changes
	if !o.noDiff {
		fr.diff = unifiedDiff(rel, l.src, edits)
	}
	return out
}

// plan computes the edits and changes for the file's markers.
func (o *options) plan(rel string, l *loaded, refs map[string]Ref, fr *fileResult) ([]edit, []Change) {
	var edits []edit
	var changes []Change
	for _, s := range l.sites {
		if !o.known(rel, s, fr) {
			continue
		}
		ref, ok := refs[s.spec.policy]
		if !ok {
			continue
		}
		e, err := o.editFor(l, s, ref)
		if err != nil {
			fr.problems = append(fr.problems, Problem{File: rel, Line: s.node.Line,
				Reason: fmt.Sprintf("policy %q: %v", s.spec.policy, err)})
			continue
		}
		if e == nil {
			continue // up to date
		}
		edits = append(edits, *e)
		changes = append(changes, o.change(rel, s, e.value))
	}
	return edits, changes
}

// change describes site s set to value, with the strings many changes
// repeat interned.
func (o *options) change(rel string, s site, value string) Change {
	in := &o.strs
	return Change{File: rel, Line: s.node.Line,
		APIVersion: in.get(s.obj.apiVersion), Kind: in.get(s.obj.kind),
		Namespace: in.get(s.obj.namespace), Name: s.obj.name,
		Policy: in.get(s.spec.policy), Field: in.get(s.spec.field), Old: s.node.Value, New: value}
}

// editFor returns the edit that gives site s its value from ref, or nil
// when the value is up to date.
func (o *options) editFor(l *loaded, s site, ref Ref) (*edit, error) {
	want, err := o.targets.get(ref, s.spec.field)
	if err != nil || want == s.node.Value {
		return nil, err
	}
	if l.starts == nil {
		l.starts = lineStarts(l.src)
	}
	start, end, err := valueSpan(l.src, l.starts, s.node)
	if err != nil {
		return nil, err
	}
	return &edit{start: start, end: end, idx: s.idx, value: want, flow: s.flow, node: s.node,
		repl: render(want, s.node.Style, s.flow, &o.plain)}, nil
}

// patch applies edits to the file's bytes and verifies the result: by
// re-parsing it, unless every edit is proven safe without that.
func (o *options) patch(rel string, l *loaded, edits []edit) ([]byte, error) {
	if err := sortEdits(edits); err != nil {
		return nil, err
	}
	out := applyEdits(l.src, edits)
	if !o.fullVerify && o.quickSafe(l, edits) {
		return out, nil
	}
	before, err := o.nodes(rel, l)
	if err != nil {
		return nil, fmt.Errorf("verifying edit: %w", err)
	}
	if o.onParse != nil {
		o.onParse(rel)
	}
	if err := verify(before, out, edits); err != nil {
		return nil, fmt.Errorf("verifying edit: %w", err)
	}
	return out, nil
}

// nodes lists the file's nodes in document order for a full verification,
// parsing the file again if a [Tree] dropped its documents to save memory.
func (o *options) nodes(rel string, l *loaded) ([]*yaml.Node, error) {
	if l.dropped {
		if o.onParse != nil {
			o.onParse(rel)
		}
		docs, err := parseDocs(l.src)
		if err != nil {
			return nil, fmt.Errorf("parsing the original again: %w", err)
		}
		l.docs, l.dropped = docs, false
	}
	return l.flat(), nil
}
