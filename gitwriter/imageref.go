package gitwriter

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// ImageRef is an image reference a pass set, as Flux's update.ImageRef of
// API v1beta1: it prints as the reference the policy chose and has Flux's
// methods. Every string it returns is escaped as the rest of [MessageData].
type ImageRef struct {
	ref, identifier, repository, registry, name string
	policy                                      NamespacedName
}

// newImageRef describes image (unescaped) set by policy ("ns:name" or
// "name", unescaped). A reference Flux could not parse keeps its text, its
// tag as identifier and its text without tag or digest as repository.
func newImageRef(image, policy string) ImageRef {
	r := ImageRef{ref: image, identifier: tagOf(image), policy: policyName(policy)}
	if parsed, err := name.ParseReference(image, name.WeakValidation); err == nil {
		r.identifier = parsed.Identifier()
		r.repository = parsed.Context().RepositoryStr()
		r.registry = parsed.Context().Registry.String()
		r.name = parsed.Name()
	} else {
		r.repository, r.name = repositoryOf(image), image
	}
	for _, f := range []*string{&r.ref, &r.identifier, &r.repository, &r.registry, &r.name} {
		*f = escapeValue(*f)
	}
	return r
}

// repositoryOf returns ref without its digest and tag.
func repositoryOf(ref string) string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref = ref[:i]
	}
	return ref
}

// policyName splits "ns:name" into an escaped namespace and name.
func policyName(policy string) NamespacedName {
	ns, n, ok := strings.Cut(policy, ":")
	if !ok {
		ns, n = "", policy
	}
	return NamespacedName{Namespace: escapeValue(ns), Name: escapeValue(n)}
}

// String returns the reference as the policy chose it, for example
// "ghcr.io/acme/api:1.4.3".
func (r ImageRef) String() string { return r.ref }

// Identifier returns the tag, or the digest of a reference pinned by
// digest, for example "1.4.3".
func (r ImageRef) Identifier() string { return r.identifier }

// Repository returns the repository path with Docker Hub's implied
// "library/", for example "acme/api" or "library/nginx".
func (r ImageRef) Repository() string { return r.repository }

// Registry returns the registry, for example "ghcr.io" or "index.docker.io".
func (r ImageRef) Registry() string { return r.registry }

// Name returns the fully qualified reference, for example
// "index.docker.io/library/nginx:1.25".
func (r ImageRef) Name() string { return r.name }

// Policy returns the namespace and name of the policy that chose the
// reference.
func (r ImageRef) Policy() NamespacedName { return r.policy }
