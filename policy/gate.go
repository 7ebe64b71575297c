package policy

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// ErrWaiting: every version the policy would select waits for a gate
// (minAge, follow). It is wrapped together with [ErrHeld]: the policy is
// kept back on purpose, its markers stay as they are.
var ErrWaiting = errors.New("waiting")

// Follow is a promotion gate: the policy selects only versions that the
// markers of another policy, under another path (and maybe on another
// branch), have held for at least After, read from git history.
type Follow struct {
	// Path is the slash-separated directory, relative to the root of the
	// worktree, whose markers are followed, e.g. "clusters/staging".
	Path string `json:"path"`
	// Policy is the ID of the followed policy, as its markers name it.
	Policy string `json:"policy"`
	// After is how long a version must have been held there.
	After time.Duration `json:"after"`
	// Branch is the branch to read; "" is the branch being updated.
	Branch string `json:"branch,omitempty"`
	// Line is the line of the follow field in the policy's file (0 when
	// unknown).
	Line int `json:"-"`
}

// String is "apps:api in clusters/staging for 6h (branch staging)".
func (f *Follow) String() string {
	s := f.Policy + " in " + f.Path
	if f.After > 0 {
		s += " for " + Age(f.After)
	}
	if f.Branch != "" {
		s += " (branch " + f.Branch + ")"
	}
	return s
}

// where is "clusters/staging" or "clusters/staging on branch staging".
func (f *Follow) where() string {
	if f.Branch == "" {
		return f.Path
	}
	return f.Path + " on branch " + f.Branch
}

// maxGate bounds minAge and follow.after.
const maxGate = 10 * 365 * 24 * time.Hour

var daysRE = regexp.MustCompile(`^([0-9]{1,4})d(.*)$`)

// ParseAge reads a gate's duration: a Go duration ("36h", "90m") with
// optional leading days ("7d", "1d12h"). It must be between 0 and 10
// years.
func ParseAge(s string) (time.Duration, error) {
	var days time.Duration
	rest := strings.TrimSpace(s)
	if m := daysRE.FindStringSubmatch(rest); m != nil {
		n, _ := strconv.Atoi(m[1])
		days, rest = time.Duration(n)*24*time.Hour, m[2]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil {
			return 0, fmt.Errorf("%q is not a duration (want e.g. 24h, 90m, 7d)", s)
		}
	} else if days == 0 && !strings.HasSuffix(strings.TrimSpace(s), "d") {
		return 0, fmt.Errorf("%q is not a duration (want e.g. 24h, 90m, 7d)", s)
	}
	d += days
	if d < 0 || d > maxGate || (days > 0 && d < days) {
		return 0, fmt.Errorf("%q is out of range (0 to 3650d)", s)
	}
	return d, nil
}

// Age spells a duration the way gates print it: "26h", "45m", "3d4h".
func Age(d time.Duration) string {
	d = max(d, 0) // a clock or a commit date off: no negative ages
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 72*time.Hour:
		if m := int((d % time.Hour) / time.Minute); m != 0 && d < 10*time.Hour {
			return fmt.Sprintf("%dh%dm", int(d/time.Hour), m)
		}
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	if h := int((d % (24 * time.Hour)) / time.Hour); h != 0 {
		return fmt.Sprintf("%dd%dh", int(d/(24*time.Hour)), h)
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// parseGates reads spec.minAge and spec.follow into p.
func parseGates(spec *yaml.Node, p *Policy) error {
	s, err := str(spec, "minAge", "spec.")
	if err != nil {
		return err
	}
	if s != "" {
		if p.MinAge, err = ParseAge(s); err != nil {
			return fieldErr(field(spec, "minAge"), "spec.minAge", "%v", err)
		}
	}
	n := field(spec, "follow")
	if isNull(n) {
		return nil
	}
	p.Follow, err = parseFollow(n, "spec.follow")
	return err
}

// parseFollow reads a follow mapping: {path, policy, after, branch}.
func parseFollow(n *yaml.Node, at string) (*Follow, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fieldErr(n, at, "must be a mapping {path, policy, after, branch}")
	}
	if err := strict(n, at+".", "path", "policy", "after", "branch"); err != nil {
		return nil, err
	}
	f := &Follow{Line: n.Line}
	var after string
	var err error
	for _, kv := range []struct {
		key string
		dst *string
	}{{"path", &f.Path}, {"policy", &f.Policy}, {"after", &after}, {"branch", &f.Branch}} {
		if *kv.dst, err = str(n, kv.key, at+"."); err != nil {
			return nil, err
		}
	}
	if err := checkFollowPath(f, n, at); err != nil {
		return nil, err
	}
	if err := checkPolicyID(f.Policy); err != nil {
		return nil, fieldErr(orNode(field(n, "policy"), n), at+".policy", "%v", err)
	}
	if after != "" {
		if f.After, err = ParseAge(after); err != nil {
			return nil, fieldErr(field(n, "after"), at+".after", "%v", err)
		}
	}
	if f.Branch != "" && !branchRE.MatchString(f.Branch) || strings.Contains(f.Branch, "..") {
		return nil, fieldErr(field(n, "branch"), at+".branch", "%q is not a branch name", f.Branch)
	}
	return f, nil
}

// checkFollowPath cleans f.Path, which must be relative and stay inside
// the worktree.
func checkFollowPath(f *Follow, n *yaml.Node, at string) error {
	at += ".path"
	p := strings.TrimSuffix(f.Path, "/")
	switch {
	case p == "":
		return fieldErr(orNode(field(n, "path"), n), at, "is required (a directory relative to the repository root)")
	case strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || strings.ContainsRune(p, 0):
		return fieldErr(field(n, "path"), at, "%q must be a slash-separated path relative to the repository root", f.Path)
	}
	clean := path.Clean(p)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return fieldErr(field(n, "path"), at, "%q leads out of the repository", f.Path)
	}
	f.Path = clean
	return nil
}

var (
	branchRE   = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
	policyIDRE = regexp.MustCompile(`^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?:)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)
)

// checkPolicyID accepts "namespace:name" and "name".
func checkPolicyID(s string) error {
	if s == "" {
		return errors.New("is required (the followed policy, as its markers name it: namespace:name)")
	}
	if !policyIDRE.MatchString(s) || len(s) > 317 {
		return fmt.Errorf("%q is not a policy ID (namespace:name or name)", s)
	}
	return nil
}

// Stint is one time a followed policy's markers held a version.
type Stint struct {
	// Version is the value the markers held.
	Version string `json:"version"`
	// Since is when the commit that set it was committed, and Commit its
	// hash.
	Since  time.Time `json:"since"`
	Commit string    `json:"commit,omitempty"`
	// Until is when a later commit moved the markers away; zero while the
	// version is still there.
	Until time.Time `json:"until,omitzero"`
	// Rejected is set when the followed environment rejected the version:
	// a commit that is not hoist's moved the markers away from it (a
	// revert, a hand edit). It says so in words that follow the version:
	// "was reverted in abc1234 by Jane <jane@example.com> on 2026-11-20".
	Rejected string `json:"rejected,omitempty"`
}

// Followed is what the caller read from history for a following policy.
type Followed struct {
	// Stints are the versions the followed markers held, the newest first.
	Stints []Stint
	// Err says why they could not be read (no such path, no marker of the
	// policy under it): the follower's decision fails with it.
	Err error
}

// Facts are what selection needs besides the tags. The zero value is
// none: no rejections, nothing followed, and gates measured from the
// current time.
type Facts struct {
	// Rejected are rejected versions by policy ID (see [SelectHeld]).
	Rejected map[string][]Rejection
	// Followed are, by ID of the following policy, the versions its
	// followed markers held. A policy with a Follow gate selects among
	// these only: its image is not looked up in tags.
	Followed map[string]Followed
	// Now is the time gates measure ages against; zero is time.Now().
	Now time.Time
}

// Wait is a version kept back by a gate.
type Wait struct {
	// Version is the tag.
	Version string `json:"version"`
	// Until is when the gate opens for it; zero when it never will (it
	// left the followed environment too soon, or was rejected there, or
	// its build time is unknown).
	Until time.Time `json:"until,omitzero"`
	// Why says which gate holds it, in words.
	Why string `json:"why"`
}

// gating is what gates measure against in one Select.
type gating struct {
	now    time.Time
	stints map[string]Stint // by version, the newest stint; for a follower
}

// gatesOf describes the policy's gates, for its Explanation.
func (p *Policy) gatesOf() []string {
	var out []string
	if p.MinAge > 0 {
		out = append(out, "minAge "+Age(p.MinAge))
	}
	if p.Follow != nil {
		out = append(out, "follow "+p.Follow.String())
	}
	return out
}

// gated reports whether p has gates a candidate must pass.
func (p *Policy) gated() bool { return p.MinAge > 0 || p.Follow != nil }

// wait checks candidate c against p's gates: ok, or why it waits and
// until when (zero: for good).
func (p *Policy) wait(c candidate, g *gating) (Wait, bool) {
	w := Wait{Version: c.tag}
	var whys []string
	never := false
	if f := p.Follow; f != nil {
		s := g.stints[c.tag]
		end := s.Until
		if end.IsZero() {
			end = g.now
		}
		switch held := end.Sub(s.Since); {
		case s.Rejected != "":
			whys = append(whys, fmt.Sprintf("on %s: %s", f.where(), s.Rejected))
			never = true
		case held >= f.After:
		case !s.Until.IsZero():
			whys = append(whys, fmt.Sprintf("left %s after %s (follow needs %s)", f.where(), Age(held), Age(f.After)))
			never = true
		default:
			w.Until = s.Since.Add(f.After)
			whys = append(whys, fmt.Sprintf("on %s since %s, %s of %s", f.where(), stamp(s.Since), Age(held), Age(f.After)))
		}
	}
	if p.MinAge > 0 {
		switch ready := c.created.Add(p.MinAge); {
		case c.created.IsZero():
			whys = append(whys, "build time unknown (minAge "+Age(p.MinAge)+")")
			never = true
		case ready.After(g.now):
			whys = append(whys, fmt.Sprintf("%s %s, %s old (minAge %s)", p.timeWord(), stamp(c.created), Age(g.now.Sub(c.created)), Age(p.MinAge)))
			w.Until = later(w.Until, ready)
		}
	}
	if len(whys) == 0 {
		return Wait{}, true
	}
	if never {
		w.Until = time.Time{}
	}
	w.Why = strings.Join(whys, "; ")
	return w, false
}

// passed says how the chosen candidate passed p's gates, for the
// Explanation and the commit message: "on clusters/staging since
// 2026-11-20 09:12, 26h".
func (p *Policy) passed(c candidate, g *gating) string {
	var out []string
	if f := p.Follow; f != nil {
		s := g.stints[c.tag]
		end := s.Until
		if end.IsZero() {
			end = g.now
		}
		out = append(out, fmt.Sprintf("on %s since %s, %s", f.where(), stamp(s.Since), Age(end.Sub(s.Since))))
		if !s.Until.IsZero() {
			out[len(out)-1] += " (until " + stamp(s.Until) + ")"
		}
	}
	if p.MinAge > 0 {
		out = append(out, fmt.Sprintf("%s %s, %s old", p.timeWord(), stamp(c.created), Age(g.now.Sub(c.created))))
	}
	return strings.Join(out, "; ")
}

// timeWord is what a version's time is: an image's build, a chart's
// creation.
func (p *Policy) timeWord() string {
	if p.Chart != nil {
		return "created"
	}
	return "built"
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// stamp is a time as gates print it: "2026-11-20 09:12" in UTC.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// tagsOfFollowed turns the stints a follower sees into its tags: the
// newest stint of each version, with its start as the tag's time.
func tagsOfFollowed(f Followed) ([]Tag, map[string]Stint) {
	byVersion := map[string]Stint{}
	var tags []Tag
	for _, s := range f.Stints {
		if _, ok := byVersion[s.Version]; ok || s.Version == "" {
			continue
		}
		byVersion[s.Version] = s
		tags = append(tags, Tag{Name: s.Version, Created: s.Since})
	}
	return tags, byVersion
}

// waitingError says why a gated policy has nothing to select yet.
func waitingError(p *Policy, ws []Wait) error {
	msg := "no version has passed " + strings.Join(p.gatesOf(), " and ")
	if len(ws) > 0 {
		msg += ": " + waitText(ws[0])
		if n := len(ws) - 1; n > 0 {
			msg += fmt.Sprintf(" (and %d more waiting)", n)
		}
	}
	return fmt.Errorf("%w: %w: %s", ErrHeld, ErrWaiting, msg)
}

// waitText is "1.5.0 waits until 2026-11-21 10:00 (on ... since ...)".
func waitText(w Wait) string {
	if w.Until.IsZero() {
		return fmt.Sprintf("%s never passes (%s)", w.Version, w.Why)
	}
	return fmt.Sprintf("%s waits until %s (%s)", w.Version, stamp(w.Until), w.Why)
}

// followCycles drops the policies whose follow gates, on the same
// branch, lead back to themselves (A follows B follows A), each with a
// problem naming the cycle.
func (l *loader) followCycles() {
	byID := map[string]*Policy{}
	for _, p := range l.set.Policies {
		byID[p.ID] = p
	}
	bad := map[string]string{}
	for _, p := range l.set.Policies {
		if cycle := followCycle(p, byID); cycle != "" {
			bad[p.ID] = cycle
		}
	}
	if len(bad) == 0 {
		return
	}
	kept := l.set.Policies[:0]
	for _, p := range l.set.Policies {
		if cycle, ok := bad[p.ID]; ok {
			l.problem(p.File, p.Follow.Line, p.ID, invalidf("spec.follow: a cycle of follows: %s", cycle))
			continue
		}
		kept = append(kept, p)
	}
	l.set.Policies = kept
}

// followCycle returns "a -> b -> a" when following p's gates on its own
// branch comes back to p, else "".
func followCycle(p *Policy, byID map[string]*Policy) string {
	path := []string{p.ID}
	seen := map[string]bool{p.ID: true}
	for q := p; q.Follow != nil && q.Follow.Branch == ""; {
		next := byID[q.Follow.Policy]
		if next == nil {
			return ""
		}
		path = append(path, next.ID)
		if next == p {
			return strings.Join(path, " -> ")
		}
		if seen[next.ID] {
			return "" // a cycle p leads into, reported for its members
		}
		seen[next.ID] = true
		q = next
	}
	return ""
}

// gateAnnotations reads hoist.dev/min-age and hoist.dev/follow on a Flux
// ImagePolicy.
func gateAnnotations(ann *yaml.Node, p *Policy, at string) error {
	s, err := str(ann, MinAgeAnnotation, at)
	if err != nil {
		return err
	}
	if s != "" {
		if p.MinAge, err = ParseAge(s); err != nil {
			return fieldErr(field(ann, MinAgeAnnotation), at+MinAgeAnnotation, "%v", err)
		}
	}
	if s, err = str(ann, FollowAnnotation, at); s == "" || err != nil {
		return err
	}
	n := field(ann, FollowAnnotation)
	if p.Follow, err = parseFollowText(s, n.Line, at+FollowAnnotation); err != nil {
		return err
	}
	if p.Group != "" {
		return fieldErr(n, at+FollowAnnotation, "cannot be combined with %s", GroupAnnotation)
	}
	return nil
}

// parseFollowText reads a follow mapping written as YAML text (an
// annotation's value) found at line.
func parseFollowText(s string, line int, at string) (*Follow, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		return nil, &fieldError{line: line, path: at, err: fmt.Errorf("want a mapping such as {path: clusters/staging, policy: apps:api, after: 6h}: %v", err)}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = deref(root.Content[0])
	}
	clearLines(root)
	if root == nil || root.Kind == 0 {
		return nil, &fieldError{line: line, path: at, err: errors.New("is empty")}
	}
	f, err := parseFollow(root, at)
	if fe, ok := err.(*fieldError); ok {
		fe.line = line
	}
	if f != nil {
		f.Line = line
	}
	return f, err
}
