package policy

import (
	"fmt"
	"regexp"
	"strings"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// fluxGroup is the API group of Flux's image reflector objects.
const fluxGroup = "image.toolkit.fluxcd.io"

// fluxDefaultExclusions is ImageRepository's default exclusionList: cosign
// signature tags.
var fluxDefaultExclusions = []string{`^.*\.sig$`}

// fluxRules are the rules Flux's ImagePolicy knows.
var fluxRules = []string{"semver", "alphabetical", "numerical"}

// Annotations that give Flux policies hoist's extra fields.
const (
	GroupAnnotation    = "hoist.dev/group"
	PlatformAnnotation = "hoist.dev/platform"
	// MinAgeAnnotation is spec.minAge: "24h".
	MinAgeAnnotation = "hoist.dev/min-age"
	// FollowAnnotation is spec.follow as a YAML flow mapping:
	// '{path: clusters/staging, policy: apps:api, after: 6h}'.
	FollowAnnotation = "hoist.dev/follow"
)

// fluxRepo is a Flux ImageRepository: the image and its exclusions.
type fluxRepo struct {
	obj      *object
	image    string
	exclude  []*regexp.Regexp
	registry Registry
	suspend  bool // spec.suspend: Flux stops scanning, so its policies stay
}

// fluxProviders are the values of ImageRepository's spec.provider.
var fluxProviders = []string{"generic", "aws", "azure", "gcp"}

// parseFluxRepo reads an ImageRepository; ignored lists fields hoist does
// not use (interval, secretRef...).
func parseFluxRepo(o *object) (r *fluxRepo, ignored []string, err error) {
	spec, err := mapping(o.node, "spec", "")
	if err != nil {
		return nil, nil, err
	}
	r = &fluxRepo{obj: o}
	if r.image, err = str(spec, "image", "spec."); err != nil {
		return nil, nil, err
	}
	if err := checkImage(r.image, orNode(field(spec, "image"), orNode(spec, o.node)), "spec.image"); err != nil {
		return nil, nil, err
	}
	list, present, err := stringList(spec, "exclusionList", "spec.")
	if err != nil {
		return nil, nil, err
	}
	if !present {
		list = fluxDefaultExclusions
	}
	if r.exclude, err = compileAll(list, field(spec, "exclusionList"), "spec.exclusionList"); err != nil {
		return nil, nil, err
	}
	if r.registry, err = parseRegistry(o, spec); err != nil {
		return nil, nil, err
	}
	if r.suspend, err = boolean(spec, "suspend", "spec."); err != nil {
		return nil, nil, err
	}
	ignored, _ = unknownKeys(spec, "image", "exclusionList", "insecure", "secretRef", "certSecretRef", "provider", "suspend")
	return r, ignored, nil
}

// parseRegistry reads the registry fields of an ImageRepository's spec.
func parseRegistry(o *object, spec *yaml.Node) (Registry, error) {
	reg := Registry{Repository: o.id()}
	var err error
	if reg.Insecure, err = boolean(spec, "insecure", "spec."); err != nil {
		return reg, err
	}
	if reg.SecretRef, err = secretName(o, spec, "secretRef", "spec."); err != nil {
		return reg, err
	}
	if reg.CertSecretRef, err = secretName(o, spec, "certSecretRef", "spec."); err != nil {
		return reg, err
	}
	if reg.Provider, err = str(spec, "provider", "spec."); err != nil {
		return reg, err
	}
	if reg.Provider == "" {
		reg.Provider = "generic"
	}
	if !contains(fluxProviders, reg.Provider) {
		return reg, fieldErr(field(spec, "provider"), "spec.provider", "must be one of %s, got %q", strings.Join(fluxProviders, ", "), reg.Provider)
	}
	return reg, nil
}

// secretName returns "namespace/name" of the secret at <path><key>, in the
// object's namespace, or "" when there is none.
func secretName(o *object, n *yaml.Node, key, path string) (string, error) {
	name, err := refName(n, key, path)
	if name == "" || err != nil || o.namespace == "" {
		return name, err
	}
	return o.namespace + "/" + name, nil
}

// fluxRef is an ImagePolicy's spec.imageRepositoryRef, resolved to an ID.
type fluxRef struct {
	id   string
	node *yaml.Node
}

// parseFluxPolicy reads an ImagePolicy; its image and exclusions come from
// the repository ref names, which the caller resolves.
func parseFluxPolicy(o *object) (p *Policy, ref fluxRef, ignored []string, err error) {
	spec, err := mapping(o.node, "spec", "")
	if err != nil {
		return nil, ref, nil, err
	}
	if spec == nil {
		return nil, ref, nil, fieldErr(o.node, "spec", "is required")
	}
	p = o.policy()
	if ref, err = parseRef(o, spec); err != nil {
		return nil, ref, nil, err
	}
	if err := parseFilter(spec, p); err != nil {
		return nil, ref, nil, err
	}
	if p.rule, err = parseRule(spec, fluxRules); err != nil {
		return nil, ref, nil, err
	}
	d, err := str(spec, "digestReflectionPolicy", "spec.")
	if err != nil {
		return nil, ref, nil, err
	}
	if p.Digest, err = checkDigest(d, field(spec, "digestReflectionPolicy"), "spec.digestReflectionPolicy"); err != nil {
		return nil, ref, nil, err
	}
	if err := parseAnnotations(o.node, p); err != nil {
		return nil, ref, nil, err
	}
	ignored, _ = unknownKeys(spec, "imageRepositoryRef", "filterTags", "policy", "digestReflectionPolicy")
	return p, ref, ignored, nil
}

// parseRef reads spec.imageRepositoryRef; the namespace defaults to the
// policy's.
func parseRef(o *object, spec *yaml.Node) (fluxRef, error) {
	n, err := mapping(spec, "imageRepositoryRef", "spec.")
	if err != nil {
		return fluxRef{}, err
	}
	if n == nil {
		return fluxRef{}, fieldErr(spec, "spec.imageRepositoryRef", "is required")
	}
	name, err := str(n, "name", "spec.imageRepositoryRef.")
	if err != nil {
		return fluxRef{}, err
	}
	if name == "" {
		return fluxRef{}, fieldErr(n, "spec.imageRepositoryRef.name", "is required")
	}
	ns, err := str(n, "namespace", "spec.imageRepositoryRef.")
	if err != nil {
		return fluxRef{}, err
	}
	if ns == "" {
		ns = o.namespace
	}
	return fluxRef{id: id(ns, name), node: n}, nil
}

// parseAnnotations reads hoist's annotations on a Flux policy.
func parseAnnotations(root *yaml.Node, p *Policy) error {
	ann, err := mapping(field(root, "metadata"), "annotations", "metadata.")
	if ann == nil || err != nil {
		return err
	}
	const path = "metadata.annotations."
	if p.Group, err = str(ann, GroupAnnotation, path); err != nil {
		return err
	}
	if p.Platform, err = str(ann, PlatformAnnotation, path); err != nil {
		return err
	}
	if p.Suspend, err = suspendAnnotation(ann, path); err != nil {
		return err
	}
	if err := gateAnnotations(ann, p, path); err != nil {
		return err
	}
	return checkPlatform(p.Platform, field(ann, PlatformAnnotation), path+PlatformAnnotation)
}

// resolve gives a Flux policy its repository's image and exclusions.
func (p *Policy) resolve(ref fluxRef, repos map[string]*fluxRepo, broken map[string]*object) error {
	r, ok := repos[ref.id]
	if !ok {
		if o := broken[ref.id]; o != nil {
			return fieldErr(ref.node, "spec.imageRepositoryRef", "ImageRepository %s is invalid (see %s)", ref.id, o.where())
		}
		return fieldErr(ref.node, "spec.imageRepositoryRef", "ImageRepository %s not found under the loaded path", ref.id)
	}
	p.Image, p.exclude, p.Registry = r.image, r.exclude, r.registry
	if r.suspend && !p.Suspend {
		p.Suspend, p.suspendedBy = true, "ImageRepository "+r.obj.id()+" has spec.suspend: true"
	}
	return nil
}

// ignoredNote says which fields of a Flux object hoist does not use.
func ignoredNote(o *object, ignored []string) Note {
	return Note{File: o.file, Line: o.line, Message: fmt.Sprintf(
		"%s %s: ignoring fields hoist does not use (cluster-only): spec.%s",
		o.kind, o.id(), strings.Join(ignored, ", spec."))}
}
