package policy

import (
	"errors"
	"fmt"
	"strings"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// ErrHeld: the policy does not move because it is held: a version it would
// select was rejected (reverted or replaced by hand in git, or proposed in
// a pull request closed without merging), or the policy, or a member of its
// group, is suspended. The marked values stay as they are.
var ErrHeld = errors.New("held")

// SuspendAnnotation suspends a Flux ImagePolicy in hoist when "true", as
// spec.suspend does for hoist's own kind.
const SuspendAnnotation = "hoist.dev/suspend"

// Rejection is a version a policy must not select again, and why.
type Rejection struct {
	// Version is the rejected tag, as the registry lists it.
	Version string `json:"version"`
	// Why says who rejected it, where and when, in words that follow the
	// version: "was reverted in abc1234 by Jane <jane@example.com> on
	// 2026-11-20".
	Why string `json:"why,omitempty"`
}

// String returns "1.1.0 was reverted in ...", or the version alone.
func (r Rejection) String() string {
	if r.Why == "" {
		return r.Version + " was rejected"
	}
	return r.Version + " " + r.Why
}

// floor is the highest-ranked rejected version of a policy, by the
// policy's own order: only versions ranked above it are selected.
type floor struct {
	set   bool
	c     candidate
	why   Rejection
	names map[string]bool // every rejected tag, selected never
	all   []Rejection
}

// floorOf ranks the rejections with p's exclusions, filter and rule. A
// rejected tag the rule cannot parse (no build time for newestBuild, not a
// version, excluded or filtered out) ranks nothing: it is only never selected itself. Build times
// come from list.
func (p *Policy) floorOf(rejected []Rejection, list []Tag) floor {
	f := floor{names: map[string]bool{}, all: rejected}
	if len(rejected) == 0 {
		return f
	}
	created := map[string]Tag{} // the listed tags that are rejected
	for _, r := range rejected {
		created[r.Version] = Tag{}
	}
	for _, t := range list {
		if _, ok := created[t.Name]; ok {
			created[t.Name] = t
		}
	}
	for _, r := range rejected {
		f.names[r.Version] = true
		t := created[r.Version]
		t.Name = r.Version
		c, why := p.admit(t)
		if why != pending || p.rule == nil {
			continue
		}
		c, why, err := p.rule.admit(c)
		if err != nil || (why != admitted && why != outOfRange) {
			continue
		}
		if !f.set || better(p.rule, c, f.c) {
			f.set, f.c, f.why = true, c, r
		}
	}
	return f
}

// allows reports whether candidate c may be selected: it is not rejected
// and ranks above every rejected version.
func (f *floor) allows(r rule, c candidate) bool {
	if f.names[c.tag] {
		return false
	}
	return !f.set || better(r, c, f.c)
}

// active reports whether any rejection applies.
func (f *floor) active() bool { return len(f.names) > 0 }

// versions lists the rejected tags, for the Explanation.
func (f *floor) versions() []string {
	out := make([]string, 0, len(f.all))
	for _, r := range f.all {
		out = append(out, r.Version)
	}
	return out
}

// heldError says why nothing above the rejections could be selected:
// "held: 1.1.0 was reverted in ...; waiting for a version above 1.1.0".
func (f *floor) heldError(r rule, prefix string) error {
	top := f.why
	if !f.set && len(f.all) > 0 {
		top = f.all[0]
	}
	msg := prefix + top.String()
	if n := len(f.all) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more rejected)", n)
	}
	if f.set {
		msg += "; waiting for a version above " + r.label(f.c)
	} else {
		msg += "; waiting for another version"
	}
	return fmt.Errorf("%w: %s", ErrHeld, msg)
}

// suspendedError says a policy is suspended.
func suspendedError(p *Policy, prefix string) error {
	how := "spec.suspend: true"
	switch {
	case p.suspendedBy != "":
		how = p.suspendedBy
	case strings.HasPrefix(p.APIVersion, fluxGroup):
		how = "annotation " + SuspendAnnotation + ": \"true\""
	}
	return fmt.Errorf("%w: %spolicy %s is suspended (%s)", ErrHeld, prefix, p.ID, how)
}

// unionRejections merges the rejections of a group's members: a version
// rejected for one member is rejected for the group.
func unionRejections(members []*member, rejected map[string][]Rejection) []Rejection {
	var out []Rejection
	seen := map[string]bool{}
	for _, m := range members {
		for _, r := range rejected[m.p.ID] {
			if !seen[r.Version] {
				seen[r.Version] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// suspendAnnotation reads hoist.dev/suspend: "true" or "false" (or absent).
func suspendAnnotation(ann *yaml.Node, path string) (bool, error) {
	v, err := str(ann, SuspendAnnotation, path)
	if err != nil {
		return false, err
	}
	switch v {
	case "", "false", "False", "FALSE":
		return false, nil
	case "true", "True", "TRUE":
		return true, nil
	}
	return false, fieldErr(field(ann, SuspendAnnotation), path+SuspendAnnotation, "must be \"true\" or \"false\", got %q", v)
}
