package yamlpatch

import (
	"fmt"
	"slices"
	"strings"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// edit replaces src[start:end] with repl; it sets flat node idx to value.
type edit struct {
	start, end int
	repl       string
	idx        int
	value      string
	flow       bool       // the scalar is inside a flow collection
	node       *yaml.Node // the scalar
}

// applyEdits returns src with the edits (sorted, non-overlapping) applied.
func applyEdits(src []byte, edits []edit) []byte {
	n := len(src)
	for _, e := range edits {
		n += len(e.repl) - (e.end - e.start)
	}
	out := make([]byte, 0, n)
	last := 0
	for _, e := range edits {
		out = append(out, src[last:e.start]...)
		out = append(out, e.repl...)
		last = e.end
	}
	return append(out, src[last:]...)
}

func sortEdits(edits []edit) error {
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	for i := 1; i < len(edits); i++ {
		if edits[i].start < edits[i-1].end {
			return fmt.Errorf("overlapping edits at bytes %d and %d", edits[i-1].start, edits[i].start)
		}
	}
	return nil
}

// verify parses out and checks that it has the same nodes as before, that
// the edited scalars hold exactly their new values as strings, and that no
// other node changed.
func verify(before []*yaml.Node, out []byte, edits []edit) error {
	docs, err := parseDocs(out)
	if err != nil {
		return fmt.Errorf("edited file does not parse: %w", err)
	}
	after := flatten(docs, len(before))
	if len(after) != len(before) {
		return fmt.Errorf("edited file has %d nodes, want %d", len(after), len(before))
	}
	want := make(map[int]string, len(edits))
	for _, e := range edits {
		want[e.idx] = e.value
	}
	for i, a := range after {
		b := before[i]
		v, edited := want[i]
		if !edited {
			if !sameNode(a, b) {
				return fmt.Errorf("line %d: unedited node changed", b.Line)
			}
			continue
		}
		// The new value must read back as a string, or keep an
		// application's own tag: "!!int 1.2.0" keeps its value but is not
		// a valid int.
		if a.Kind != yaml.ScalarNode || a.Value != v || a.Anchor != b.Anchor ||
			(a.Tag != "!!str" && (a.Tag != b.Tag || strings.HasPrefix(a.Tag, "!!"))) {
			return fmt.Errorf("line %d: edited value reads back as %s %q, want string %q", b.Line, a.Tag, a.Value, v)
		}
	}
	return nil
}

func sameNode(a, b *yaml.Node) bool {
	return a.Kind == b.Kind && a.Tag == b.Tag && a.Value == b.Value &&
		a.Anchor == b.Anchor && a.Style == b.Style && len(a.Content) == len(b.Content)
}
