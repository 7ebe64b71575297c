package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// decode splits a file into documents and keeps those of our kinds. A file
// that is not YAML is a problem only if it mentions our kinds. kust is the
// kustomization whose rendered output data is ("" for a source file).
func (l *loader) decode(file, kust string, data []byte) {
	defer func() {
		if r := recover(); r != nil { // the YAML parser is not ours: stay up
			l.problem(file, 0, "", invalidf("parsing YAML: %v", r))
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			if mentionsOurKinds(data) {
				l.problem(file, yamlErrLine(err), "", invalidf("parsing YAML: %v", err))
			}
			return
		}
		if kust != "" {
			clearLines(&doc)
		}
		l.document(file, kust, &doc)
	}
}

func mentionsOurKinds(data []byte) bool {
	return bytes.Contains(data, []byte("ImagePolicy")) || bytes.Contains(data, []byte("ImageRepository")) ||
		bytes.Contains(data, []byte(automationKind)) || bytes.Contains(data, []byte(helmRepositoryKind))
}

// clearLines sets every line of a rendered document to 0 (unknown): they
// count lines of kustomize's output, not of a file the user has.
func clearLines(n *yaml.Node) {
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		n.Line, n.Column = 0, 0
		for _, c := range n.Content {
			walk(c)
		}
		walk(n.Alias)
	}
	walk(n)
}

var lineRE = regexp.MustCompile(`line (\d+)`)

// yamlErrLine digs the line number out of a YAML error, or returns 0.
func yamlErrLine(err error) int {
	m := lineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// document keeps a document if its apiVersion and kind are ours.
func (l *loader) document(file, kust string, doc *yaml.Node) {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = deref(root.Content[0])
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return
	}
	apiVersion, _ := str(root, "apiVersion", "")
	kind, _ := str(root, "kind", "")
	ours, err := classify(apiVersion, kind)
	if !ours {
		return
	}
	o := &object{file: file, line: root.Line, apiVersion: apiVersion, kind: kind, node: root, kustomization: kust}
	if at := substitution(root); err == nil && at != nil {
		l.template(o, at)
		return
	}
	if err == nil {
		err = o.readMetadata()
	}
	if err != nil {
		l.problem(file, root.Line, o.id(), err)
		return
	}
	if v, ok := deprecatedFlux(apiVersion); ok {
		l.deprecated(o, v)
	}
	l.objects = append(l.objects, o)
}

// deprecated warns that o has an apiVersion Flux no longer serves.
func (l *loader) deprecated(o *object, v string) {
	err := fmt.Errorf("%s is deprecated and no longer served by Flux; hoist reads it as %s/v1: upgrade the apiVersion (flux migrate)", v, fluxGroup)
	if o.kind == "ImagePolicy" {
		l.warn(o.file, o.line, o.id(), err)
		return
	}
	l.warn(o.file, o.line, "", fmt.Errorf("%s %s: %w", o.kind, o.id(), err))
}

// fluxVersions are the versions of each Flux kind hoist reads; the old
// ones differ from v1 in fields hoist reads only by what they lack.
var fluxVersions = map[string][]string{
	"ImagePolicy":     {"v1alpha1", "v1alpha2", "v1beta1", "v1beta2", "v1"},
	"ImageRepository": {"v1alpha1", "v1alpha2", "v1beta1", "v1beta2", "v1"},
	automationKind:    {"v1beta1", "v1beta2", "v1"},
}

// deprecatedFlux says whether apiVersion is a Flux version that Flux no
// longer serves, returning it.
func deprecatedFlux(apiVersion string) (string, bool) {
	group, version, _ := strings.Cut(apiVersion, "/")
	return apiVersion, group == fluxGroup && (version == "v1alpha1" || version == "v1alpha2" || version == "v1beta1")
}

// classify says whether apiVersion/kind belongs to us, and whether we
// support that version.
func classify(apiVersion, kind string) (bool, error) {
	group, version, _ := strings.Cut(apiVersion, "/")
	versions, flux := fluxVersions[kind]
	switch {
	case group == "hoist.dev" && kind == "ImagePolicy" && apiVersion == hoistAPIVersion:
		return true, nil
	case group == "hoist.dev":
		return true, invalidf("unsupported %s %s (want %s ImagePolicy)", apiVersion, kind, hoistAPIVersion)
	case group == sourceGroup && kind == helmRepositoryKind:
		if version == "v1" || version == "v1beta2" {
			return true, nil
		}
		return true, invalidf("unsupported Flux version %s of %s (hoist reads %s/v1 and v1beta2)", apiVersion, kind, sourceGroup)
	case group != fluxGroup || !flux:
		return false, nil
	case contains(versions, version):
		return true, nil
	}
	return true, invalidf("unsupported Flux version %s of %s (hoist reads %s)", apiVersion, kind, strings.Join(versions, ", "))
}

var (
	subdomainRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	labelRE     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// readMetadata reads and checks metadata.name and metadata.namespace.
func (o *object) readMetadata() error {
	md, err := mapping(o.node, "metadata", "")
	if err != nil {
		return err
	}
	if o.name, err = str(md, "name", "metadata."); err != nil {
		return err
	}
	if o.namespace, err = str(md, "namespace", "metadata."); err != nil {
		return err
	}
	if o.labels, err = stringMap(md, "labels", "metadata."); err != nil {
		return err
	}
	if o.name == "" {
		return fieldErr(orNode(md, o.node), "metadata.name", "is required")
	}
	if len(o.name) > 253 || !subdomainRE.MatchString(o.name) {
		return fieldErr(field(md, "name"), "metadata.name", "%q is not a valid Kubernetes name (lowercase DNS subdomain)", o.name)
	}
	if o.namespace != "" && (len(o.namespace) > 63 || !labelRE.MatchString(o.namespace)) {
		return fieldErr(field(md, "namespace"), "metadata.namespace", "%q is not a valid namespace (lowercase DNS label)", o.namespace)
	}
	return nil
}
