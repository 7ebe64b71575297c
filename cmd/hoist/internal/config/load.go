package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/hoist-dev/hoist/yamlpatch"
)

// maxSize is the largest config file Parse accepts, in bytes.
const maxSize = 1 << 20

// Load reads the config file at path with [Parse], then makes every
// relative file path in it (the …File fields) relative to the directory of
// the config file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	resolveFiles(c, filepath.Dir(path))
	return c, nil
}

// Parse decodes a config file, applies the defaults and validates it. name
// labels the errors, usually the file name. The error, if any, has one
// line per problem ("file:line: key.path: message") in line order, at most
// 100 of them and then a line "... and N more".
//
// A [checker] walks the YAML nodes first, naming every problem with its
// key path and line (the library's errors have neither), and the YAML
// library decodes what passed.
func Parse(name string, data []byte) (*Config, error) {
	if len(data) > maxSize {
		return nil, fmt.Errorf("%s: %w", name, invalid("the config is larger than %d bytes", maxSize))
	}
	root, err := document(data)
	if err != nil {
		return nil, syntaxError(name, err)
	}
	if root.Kind != yaml.MappingNode {
		return nil, &fieldError{File: name, Line: root.Line, Err: invalid("expected a mapping, got %s", describe(root))}
	}
	ck := newChecker(name)
	checked := ck.value(root, "", reflect.TypeFor[Config]())
	if ck.nodes > maxNodes { // the rest would be noise
		return nil, ck.errs[len(ck.errs)-1]
	}
	for _, key := range []string{"apiVersion", "kind"} {
		if !ck.pos.has(key) {
			ck.fail(root, key, invalid("is required"))
		}
	}
	c := &Config{pos: ck.pos}
	if err := decode(checked, c); err != nil { // a library bug: what it filled is not worth validating
		ck.fail(root, "", invalid("the document could not be decoded"))
		return nil, merge(ck.errs, nil, nil)
	}
	c.setDefaults()
	if err := merge(ck.errs, ck.skip, c.problems()); err != nil {
		return nil, err
	}
	return c, nil
}

// decode fills c from the checked tree with the YAML library.
func decode(checked *yaml.Node, c *Config) (err error) {
	defer func() { // never let a library bug take the service down
		if r := recover(); r != nil {
			err = errors.New("decoding YAML: malformed document")
		}
	}()
	return checked.Decode(c)
}

// document returns the root node of the only YAML document in data.
func document(data []byte) (root *yaml.Node, err error) {
	defer func() { // never let a parser bug take the service down
		if r := recover(); r != nil {
			root, err = nil, errors.New("parsing YAML: malformed document")
		}
	}()
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the config is empty")
		}
		return nil, fmt.Errorf("parsing YAML: %w", err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, errors.New("the config must be a single YAML document")
	case !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("parsing YAML: %w", err)
	}
	if len(doc.Content) != 1 {
		return nil, errors.New("the config is empty")
	}
	return doc.Content[0], nil
}

// syntaxError gives a YAML syntax error the file:line form of fieldError.
func syntaxError(name string, err error) error {
	if line, msg := yamlpatch.ErrorLine(err); line > 0 {
		return &fieldError{File: name, Line: line, Err: invalid("%s", msg)}
	}
	return fmt.Errorf("%s: %w", name, invalid("%s", err.Error()))
}
