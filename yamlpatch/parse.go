package yamlpatch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// parseDocs parses every document of src. It never panics: a panic inside
// the parser is returned as an error.
func parseDocs(src []byte) (docs []*yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			docs, err = nil, fmt.Errorf("parser failed: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(blankVersionDirectives(src)))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, &n)
	}
}

// versionDirective matches a %YAML directive line; yaml.v3 only accepts
// "%YAML 1.1", so such lines are blanked (same length) before parsing. Edits
// always apply to the original bytes.
var versionDirective = regexp.MustCompile(`(?m)^%YAML[ \t]+[0-9]+\.[0-9]+[ \t]*(#[^\r\n]*)?`)

func blankVersionDirectives(src []byte) []byte {
	if !bytes.Contains(src, []byte("%YAML")) {
		return src
	}
	return versionDirective.ReplaceAllFunc(src, func(m []byte) []byte {
		return bytes.Repeat([]byte(" "), len(m))
	})
}

// object identifies the Kubernetes object enclosing a value.
type object struct{ apiVersion, kind, namespace, name string }

// site is a marked scalar that can be rewritten.
type site struct {
	node *yaml.Node
	idx  int // index of node in document order (see flatten)
	spec markerSpec
	obj  object
	flow bool // inside a flow collection
}

// walker visits nodes in document order, counting them (the count is a
// node's index in flatten's list, used to verify edits) and recording the
// marked scalars (sites) and misplaced markers (problems).
type walker struct {
	count    int
	sites    []site
	problems []Problem // File left empty
}

func (w *walker) walk(n *yaml.Node, obj object, flow, isKey bool) {
	idx := w.count
	w.count++
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		flow = flow || n.Style&yaml.FlowStyle != 0
		for _, c := range n.Content {
			w.walk(c, obj, flow, false)
		}
	case yaml.MappingNode:
		flow = flow || n.Style&yaml.FlowStyle != 0
		obj = objectOf(n, obj)
		for i := 0; i+1 < len(n.Content); i += 2 {
			w.keyMarker(n.Content[i], n.Content[i+1])
			w.walk(n.Content[i], obj, flow, true)
			w.walk(n.Content[i+1], obj, flow, false)
		}
	}
	if !isKey && n.Kind != yaml.DocumentNode {
		w.valueMarker(n, idx, obj, flow)
	}
}

func (w *walker) problem(line int, format string, args ...any) {
	w.problems = append(w.problems, Problem{Line: line, Reason: fmt.Sprintf(format, args...)})
}

// keyMarker reports a marker that yaml.v3 attached to a mapping key: it
// does so when the value is empty or starts on a later line.
func (w *walker) keyMarker(k, v *yaml.Node) {
	if !hasToken(k.LineComment) {
		return
	}
	if _, err := parseMarker(k.LineComment); err != nil {
		w.problem(k.Line, "%v", err)
		return
	}
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		w.problem(k.Line, "marker on a null value")
	case v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode:
		w.problem(k.Line, "marker on a collection")
	case v.Kind == yaml.AliasNode:
		w.problem(k.Line, "marker on an alias")
	default:
		w.problem(k.Line, "marker on a key (the value starts on a later line)")
	}
}

func (w *walker) valueMarker(n *yaml.Node, idx int, obj object, flow bool) {
	if !hasToken(n.LineComment) {
		return
	}
	spec, err := parseMarker(n.LineComment)
	if err != nil {
		w.problem(n.Line, "%v", err)
		return
	}
	switch {
	case n.Kind == yaml.AliasNode:
		w.problem(n.Line, "marker on an alias")
	case n.Kind != yaml.ScalarNode:
		w.problem(n.Line, "marker on a collection")
	case coreNonString(n):
		// A new value under a tag such as !!int or !!binary would make
		// the file invalid; only !!str keeps it a string. An application's
		// own tag (!e!img) is left to the application.
		w.problem(n.Line, "marker on a value tagged %s: remove the tag or make it !!str", n.Tag)
	case n.Tag == "!!null":
		w.problem(n.Line, "marker on a null value")
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		w.problem(n.Line, "marker on a block scalar")
	default:
		w.sites = append(w.sites, site{node: n, idx: idx, spec: spec, obj: obj, flow: flow})
	}
}

// coreNonString reports a scalar explicitly tagged with a YAML type other
// than string (!!int, !!bool, !!binary, !!null, !!map...).
func coreNonString(n *yaml.Node) bool {
	return n.Style&yaml.TaggedStyle != 0 && strings.HasPrefix(n.Tag, "!!") && n.Tag != "!!str"
}

// objectOf returns the object m describes when it has apiVersion and kind,
// else parent.
func objectOf(m *yaml.Node, parent object) object {
	var o object
	var hasAPI bool
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch k.Value {
		case "apiVersion":
			hasAPI = true
			if v.Kind == yaml.ScalarNode {
				o.apiVersion = v.Value
			}
		case "kind":
			if v.Kind == yaml.ScalarNode {
				o.kind = v.Value
			}
		case "metadata":
			o.namespace, o.name = scalarField(v, "namespace"), scalarField(v, "name")
		}
	}
	if !hasAPI || o.kind == "" {
		return parent
	}
	return o
}

func scalarField(m *yaml.Node, key string) string {
	if m.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.ScalarNode {
			return m.Content[i+1].Value
		}
	}
	return ""
}

// parsed is one parsed file.
type parsed struct {
	docs []*yaml.Node
	walker
}

func parseFile(src []byte) (*parsed, error) {
	docs, err := parseDocs(src)
	if err != nil {
		return nil, err
	}
	p := &parsed{docs: docs}
	for _, d := range docs {
		p.walk(d, object{}, false, false)
	}
	return p, nil
}

// flat lists every node in document order; it is built only for a full
// verification, since a list of every node of a big file costs memory.
func (p *parsed) flat() []*yaml.Node {
	return flatten(p.docs, p.count)
}

// flatten lists every node of docs in the order walker.walk visits them.
func flatten(docs []*yaml.Node, size int) []*yaml.Node {
	out := make([]*yaml.Node, 0, size)
	var rec func(n *yaml.Node)
	rec = func(n *yaml.Node) {
		out = append(out, n)
		for _, c := range n.Content {
			rec(c)
		}
	}
	for _, d := range docs {
		rec(d)
	}
	return out
}
