package policy

import (
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// object is one document of one of our kinds, before its spec is read.
type object struct {
	file             string
	line             int
	apiVersion, kind string
	namespace, name  string
	labels           map[string]string
	node             *yaml.Node // the document's root mapping
	kustomization    string     // the kustomization that rendered it, or ""
}

// where is "file:line", or "file" when the line is unknown.
func (o *object) where() string {
	if o.line <= 0 {
		return o.file
	}
	return fmt.Sprintf("%s:%d", o.file, o.line)
}

func (o *object) id() string { return id(o.namespace, o.name) }

func (o *object) policy() *Policy {
	return &Policy{ID: o.id(), Namespace: o.namespace, Name: o.name,
		File: o.file, Line: o.line, APIVersion: o.apiVersion, Digest: DigestNever, Labels: maps.Clone(o.labels),
		Kustomization: o.kustomization}
}

// ruleNames are the rules hoist's kind knows; Flux knows all but newestBuild.
var ruleNames = []string{"semver", "alphabetical", "numerical", "newestBuild"}

// parseRule reads the mapping at spec.policy, which must name exactly one of
// the allowed rules.
func parseRule(spec *yaml.Node, allowed []string) (rule, error) {
	const path = "spec.policy"
	n, err := mapping(spec, "policy", "spec.")
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, fieldErr(spec, path, "is required: one of %s", strings.Join(allowed, ", "))
	}
	if err := strict(n, path+".", allowed...); err != nil {
		return nil, err
	}
	if len(n.Content) != 2 {
		return nil, fieldErr(n, path, "must name exactly one rule of %s", strings.Join(allowed, ", "))
	}
	body := deref(n.Content[1])
	if !isNull(body) && body.Kind != yaml.MappingNode {
		return nil, fieldErr(body, path+"."+n.Content[0].Value, "must be a mapping")
	}
	return buildRule(deref(n.Content[0]).Value, body, path+"."+n.Content[0].Value)
}

func buildRule(kind string, body *yaml.Node, path string) (rule, error) {
	switch kind {
	case "semver":
		if err := strict(body, path+".", "range"); err != nil {
			return nil, err
		}
		rng, err := str(body, "range", path+".")
		if err != nil {
			return nil, err
		}
		r, err := newSemver(rng)
		if err != nil {
			return nil, fieldErr(orNode(field(body, "range"), body), path+".range", "%v", err)
		}
		return r, nil
	case "alphabetical", "numerical":
		if err := strict(body, path+".", "order"); err != nil {
			return nil, err
		}
		s, err := str(body, "order", path+".")
		if err != nil {
			return nil, err
		}
		o, err := parseOrder(s)
		if err != nil {
			return nil, fieldErr(orNode(field(body, "order"), body), path+".order", "%v", err)
		}
		if kind == "numerical" {
			return numerical{order: o}, nil
		}
		return alphabetical{order: o}, nil
	default: // newestBuild
		if err := strict(body, path+"."); err != nil {
			return nil, err
		}
		return newestBuild{}, nil
	}
}

func orNode(n, fallback *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return fallback
}

// parseFilter reads spec.filterTags into p.
func parseFilter(spec *yaml.Node, p *Policy) error {
	const path = "spec.filterTags"
	n, err := mapping(spec, "filterTags", "spec.")
	if n == nil || err != nil {
		return err
	}
	if err := strict(n, path+".", "pattern", "extract"); err != nil {
		return err
	}
	pattern, err := str(n, "pattern", path+".")
	if err != nil {
		return err
	}
	extract, err := str(n, "extract", path+".")
	if err != nil {
		return err
	}
	if pattern == "" {
		if extract != "" {
			return fieldErr(n, path+".pattern", "is required with extract")
		}
		return nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return fieldErr(field(n, "pattern"), path+".pattern", "%v", err)
	}
	if err := checkExtract(re, extract); err != nil {
		return fieldErr(field(n, "extract"), path+".extract", "%v", err)
	}
	p.setFilter(re, extract)
	return nil
}

// compileAll compiles exclusion regexes; n is the list's node for lines.
func compileAll(patterns []string, n *yaml.Node, path string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(patterns))
	for i, s := range patterns {
		re, err := regexp.Compile(s)
		if err != nil {
			at := n
			if n != nil && i < len(n.Content) {
				at = n.Content[i]
			}
			return nil, fieldErr(at, path, "%v", err)
		}
		out = append(out, re)
	}
	return out, nil
}

// checkImage accepts a repository without tag or digest, e.g.
// "ghcr.io/acme/api" or "nginx".
func checkImage(image string, n *yaml.Node, path string) error {
	if image == "" {
		return fieldErr(n, path, "is required")
	}
	last := image[strings.LastIndex(image, "/")+1:]
	if strings.ContainsAny(last, ":@") {
		return fieldErr(n, path, "%q must be a repository without tag or digest", image)
	}
	r, err := name.NewRepository(image)
	if err != nil {
		return fieldErr(n, path, "%v", err)
	}
	for _, c := range strings.Split(r.RepositoryStr(), "/") {
		if !pathComponentRE.MatchString(c) {
			return fieldErr(n, path, "%q has an invalid path component %q (want lowercase letters and digits, separated by '.', '_', '__' or '-')", image, c)
		}
	}
	return nil
}

// pathComponentRE is one component of a repository path, as the OCI
// distribution spec defines it: no empty, "." or ".." components.
var pathComponentRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)

// checkDigest accepts the digest modes ("" is Never).
func checkDigest(s string, n *yaml.Node, path string) (DigestMode, error) {
	switch m := DigestMode(s); m {
	case "":
		return DigestNever, nil
	case DigestNever, DigestIfNotPresent, DigestAlways:
		return m, nil
	}
	return "", fieldErr(n, path, "must be Never, IfNotPresent or Always, got %q", s)
}

var platformRE = regexp.MustCompile(`^[a-z0-9_.-]+/[a-z0-9_.-]+(/[a-z0-9_.-]+)?$`)

// checkPlatform accepts "" and os/arch[/variant].
func checkPlatform(s string, n *yaml.Node, path string) error {
	if s != "" && !platformRE.MatchString(s) {
		return fieldErr(n, path, "must be os/arch or os/arch/variant, got %q", s)
	}
	return nil
}
