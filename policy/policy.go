package policy

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// DigestMode says when a policy's references pin the image digest
// (name:tag@digest).
type DigestMode string

// The digest modes. The zero value means DigestNever.
const (
	// DigestNever writes name:tag only.
	DigestNever DigestMode = "Never"
	// DigestIfNotPresent pins the digest once and keeps it while the tag
	// stays the same.
	DigestIfNotPresent DigestMode = "IfNotPresent"
	// DigestAlways resolves the tag's digest on every pass.
	DigestAlways DigestMode = "Always"
)

// Sentinel errors a caller can branch on with errors.Is.
var (
	// ErrNoTags: the caller supplied no tags for the policy's image
	// (usually because scanning it failed).
	ErrNoTags = errors.New("no tags listed for image")
	// ErrNoCandidate: no tag passed the exclusions, the filter and the rule.
	ErrNoCandidate = errors.New("no candidate tag")
	// ErrGroupHeld: the policy's group cannot move, see the message for why.
	ErrGroupHeld = errors.New("group held")
	// ErrInvalid: a policy object is malformed.
	ErrInvalid = errors.New("invalid policy")
)

// Policy is one loaded image policy: which image to watch and how to choose
// its tag. Policies come from [Load] or [New]; a zero Policy selects nothing.
type Policy struct {
	// ID is "namespace:name", or "name" when there is no namespace. Markers
	// name policies by ID.
	ID string
	// Namespace and Name are the object's metadata.
	Namespace, Name string
	// Image is the repository without tag, as written in the file,
	// e.g. "ghcr.io/acme/api".
	Image string
	// Group names the policies that move together ("" for none). Group
	// names are global: policies of any namespace with the same group name
	// are one group. Flux policies join one with the hoist.dev/group
	// annotation.
	Group string
	// Suspend stops the policy's updates: its decision fails with
	// [ErrHeld] and its markers stay as they are (spec.suspend: true, or
	// the hoist.dev/suspend: "true" annotation on a Flux ImagePolicy).
	// A suspended member holds its whole group.
	Suspend bool
	// Digest says when references pin the digest.
	Digest DigestMode
	// Platform is "" (the digest of the index) or "os/arch[/variant]".
	Platform string
	// File is the slash-separated path of the file, relative to the loaded
	// root, and Line the 1-based line where the object starts.
	File string
	Line int
	// APIVersion is the apiVersion of the object the policy came from:
	// "hoist.dev/v1alpha1" (also for New) or Flux's
	// "image.toolkit.fluxcd.io/v1beta2" or ".../v1".
	APIVersion string
	// Labels are the object's metadata.labels (nil when it has none), for
	// an ImageUpdateAutomation's policySelector.
	Labels map[string]string
	// Registry is how to reach the registry, from the Flux ImageRepository
	// the policy resolves to (the zero value for hoist's own kind).
	Registry Registry
	// Kustomization is the slash path of the kustomization file whose
	// rendered output held the policy, e.g. "apps/kustomization.yaml" (""
	// when it was read from its own file). File is then that path too,
	// and Line 0: lines of rendered output point into no file.
	Kustomization string
	// Chart is the Helm chart the policy watches (spec.chart), nil for an
	// image policy. Image is then Chart.String(), and Digest Never.
	Chart *Chart
	// MinAge is the minAge gate (spec.minAge, or the hoist.dev/min-age
	// annotation): a version is a candidate only once its build time (an
	// image's, a chart's created time) is at least this old. 0 is none.
	MinAge time.Duration
	// Follow is the follow gate (spec.follow, or the hoist.dev/follow
	// annotation), nil for none.
	Follow *Follow

	suspendedBy string // what suspends it, when not its own field
	rule        rule
	exclude     []*regexp.Regexp
	filter      *regexp.Regexp
	extract     string
	group       int // the submatch extract names alone, or -1 to expand it
}

// NeedsBuildTimes reports whether [Select] needs [Tag.Created] for this
// policy, which is true for the newestBuild rule and for a minAge gate.
func (p *Policy) NeedsBuildTimes() bool {
	_, ok := p.rule.(newestBuild)
	return ok || p.MinAge > 0
}

// Rule describes the policy's rule, e.g. `semver ">=1.4.0 <2.0.0"` or
// "alphabetical asc". It is "" for a Policy not made by Load or New.
func (p *Policy) Rule() string {
	if p.rule == nil {
		return ""
	}
	return p.rule.String()
}

// Registry is what a Flux ImageRepository says about reaching its
// registry. Secret names are "namespace/name" ("name" when the
// ImageRepository has no namespace): the caller maps them to credentials,
// since hoist does not read Kubernetes secrets.
type Registry struct {
	// Repository is the ID of the ImageRepository ("namespace:name").
	Repository string
	// Insecure is spec.insecure: plain HTTP, or TLS without verification.
	Insecure bool
	// SecretRef is spec.secretRef.name (a docker-registry secret), and
	// CertSecretRef spec.certSecretRef.name (a CA and client certificate).
	SecretRef, CertSecretRef string
	// Provider is spec.provider: "generic" (also when absent), "aws",
	// "azure" or "gcp".
	Provider string
}

// Severity sorts problems into those that lost something and those that
// did not.
type Severity int

const (
	// SeverityError is a problem after which something that should have
	// been updated was not: an object that could not be loaded, so markers
	// naming it stay as they are. It is the zero value.
	SeverityError Severity = iota
	// SeverityWarning is a problem that lost nothing: the object loaded
	// (for example from a deprecated apiVersion), or the file was not
	// meant to be loaded as it stands.
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Problem is a policy object that could not be loaded (an error), or one
// that loaded but deserves the user's attention (a warning).
type Problem struct {
	// File is slash-separated and relative to the loaded root; Line is
	// 1-based (0 when unknown).
	File string
	Line int
	// Policy is the ID of the object, when known.
	Policy string
	Err    error
	// Severity says whether something was lost; the zero value is an
	// error.
	Severity Severity
}

// Error returns "file:line: message", or "file: message" when the problem is
// with the whole file (Line 0). The message of a warning starts with
// "warning: ".
func (p Problem) Error() string {
	msg := "<nil>"
	if p.Err != nil {
		msg = p.Err.Error()
	}
	if p.Policy != "" {
		msg = "policy " + p.Policy + ": " + msg
	}
	if p.Severity == SeverityWarning {
		msg = "warning: " + msg
	}
	if p.Line <= 0 { // a whole-file problem, as yamlpatch prints it
		return p.File + ": " + msg
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, msg)
}

// Unwrap returns Err.
func (p Problem) Unwrap() error { return p.Err }

// Note is something Load ignored on purpose, such as a Flux field that only
// makes sense in a cluster (interval, secretRef...).
type Note struct {
	File    string
	Line    int
	Message string
}

// String returns "file:line: message", or "file: message" when the line
// is unknown (an object a kustomization rendered).
func (n Note) String() string {
	if n.Line <= 0 {
		return n.File + ": " + n.Message
	}
	return fmt.Sprintf("%s:%d: %s", n.File, n.Line, n.Message)
}

// Set is what Load found: the policies and automations that loaded, in
// file order, the problems (errors and warnings) and the notes.
type Set struct {
	Policies    []*Policy
	Automations []*Automation
	Problems    []Problem
	Notes       []Note
}

// Errors returns the problems of SeverityError.
func (s *Set) Errors() []Problem { return s.bySeverity(SeverityError) }

// Warnings returns the problems of SeverityWarning.
func (s *Set) Warnings() []Problem { return s.bySeverity(SeverityWarning) }

func (s *Set) bySeverity(sev Severity) []Problem {
	var out []Problem
	for _, p := range s.Problems {
		if p.Severity == sev {
			out = append(out, p)
		}
	}
	return out
}

// Lookup returns the policy with the given ID, or nil.
func (s *Set) Lookup(id string) *Policy {
	for _, p := range s.Policies {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// id joins namespace and name the way markers name policies.
func id(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + ":" + name
}
