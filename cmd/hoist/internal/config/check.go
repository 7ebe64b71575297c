package config

import (
	"fmt"
	"reflect"
	"strings"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// maxNodes bounds the nodes one file may expand to, aliases included, so a
// file of nested aliases cannot make decoding blow up.
const maxNodes = 50_000

// checker walks a YAML node tree against the shape of a struct type and
// reports, with key paths and lines, what the YAML library would report
// only as text or not at all: unknown keys (with a suggestion), inline
// secrets, duplicate and merge keys, and values of the wrong type. It
// returns a copy of the tree without them, aliases expanded, for the
// library to decode: bad values are left out (their fields stay zero) and
// bad list items become zero items, so the items after them keep their
// indexes.
type checker struct {
	pos   *positions
	errs  []*fieldError
	nodes int
	// skip holds the paths of the problems: validation errors below them
	// would only repeat a problem.
	skip map[string]bool
}

func newChecker(file string) *checker {
	return &checker{pos: &positions{file: file, lines: map[string]int{}}, skip: map[string]bool{}}
}

func (c *checker) fail(n *yaml.Node, path string, err error) {
	c.errs = append(c.errs, &fieldError{File: c.pos.file, Line: n.Line, Path: path, Err: err})
	c.skip[path] = true
}

// value checks n against type t and returns what the library may decode
// into a t, or nil for nothing (a null, or a problem).
func (c *checker) value(n *yaml.Node, path string, t reflect.Type) *yaml.Node {
	if n = c.resolve(n, path); n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	want, ok := yaml.MappingNode, n.Kind == yaml.MappingNode
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
	case reflect.Slice:
		want, ok = yaml.SequenceNode, n.Kind == yaml.SequenceNode
	default:
		want, ok = yaml.ScalarNode, n.Kind == yaml.ScalarNode && decodes(n, t)
	}
	switch {
	case !ok:
		c.fail(n, path, invalid("expected %s, got %s", kindName(want, t), describe(n)))
		return nil
	case want == yaml.MappingNode && t.Kind() == reflect.Map:
		return c.dict(n, path, t.Elem())
	case want == yaml.MappingNode:
		return c.mapping(n, path, t)
	case want == yaml.SequenceNode:
		return c.sequence(n, path, t.Elem())
	}
	return n
}

// decodes reports whether the library decodes scalar n into a t. Every
// scalar is a string.
func decodes(n *yaml.Node, t reflect.Type) bool {
	return t.Kind() == reflect.String || n.Decode(reflect.New(t).Interface()) == nil
}

// resolve follows aliases and counts nodes against maxNodes.
func (c *checker) resolve(n *yaml.Node, path string) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind == yaml.AliasNode || c.nodes > maxNodes {
		return nil
	}
	if c.nodes++; c.nodes > maxNodes {
		c.fail(n, path, invalid("the document expands to more than %d nodes", maxNodes))
		return nil
	}
	return n
}

// dict checks a mapping with free string keys (a Go map) whose values are
// of type elem.
func (c *checker) dict(n *yaml.Node, path string, elem reflect.Type) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content) && c.nodes <= maxNodes; i += 2 {
		k := c.resolve(n.Content[i], path)
		if k == nil {
			continue
		}
		kp := join(path, k.Value)
		switch {
		case k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge":
			c.fail(k, path, invalid("keys must be plain strings (merge keys are not supported)"))
		case seen[k.Value]:
			c.fail(k, kp, invalid("duplicate key"))
		default:
			seen[k.Value] = true
			c.pos.lines[kp] = k.Line
			if v := c.value(n.Content[i+1], kp, elem); v != nil {
				out.Content = append(out.Content, k, v)
			}
		}
	}
	return out
}

func (c *checker) mapping(n *yaml.Node, path string, t reflect.Type) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line}
	fields := fieldsOf(t)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content) && c.nodes <= maxNodes; i += 2 {
		k := c.resolve(n.Content[i], path)
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			c.fail(k, path, invalid("keys must be plain strings (merge keys are not supported)"))
			continue
		}
		kp := join(path, k.Value)
		f, known := fields[k.Value]
		switch {
		case seen[k.Value]:
			c.fail(k, kp, invalid("duplicate key"))
		case !known:
			c.fail(k, kp, unknownKey(k.Value, fields))
		default:
			c.pos.lines[kp] = k.Line
			if v := c.value(n.Content[i+1], kp, f.Type); v != nil {
				out.Content = append(out.Content, k, v)
			}
		}
		seen[k.Value] = true
	}
	return out
}

func (c *checker) sequence(n *yaml.Node, path string, t reflect.Type) *yaml.Node {
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: n.Line}
	var zero *yaml.Node // a zero item: the library would drop a null one
	for i, item := range n.Content {
		if c.nodes > maxNodes {
			break
		}
		ip := fmt.Sprintf("%s[%d]", path, i)
		c.pos.lines[ip] = item.Line
		v := c.value(item, ip, t)
		if v == nil && zero == nil {
			zero = &yaml.Node{}
			if zero.Encode(reflect.Zero(t).Interface()) != nil {
				zero = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
			}
		}
		if v == nil {
			v = zero
		}
		out.Content = append(out.Content, v)
	}
	return out
}

// fieldsOf maps the yaml keys of struct type t to its fields.
func fieldsOf(t reflect.Type) map[string]reflect.StructField {
	m := make(map[string]reflect.StructField, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag != "" && tag != "-" && f.IsExported() {
			m[tag] = f
		}
	}
	return m
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names a node's kind (never its value, which may be a secret).
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!bool":
		return "a boolean"
	case "!!int", "!!float":
		return "a number"
	case "!!str":
		return "a string"
	}
	return "a " + strings.TrimPrefix(n.ShortTag(), "!!") + " value"
}

// kindName names what a node of kind k decoded into t should be.
func kindName(k yaml.Kind, t reflect.Type) string {
	switch {
	case k == yaml.MappingNode:
		return "a mapping"
	case k == yaml.SequenceNode:
		return "a list"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	}
	return "a string"
}

// positions remembers where the keys of a parsed file are.
type positions struct {
	file  string
	lines map[string]int // key path -> 1-based line
}

// has reports whether path was written in the file.
func (p *positions) has(path string) bool {
	if p == nil {
		return false
	}
	_, ok := p.lines[path]
	return ok
}

// line returns the line of path, or of its nearest written ancestor, or 0.
func (p *positions) line(path string) int {
	for p != nil && path != "" {
		if l, ok := p.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func (p *positions) fileName() string {
	if p == nil {
		return ""
	}
	return p.file
}
