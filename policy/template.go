package policy

import (
	"fmt"
	"regexp"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// substRE is a Flux post-build substitution: ${VAR}, ${VAR:=default},
// ${VAR:-default}...
var substRE = regexp.MustCompile(`\$\{[_a-zA-Z][_a-zA-Z0-9]*(?::?[-=+?][^}]*)?\}`)

// substitution returns the first scalar of the object that holds a Flux
// substitution, or nil. The extract template of filterTags is not
// searched: "${ts}" there is a group reference. Each node is visited once,
// so aliases cannot blow up the walk.
func substitution(root *yaml.Node) *yaml.Node {
	skip := field(field(field(root, "spec"), "filterTags"), "extract")
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node) *yaml.Node
	walk = func(n *yaml.Node) *yaml.Node {
		n = deref(n)
		if n == nil || n == skip || seen[n] {
			return nil
		}
		seen[n] = true
		if n.Kind == yaml.ScalarNode && substRE.MatchString(n.Value) {
			return n
		}
		for _, c := range n.Content {
			if found := walk(c); found != nil {
				return found
			}
		}
		return nil
	}
	return walk(root)
}

// template warns about an object that is a template: Flux renders it
// before it is applied, hoist cannot, so it is not loaded.
func (l *loader) template(o *object, at *yaml.Node) {
	name, _ := str(field(o.node, "metadata"), "name", "")
	l.warn(o.file, lineOf(at), "", fmt.Errorf("%s %s: not loaded: %q is a Flux substitution that a Kustomization's postBuild renders, which hoist does not",
		o.kind, name, substRE.FindString(at.Value)))
}
