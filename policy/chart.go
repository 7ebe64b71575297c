package policy

import (
	"fmt"
	"strings"
	"unicode"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Chart is the Helm chart a policy watches instead of an image: its
// versions are the candidates, and its markers (on a HelmRelease's
// version:, an Argo CD Application's targetRevision:) take the ":tag"
// form, whose value is the version.
type Chart struct {
	// Repository is where the chart's versions are listed: an OCI
	// repository ("oci://ghcr.io/acme/charts") or a classic Helm
	// repository serving index.yaml ("https://charts.example.com").
	Repository string `json:"repository"`
	// Name is the chart in Repository; "" when Repository is an OCI
	// reference naming the chart itself ("oci://ghcr.io/acme/charts/api").
	Name string `json:"name,omitempty"`
	// HelmRepository is the ID of the Flux HelmRepository the policy's
	// spec.chart.helmRepositoryRef resolved to, or "".
	HelmRepository string `json:"helmRepository,omitempty"`
}

// OCI reports whether the chart lives in an OCI registry.
func (c *Chart) OCI() bool { return strings.HasPrefix(c.Repository, "oci://") }

// String names the chart and its source in one word, as [Policy.Image]
// holds it for a chart policy: "oci://ghcr.io/acme/charts/api" or
// "https://charts.example.com#api".
func (c *Chart) String() string {
	switch {
	case c.Name == "":
		return c.Repository
	case c.OCI():
		return strings.TrimSuffix(c.Repository, "/") + "/" + c.Name
	}
	return c.Repository + "#" + c.Name
}

// OCIRepository is the chart's OCI repository without "oci://" (the
// repository to list tags of), or "" for a classic chart.
func (c *Chart) OCIRepository() string {
	if !c.OCI() {
		return ""
	}
	return strings.TrimPrefix(c.String(), "oci://")
}

// parseChart reads spec.chart: a string "oci://..." or a mapping
// {repository, name} or {helmRepositoryRef: {name, namespace}, name}.
// A helmRepositoryRef comes back as ref, for the caller to resolve.
func parseChart(o *object, spec *yaml.Node) (c *Chart, ref fluxRef, err error) {
	const path = "spec.chart"
	n := field(spec, "chart")
	if isNull(n) {
		return nil, ref, nil
	}
	if n.Kind == yaml.ScalarNode {
		c = &Chart{Repository: n.Value}
		if !c.OCI() {
			return nil, ref, fieldErr(n, path, "%q: a chart given as a string must be an oci:// reference; for a classic Helm repository write {repository: https://..., name: <chart>}", n.Value)
		}
		return c, ref, checkChart(c, n, path)
	}
	if n.Kind != yaml.MappingNode {
		return nil, ref, fieldErr(n, path, "must be an oci:// reference or a mapping")
	}
	if err := strict(n, path+".", "repository", "name", "helmRepositoryRef"); err != nil {
		return nil, ref, err
	}
	c = &Chart{}
	if c.Repository, err = str(n, "repository", path+"."); err != nil {
		return nil, ref, err
	}
	if c.Name, err = str(n, "name", path+"."); err != nil {
		return nil, ref, err
	}
	if field(n, "helmRepositoryRef") != nil {
		if c.Repository != "" {
			return nil, ref, fieldErr(n, path, "give repository or helmRepositoryRef, not both")
		}
		if c.Name == "" {
			return nil, ref, fieldErr(n, path+".name", "is required with helmRepositoryRef")
		}
		ref, err = parseRepoRef(o, n, "helmRepositoryRef", path+".")
		return c, ref, err
	}
	return c, ref, checkChart(c, n, path)
}

// parseRepoRef reads a {name, namespace} reference at key of n; the
// namespace defaults to the object's.
func parseRepoRef(o *object, n *yaml.Node, key, path string) (fluxRef, error) {
	m, err := mapping(n, key, path)
	if err != nil {
		return fluxRef{}, err
	}
	if m == nil {
		return fluxRef{}, fieldErr(n, path+key, "is required")
	}
	if err := strict(m, path+key+".", "name", "namespace"); err != nil {
		return fluxRef{}, err
	}
	name, err := str(m, "name", path+key+".")
	if err != nil {
		return fluxRef{}, err
	}
	if name == "" {
		return fluxRef{}, fieldErr(m, path+key+".name", "is required")
	}
	ns, err := str(m, "namespace", path+key+".")
	if err != nil {
		return fluxRef{}, err
	}
	if ns == "" {
		ns = o.namespace
	}
	return fluxRef{id: id(ns, name), node: m}, nil
}

// checkChart accepts an oci:// repository (a valid OCI repository path)
// or an http(s) URL with a chart name.
func checkChart(c *Chart, n *yaml.Node, path string) error {
	if c.Repository == "" {
		return fieldErr(n, path+".repository", "is required")
	}
	if c.OCI() {
		repo := c.OCIRepository()
		if err := checkImage(repo, n, path); err != nil {
			return err
		}
		if strings.Contains(c.Name, "/") && strings.Trim(c.Name, "/") != c.Name {
			return fieldErr(n, path+".name", "%q must not start or end with /", c.Name)
		}
		return nil
	}
	rest, ok := strings.CutPrefix(c.Repository, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(c.Repository, "http://")
	}
	host, _, _ := strings.Cut(rest, "/")
	if !ok || host == "" || strings.ContainsFunc(c.Repository, badURLRune) || strings.ContainsAny(c.Repository, "?#") {
		return fieldErr(n, path+".repository", "%q must be an oci:// reference or an http(s) URL of a Helm repository", c.Repository)
	}
	if strings.Contains(host, "@") {
		return fieldErr(n, path+".repository", "must not hold credentials (configure them in the service config)")
	}
	if c.Name == "" {
		return fieldErr(n, path+".name", "is required for a classic Helm repository")
	}
	if strings.ContainsAny(c.Name, "/#? ") {
		return fieldErr(n, path+".name", "%q is not a chart name", c.Name)
	}
	return nil
}

// sourceGroup is the API group of Flux's source objects.
const sourceGroup = "source.toolkit.fluxcd.io"

// helmRepo is a Flux HelmRepository: where its charts are listed.
type helmRepo struct {
	obj *object
	url string // "oci://..." for spec.type oci, else the index's base URL
}

// parseHelmRepo reads a HelmRepository; ignored lists fields hoist does
// not use (interval, secretRef...).
func parseHelmRepo(o *object) (r *helmRepo, ignored []string, err error) {
	spec, err := mapping(o.node, "spec", "")
	if err != nil {
		return nil, nil, err
	}
	if spec == nil {
		return nil, nil, fieldErr(o.node, "spec", "is required")
	}
	r = &helmRepo{obj: o}
	if r.url, err = str(spec, "url", "spec."); err != nil {
		return nil, nil, err
	}
	typ, err := str(spec, "type", "spec.")
	if err != nil {
		return nil, nil, err
	}
	at := orNode(field(spec, "url"), spec)
	switch {
	case typ != "" && typ != "default" && typ != "oci":
		return nil, nil, fieldErr(field(spec, "type"), "spec.type", "must be default or oci, got %q", typ)
	case (typ == "oci") != strings.HasPrefix(r.url, "oci://"):
		return nil, nil, fieldErr(at, "spec.url", "%q: an oci:// URL goes with type: oci, and only with it", r.url)
	}
	if err := checkChart(&Chart{Repository: r.url, Name: "chart"}, at, "spec.url"); err != nil {
		return nil, nil, err
	}
	ignored, _ = unknownKeys(spec, "url", "type")
	return r, ignored, nil
}

// resolveChart points a chart's helmRepositoryRef at its HelmRepository.
func resolveChart(c *Chart, ref fluxRef, repos map[string]*helmRepo, broken map[string]*object) error {
	r, ok := repos[ref.id]
	if !ok {
		if o := broken[ref.id]; o != nil {
			return fieldErr(ref.node, "spec.chart.helmRepositoryRef", "HelmRepository %s is invalid (see %s)", ref.id, o.where())
		}
		return fieldErr(ref.node, "spec.chart.helmRepositoryRef", "HelmRepository %s not found under the loaded path", ref.id)
	}
	c.Repository, c.HelmRepository = r.url, ref.id
	return nil
}

// helmRepos reads the HelmRepositories among the objects.
func (l *loader) helmRepos() (map[string]*helmRepo, map[string]*object) {
	return readSources(l, helmRepositoryKind, parseHelmRepo, func(r *helmRepo) *object { return r.obj })
}

// readSources reads the objects of kind (Flux repositories that policies
// refer to) with parse. The first good object of an identity wins; a
// later one, and one that fails to parse, is a problem. broken holds the
// identities that only failed, so that a reference to one can say why.
func readSources[T any](l *loader, kind string, parse func(*object) (T, []string, error), objOf func(T) *object) (map[string]T, map[string]*object) {
	repos := map[string]T{}
	broken := map[string]*object{}
	for _, o := range l.objects {
		if o.kind != kind {
			continue
		}
		r, ignored, err := parse(o)
		first, seen := repos[o.id()]
		if err == nil && seen {
			err = duplicate(kind, objOf(first))
		}
		if err != nil {
			l.problem(o.file, o.line, "", prefixed(kind+" "+o.id(), err))
			if !seen {
				broken[o.id()] = o
			}
			continue
		}
		repos[o.id()] = r
		if len(ignored) > 0 {
			l.note(ignoredNote(o, ignored))
		}
	}
	return repos, broken
}

// helmRepositoryKind is the kind of Flux's Helm repository source.
const helmRepositoryKind = "HelmRepository"

// chartLabel describes a chart for explanations: "chart api from
// https://charts.example.com (HelmRepository flux-system:acme)".
func chartLabel(c *Chart) string {
	s := "chart " + c.String()
	if c.Name != "" {
		s = fmt.Sprintf("chart %s from %s", c.Name, c.Repository)
	}
	if c.HelmRepository != "" {
		s += " (HelmRepository " + c.HelmRepository + ")"
	}
	return s
}

// badURLRune is white space, a control character or a non-ASCII rune.
func badURLRune(r rune) bool {
	return r <= ' ' || r >= unicode.MaxASCII || r == '\\'
}
