package yamlpatch

import (
	"cmp"
	"fmt"
	"slices"
)

// Ref is the image reference a policy chose.
type Ref struct {
	Name   string // repository, e.g. "ghcr.io/acme/api"
	Tag    string // e.g. "1.4.2"
	Digest string // e.g. "sha256:…"; empty unless the policy pins digests
}

// Result is what [Apply] changed, or would change in dry-run.
type Result struct {
	Changes  []Change  // sorted by File, then Line
	Problems []Problem // sorted by File, then Line
	// Diff is a git-style unified diff (a/ and b/ paths) of every changed
	// file, in path order, filled in dry-run and real runs alike; it is
	// empty with [WithoutDiff], which builds none.
	Diff string
}

// Change is one rewritten value.
type Change struct {
	File string // slash path relative to root
	Line int    // 1-based line of the value
	// APIVersion, Kind, Namespace and Name identify the enclosing
	// Kubernetes object; they are empty when the value is not inside one.
	APIVersion, Kind, Namespace, Name string
	Policy                            string // policy ID from the marker, "ns:name" or "name"
	Field                             string // "", "tag", "name" or "digest"
	Old, New                          string
}

// Problem is a marker or file that could not be handled. It never stops the
// other files from being processed.
type Problem struct {
	File   string // slash path relative to root
	Line   int    // 1-based; 0 when the problem concerns the whole file
	Reason string
	// Warning is set when nothing that should have been updated was lost,
	// the cases Flux passes over quietly: a marker naming a policy that was
	// not loaded, a symlink to nothing, a template file (holding ${...})
	// that does not parse as YAML. Callers still show it.
	Warning bool
}

// Error returns "file:line: reason", or "file: reason" without a line.
func (p Problem) Error() string {
	if p.Line <= 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason)
}

// Marker is one marked value found by [Scan].
type Marker struct {
	File                              string // slash path relative to root
	Line                              int
	APIVersion, Kind, Namespace, Name string // enclosing object, empty if none
	Policy                            string // "ns:name" or "name"
	Field                             string // "", "tag", "name" or "digest"
	Value                             string // the value as it is now
}

func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}

func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}

func sortMarkers(ms []Marker) {
	slices.SortStableFunc(ms, func(a, b Marker) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}
