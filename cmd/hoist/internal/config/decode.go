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

// decoder fills a struct from a YAML node tree by its yaml tags, strictly:
// it reports unknown keys, inline secrets and mistyped values, with their
// lines, and goes on to report every one of them.
type decoder struct {
	pos   *positions
	errs  []*FieldError
	nodes int
}

func (d *decoder) fail(n *yaml.Node, path string, err error) {
	d.errs = append(d.errs, &FieldError{File: d.pos.file, Line: n.Line, Path: path, Err: err})
}

// value decodes n into v. A null node leaves v at its zero value.
func (d *decoder) value(n *yaml.Node, path string, v reflect.Value) {
	if n = d.resolve(n, path); n == nil || isNull(n) {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.mapping(n, path, v)
	case reflect.Slice:
		d.sequence(n, path, v)
	default:
		d.scalar(n, path, v)
	}
}

// resolve follows aliases and counts nodes against maxNodes.
func (d *decoder) resolve(n *yaml.Node, path string) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind == yaml.AliasNode {
		return nil
	}
	if d.nodes > maxNodes {
		return nil
	}
	if d.nodes++; d.nodes > maxNodes {
		d.fail(n, path, invalid("the document expands to more than %d nodes", maxNodes))
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func (d *decoder) mapping(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, invalid("expected a mapping, got %s", describe(n)))
		return
	}
	fields := fieldsOf(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content) && d.nodes <= maxNodes; i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k = d.resolve(k, path); k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			d.fail(k, path, invalid("keys must be plain strings (merge keys are not supported)"))
			continue
		}
		kp := join(path, k.Value)
		if seen[k.Value] {
			d.fail(k, kp, invalid("duplicate key"))
			continue
		}
		seen[k.Value] = true
		idx, ok := fields[k.Value]
		if !ok {
			d.fail(k, kp, unknownKey(k.Value, fields))
			continue
		}
		d.pos.set(kp, k.Line)
		d.value(val, kp, v.Field(idx))
	}
}

func (d *decoder) sequence(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, invalid("expected a list, got %s", describe(n)))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		if d.nodes > maxNodes {
			break
		}
		ip := fmt.Sprintf("%s[%d]", path, i)
		d.pos.set(ip, item.Line)
		d.value(item, ip, s.Index(i))
	}
	v.Set(s)
}

func (d *decoder) scalar(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, invalid("expected %s, got %s", kindName(v.Kind()), describe(n)))
		return
	}
	if v.Kind() == reflect.String {
		v.SetString(n.Value)
		return
	}
	// Decode into a fresh value so a failure leaves v untouched; the error
	// text of yaml quotes the value, so it is not passed on.
	p := reflect.New(v.Type())
	if err := n.Decode(p.Interface()); err != nil {
		d.fail(n, path, invalid("expected %s, got %s", kindName(v.Kind()), describe(n)))
		return
	}
	v.Set(p.Elem())
}

// fieldsOf maps the yaml keys of struct type t to field indexes.
func fieldsOf(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag != "" && tag != "-" && f.IsExported() {
			m[tag] = i
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

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	}
	return "a string"
}
