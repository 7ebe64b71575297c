package policy

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Spec is a policy's spec in Go, for policies that do not come from a file
// (a command line, a test). Its fields mean what they mean in the file.
type Spec struct {
	// Image is the repository without tag, e.g. "ghcr.io/acme/api".
	Image string
	// Exclude are regexes; a tag matching any is dropped first.
	Exclude []string
	// Pattern and Extract are filterTags.
	Pattern, Extract string
	// Rule is "semver", "alphabetical", "numerical" or "newestBuild".
	Rule string
	// Range is the semver range; Order is "asc" (default) or "desc".
	Range, Order string
	Group        string
	Digest       DigestMode
	Platform     string
	// Suspend is spec.suspend: the policy's decisions are held.
	Suspend bool
	// Chart, instead of Image, makes a chart policy.
	Chart *Chart
	// MinAge and Follow are the gates (see Policy).
	MinAge time.Duration
	Follow *Follow
}

// New makes a policy from a Spec. id is "namespace:name" or "name".
func New(id string, s Spec) (*Policy, error) {
	ns, name, ok := strings.Cut(id, ":")
	if !ok {
		ns, name = "", id
	}
	p := &Policy{ID: id, Namespace: ns, Name: name, Image: s.Image, Group: s.Group,
		Platform: s.Platform, APIVersion: hoistAPIVersion, Suspend: s.Suspend}
	if name == "" || strings.Contains(name, ":") {
		return nil, invalidf("policy ID %q must be namespace:name or name", id)
	}
	var err error
	if s.Chart != nil {
		c := *s.Chart
		p.Chart, p.Image = &c, c.String()
		err = checkChart(&c, nil, "chart")
	} else {
		err = checkImage(s.Image, nil, "image")
	}
	if err == nil {
		p.Digest, err = checkDigest(string(s.Digest), nil, "digest")
	}
	if err == nil {
		err = checkPlatform(s.Platform, nil, "platform")
	}
	if err == nil {
		err = p.compile(s)
	}
	if err == nil {
		err = p.setGates(s)
	}
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", id, err)
	}
	return p, nil
}

// compile builds the regexes and the rule of a Spec.
func (p *Policy) compile(s Spec) (err error) {
	if p.exclude, err = compileAll(s.Exclude, nil, "exclude"); err != nil {
		return err
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return invalidf("filterTags.pattern: %v", err)
		}
		if err := checkExtract(re, s.Extract); err != nil {
			return invalidf("filterTags.extract: %v", err)
		}
		p.setFilter(re, s.Extract)
	} else if s.Extract != "" {
		return invalidf("filterTags.extract needs a pattern")
	}
	switch s.Rule {
	case "semver":
		p.rule, err = newSemver(s.Range)
	case "alphabetical", "numerical":
		var o order
		if o, err = parseOrder(s.Order); s.Rule == "numerical" {
			p.rule = numerical{order: o}
		} else {
			p.rule = alphabetical{order: o}
		}
	case "newestBuild":
		p.rule = newestBuild{}
	default:
		err = fmt.Errorf("unknown rule %q (want one of %s)", s.Rule, strings.Join(ruleNames, ", "))
	}
	if err != nil {
		return invalidf("%v", err)
	}
	return nil
}

// setGates copies and checks the gates of a Spec.
func (p *Policy) setGates(s Spec) error {
	if s.MinAge < 0 || s.MinAge > maxGate {
		return invalidf("minAge %s is out of range (0 to 3650d)", s.MinAge)
	}
	p.MinAge = s.MinAge
	if s.Follow == nil {
		return nil
	}
	f := *s.Follow
	if err := checkPolicyID(f.Policy); err != nil {
		return invalidf("follow.policy: %v", err)
	}
	if f.Path == "" || f.After < 0 || f.After > maxGate || (p.Group != "") {
		return invalidf("follow needs a path and an after between 0 and 3650d, and no group")
	}
	p.Follow = &f
	return nil
}
