package yamlpatch

import (
	"fmt"
	"io/fs"
)

// loaded is a read and parsed file holding the marker token.
type loaded struct {
	src  []byte
	mode fs.FileMode
	*parsed
}

func (o *options) applyFile(rel, abs string, refs map[string]Ref) fileResult {
	var fr fileResult
	l, err := o.load(rel, abs, &fr)
	if err != nil {
		return fileResult{problems: []Problem{{File: rel, Reason: err.Error()}}}
	}
	if l == nil {
		return fr
	}
	out := o.patchFile(rel, l, refs, &fr)
	if out == nil || o.dryRun {
		return fr
	}
	if err := writeFile(abs, out, l.mode, writeOpts{sync: o.sync}); err != nil {
		fr.problems = append(fr.problems, Problem{File: rel, Reason: fmt.Sprintf("file left unchanged: writing: %v", err)})
		fr.changes, fr.diff = nil, ""
	}
	return fr
}

// patchFile computes the patched bytes of a loaded file, recording changes,
// problems and the diff in fr. It returns nil when nothing is to be written.
func (o *options) patchFile(rel string, l *loaded, refs map[string]Ref, fr *fileResult) []byte {
	edits, changes := o.plan(rel, l, refs, fr)
	if len(edits) == 0 {
		return nil
	}
	out, err := patch(l, edits)
	if err != nil {
		fr.problems = append(fr.problems, Problem{File: rel, Reason: fmt.Sprintf("file left unchanged: %v", err)})
		return nil
	}
	fr.changes = changes
	fr.diff = unifiedDiff(rel, l.src, edits)
	return out
}

// plan computes the edits and changes for the file's markers.
func (o *options) plan(rel string, l *loaded, refs map[string]Ref, fr *fileResult) ([]edit, []Change) {
	var edits []edit
	var changes []Change
	var starts []int
	for _, s := range l.sites {
		if !o.known(rel, s, fr) {
			continue
		}
		ref, ok := refs[s.spec.policy]
		if !ok {
			continue
		}
		want, err := target(ref, s.spec.field)
		if err == nil && want == s.node.Value {
			continue
		}
		if starts == nil && err == nil {
			starts = lineStarts(l.src)
		}
		var start, end int
		if err == nil {
			start, end, err = valueSpan(l.src, starts, s.node)
		}
		if err != nil {
			fr.problems = append(fr.problems, Problem{File: rel, Line: s.node.Line,
				Reason: fmt.Sprintf("policy %q: %v", s.spec.policy, err)})
			continue
		}
		edits = append(edits, edit{start: start, end: end, idx: s.idx, value: want,
			repl: render(want, s.node.Style, s.flow, &o.plain)})
		changes = append(changes, Change{File: rel, Line: s.node.Line,
			Kind: s.obj.kind, Namespace: s.obj.namespace, Name: s.obj.name,
			Policy: s.spec.policy, Field: s.spec.field, Old: s.node.Value, New: want})
	}
	return edits, changes
}

// patch applies edits to the file's bytes and verifies the result.
func patch(l *loaded, edits []edit) ([]byte, error) {
	if err := sortEdits(edits); err != nil {
		return nil, err
	}
	out := applyEdits(l.src, edits)
	if err := verify(l.flat, out, edits); err != nil {
		return nil, fmt.Errorf("verifying edit: %w", err)
	}
	return out, nil
}
