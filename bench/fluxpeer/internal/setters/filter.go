package setters

import (
	"fmt"

	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/kustomize/kyaml/fieldmeta"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// setFilter sets every field whose comment references a setter of schema
// to the setter's value, and records the values it changes.
type setFilter struct {
	schema  *spec.Schema
	changes []Change
}

var _ kio.Filter = (*setFilter)(nil)

// Filter implements kio.Filter.
func (f *setFilter) Filter(nodes []*yaml.RNode) ([]*yaml.RNode, error) {
	for _, n := range nodes {
		file, _, err := kioutil.GetFileAnnotations(n)
		if err != nil {
			return nil, fmt.Errorf("reading the path annotation: %w", err)
		}
		if err := f.visit(file, n.YNode()); err != nil {
			return nil, fmt.Errorf("setting %s: %w", file, err)
		}
	}
	return nodes, nil
}

// visit walks n and sets each scalar below it.
func (f *setFilter) visit(file string, n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return f.set(file, n)
	}
	for _, c := range n.Content {
		if err := f.visit(file, c); err != nil {
			return err
		}
	}
	return nil
}

// set reads the field metadata of n's comments and, if they reference a
// setter, sets n's value to the setter's.
func (f *setFilter) set(file string, n *yaml.Node) error {
	fm := fieldmeta.FieldMeta{SettersSchema: f.schema}
	if err := fm.Read(yaml.NewRNode(n)); err != nil {
		return fmt.Errorf("reading the comment of line %d: %w", n.Line, err)
	}
	if fm.Schema.Ref.String() == "" {
		return nil
	}
	def, err := openapi.Resolve(&fm.Schema.Ref, f.schema)
	if err != nil || def == nil {
		return nil // a reference to no known setter, like an unknown policy
	}
	var ext setterExt
	if err := def.Extensions.GetObject(cliExtension, &ext); err != nil {
		return fmt.Errorf("reading setter %s: %w", fm.Schema.Ref.String(), err)
	}
	if ext.Setter.Name == "" || n.Value == ext.Setter.Value {
		return nil
	}
	f.changes = append(f.changes, Change{File: file, Line: n.Line, Setter: ext.Setter.Name, Old: n.Value, New: ext.Setter.Value})
	n.Value = ext.Setter.Value
	return nil
}
