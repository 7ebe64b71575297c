package policy

import (
	"fmt"
	"strings"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// fieldError is an error about one field of an object, with the field's line.
type fieldError struct {
	line int
	path string
	err  error
}

// Error is "path: message"; the message does not repeat ErrInvalid, which
// errors.Is still finds.
func (e *fieldError) Error() string {
	if e.path == "" {
		return e.err.Error()
	}
	return e.path + ": " + e.err.Error()
}

func (e *fieldError) Unwrap() []error { return []error{ErrInvalid, e.err} }

func fieldErr(n *yaml.Node, path, format string, args ...any) error {
	return &fieldError{line: lineOf(n), path: path, err: fmt.Errorf(format, args...)}
}

// invalidf is an ErrInvalid error whose message is only its own.
func invalidf(format string, args ...any) error {
	return &fieldError{err: fmt.Errorf(format, args...)}
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

// deref follows aliases, a bounded number of times.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is absent or an explicit null.
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// field returns the value of key in mapping n, or nil.
func field(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := deref(n.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// str returns the string at key of mapping n ("" when absent or null).
func str(n *yaml.Node, key, path string) (string, error) {
	v := field(n, key)
	if isNull(v) {
		return "", nil
	}
	if v.Kind != yaml.ScalarNode {
		return "", fieldErr(v, path+key, "must be a string")
	}
	return v.Value, nil
}

// mapping returns the mapping at key (nil when absent or null).
func mapping(n *yaml.Node, key, path string) (*yaml.Node, error) {
	v := field(n, key)
	if isNull(v) {
		return nil, nil
	}
	if v.Kind != yaml.MappingNode {
		return nil, fieldErr(v, path+key, "must be a mapping")
	}
	return v, nil
}

// strings returns the list of strings at key; present is false when the key
// is absent or null.
func stringList(n *yaml.Node, key, path string) (list []string, present bool, err error) {
	v := field(n, key)
	if isNull(v) {
		return nil, false, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, true, fieldErr(v, path+key, "must be a list of strings")
	}
	for _, e := range v.Content {
		e = deref(e)
		if e == nil || e.Kind != yaml.ScalarNode {
			return nil, true, fieldErr(v, path+key, "must be a list of strings")
		}
		list = append(list, e.Value)
	}
	return list, true, nil
}

// keys returns the keys of mapping n that are not in known.
func unknownKeys(n *yaml.Node, known ...string) (unknown []string, first *yaml.Node) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode || !contains(known, k.Value) {
			name := "?"
			if k != nil {
				name = k.Value
			}
			if first == nil {
				first = n.Content[i]
			}
			unknown = append(unknown, name)
		}
	}
	return unknown, first
}

// strict fails on keys of n outside known, naming them.
func strict(n *yaml.Node, path string, known ...string) error {
	unknown, first := unknownKeys(n, known...)
	if len(unknown) == 0 {
		return nil
	}
	return fieldErr(first, strings.TrimSuffix(path, "."), "unknown field %s (known: %s)",
		strings.Join(unknown, ", "), strings.Join(known, ", "))
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// duplicate reports an object whose identity an earlier one has.
func duplicate(what string, first *object) error {
	return invalidf("duplicate %s %s (first defined at %s)", what, first.id(), first.where())
}

// prefixed puts what in front of err's message, keeping its line.
func prefixed(what string, err error) error {
	if fe, ok := err.(*fieldError); ok {
		path := what
		if fe.path != "" {
			path += ": " + fe.path
		}
		return &fieldError{line: fe.line, path: path, err: fe.err}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// stringMap returns the mapping of strings at key (nil when absent or
// null).
func stringMap(n *yaml.Node, key, path string) (map[string]string, error) {
	m, err := mapping(n, key, path)
	if m == nil || err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), deref(m.Content[i+1])
		if k == nil || k.Kind != yaml.ScalarNode || v == nil || v.Kind != yaml.ScalarNode {
			return nil, fieldErr(orNode(k, m), path+key, "must map strings to strings")
		}
		out[k.Value] = v.Value
	}
	return out, nil
}

// boolean returns the boolean at key of mapping n (false when absent or
// null).
func boolean(n *yaml.Node, key, path string) (bool, error) {
	v := field(n, key)
	if isNull(v) {
		return false, nil
	}
	if v.Kind == yaml.ScalarNode {
		switch v.Value {
		case "true", "True", "TRUE":
			return true, nil
		case "false", "False", "FALSE":
			return false, nil
		}
	}
	return false, fieldErr(v, path+key, "must be true or false")
}

// ref returns the name at key.name of mapping n ("" when absent), checking
// it is a Kubernetes name.
func refName(n *yaml.Node, key, path string) (string, error) {
	m, err := mapping(n, key, path)
	if m == nil || err != nil {
		return "", err
	}
	name, err := str(m, "name", path+key+".")
	if err != nil {
		return "", err
	}
	if name == "" || len(name) > 253 || !subdomainRE.MatchString(name) {
		return "", fieldErr(orNode(field(m, "name"), m), path+key+".name", "%q is not a valid Kubernetes name", name)
	}
	return name, nil
}
