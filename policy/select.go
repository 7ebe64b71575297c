package policy

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Decision is what Select chose for one policy.
type Decision struct {
	// Policy is the policy's ID and Image its image repository.
	Policy string `json:"policy"`
	Image  string `json:"image"`
	// Tag is the chosen tag, "" when Err is set.
	Tag string `json:"tag"`
	// Err says why there is no tag: no tags listed (ErrNoTags), no candidate
	// (ErrNoCandidate), the group is held (ErrGroupHeld), or a numerical
	// tag that is not a number.
	Err         error       `json:"-"`
	Explanation Explanation `json:"explanation"`
}

// Explanation says how a decision came about. Seen is always the sum of
// Excluded, FilteredOut, Unparseable, OutOfRange, Gated and Candidates.
type Explanation struct {
	Seen        int `json:"seen"`
	Excluded    int `json:"excluded"`
	FilteredOut int `json:"filteredOut"`
	// Unparseable counts tags the rule cannot order: not a version
	// (semver), not a number (numerical), no build time (newestBuild).
	Unparseable int `json:"unparseable"`
	// OutOfRange counts versions outside the semver range (including
	// prereleases the range does not ask for).
	OutOfRange int `json:"outOfRange"`
	Candidates int `json:"candidates"`
	// Rule is the policy's rule, e.g. `semver ">=1.0.0"`.
	Rule string `json:"rule"`
	// Value is what the rule ordered for the chosen tag: the tag, or what
	// filterTags extracted from it.
	Value string `json:"value,omitempty"`
	// RunnerUp is the tag that came second, if any.
	RunnerUp string `json:"runnerUp,omitempty"`
	// Examples holds, per reason tags were dropped ("excluded",
	// "filteredOut", "unparseable", "outOfRange"), the smallest three.
	Examples map[string][]string `json:"examples,omitempty"`
	// Group is the policy's group and Common how many versions all of its
	// members have.
	Group  string `json:"group,omitempty"`
	Common int    `json:"common,omitempty"`
	// Reason says in words why the tag won, or why none did.
	Reason string `json:"reason"`
	// Rejected lists the versions rejected for the policy (its group's,
	// for a member): none of them is selected, nor anything ranked below
	// the highest of them.
	Rejected []string `json:"rejected,omitempty"`
	// BelowRejected counts the candidates passed over because they rank
	// no higher than a rejected version (they are among Candidates).
	BelowRejected int `json:"belowRejected,omitempty"`
	// Held says why a held policy does not move, as its error does:
	// "held: 1.1.0 was reverted in ...; waiting for a version above 1.1.0".
	Held string `json:"held,omitempty"`
	// Chart names the chart and its source, for a chart policy.
	Chart *Chart `json:"chart,omitempty"`
	// Gates are the policy's gates in words: "minAge 24h", "follow
	// apps:api in clusters/staging for 6h".
	Gates []string `json:"gates,omitempty"`
	// Gated counts the versions a gate kept back; Waiting lists the
	// highest-ranked three, and until when they wait.
	Gated   int    `json:"gated,omitempty"`
	Waiting []Wait `json:"waiting,omitempty"`
	// Gate says how the chosen version passed the gates: "on
	// clusters/staging since 2026-11-20 09:12, 26h", "built 2026-11-19
	// 08:00, 50h old".
	Gate string `json:"gate,omitempty"`
}

// Select decides every policy at once, because the members of a group need
// to see each other: pass all policies of a Set. tags is keyed by
// Policy.Image; a policy whose image has no entry gets ErrNoTags. The
// decisions are in the order of policies. Select never looks at the order
// of the tags: the same tags in any order give the same decisions. Select
// only reads its arguments and is safe to call from several goroutines.
func Select(policies []*Policy, tags map[string][]Tag) []Decision {
	return SelectHeld(policies, tags, nil)
}

// SelectHeld is [Select] with rejections, keyed by policy ID: a rejected
// version is never selected, and a policy moves only to a version its rule
// ranks above every rejected one; until one exists its decision fails with
// [ErrHeld] and says why. A version rejected for one member of a group is
// rejected for the whole group. Suspended policies are held too.
func SelectHeld(policies []*Policy, tags map[string][]Tag, rejected map[string][]Rejection) []Decision {
	return SelectFacts(policies, tags, Facts{Rejected: rejected})
}

// SelectFacts is [SelectHeld] with the gates: a version kept back by a
// policy's minAge (its Tag.Created is younger than MinAge at f.Now, or
// unknown) or follow gate (f.Followed has not held it for Follow.After,
// or the followed environment rejected it) is not a candidate; when
// nothing else is, the decision fails with [ErrWaiting] (wrapped with
// [ErrHeld]) and says which versions wait and until when. A policy that
// follows another selects among the versions f.Followed lists for it
// only, never looking at tags.
func SelectFacts(policies []*Policy, tags map[string][]Tag, f Facts) []Decision {
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	base := &gating{now: now}
	out := make([]Decision, len(policies))
	groups := map[string][]int{}
	var names []string
	for i, p := range policies {
		switch {
		case p == nil:
			out[i].Err = fmt.Errorf("%w: nil policy", ErrInvalid)
		case p.Follow != nil && p.Group != "":
			out[i] = Decision{Policy: p.ID, Image: p.Image, Err: fmt.Errorf("%w: policy %s: follow cannot be combined with group", ErrInvalid, p.ID)}
			out[i].Explanation.Reason = out[i].Err.Error()
		case p.Group != "":
			if _, ok := groups[p.Group]; !ok {
				names = append(names, p.Group)
			}
			groups[p.Group] = append(groups[p.Group], i)
		case p.Follow != nil:
			out[i] = selectFollower(p, f.Followed[p.ID], f.Rejected[p.ID], now)
		default:
			out[i] = selectOne(p, tags, f.Rejected[p.ID], base)
		}
	}
	for _, g := range names {
		selectGroup(g, policies, groups[g], tags, f.Rejected, base, out)
	}
	return out
}

// selectFollower decides a policy with a follow gate, among the versions
// its followed markers held.
func selectFollower(p *Policy, fl Followed, rejected []Rejection, now time.Time) Decision {
	if fl.Err != nil {
		d := Decision{Policy: p.ID, Image: p.Image, Err: fmt.Errorf("follow %s: %w", p.Follow, fl.Err)}
		d.Explanation.Reason, d.Explanation.Gates, d.Explanation.Chart = d.Err.Error(), p.gatesOf(), p.Chart
		return d
	}
	list, stints := tagsOfFollowed(fl)
	return selectOne(p, map[string][]Tag{p.Image: list}, rejected, &gating{now: now, stints: stints})
}

// selectOne decides a policy that is in no group.
func selectOne(p *Policy, tags map[string][]Tag, rejected []Rejection, g *gating) Decision {
	d := Decision{Policy: p.ID, Image: p.Image}
	list, err := p.tagsOf(tags)
	if err != nil {
		d.Err = err
		d.Explanation.Reason = err.Error()
		return d
	}
	fl := p.floorOf(rejected, list)
	var best, second candidate
	n, below := 0, 0
	exp, err := p.evaluate(list, g, func(c candidate) {
		if !fl.allows(p.rule, c) {
			below++
			return
		}
		n++
		switch {
		case n == 1:
			best = c
		case better(p.rule, c, best):
			second, best = best, c
		case n == 2 || better(p.rule, c, second):
			second = c
		}
	})
	d.Explanation = exp
	d.Explanation.Chart, d.Explanation.Gates = p.Chart, p.gatesOf()
	if err = p.holdOrFail(&d, err, &fl, n, below); err != nil {
		return d
	}
	d.Tag, d.Explanation.Value = best.tag, best.value
	d.Explanation.Reason = p.reason(best, second, n)
	if fl.set {
		d.Explanation.Reason += fmt.Sprintf("; above %s, rejected (%d below it passed over)", p.rule.label(fl.c), below)
	}
	if p.Chart != nil {
		d.Explanation.Reason += "; " + chartLabel(p.Chart)
	}
	if p.gated() {
		d.Explanation.Gate = p.passed(best, g)
		d.Explanation.Reason += "; " + d.Explanation.Gate + gateNote(exp)
	}
	if n > 1 {
		d.Explanation.RunnerUp = second.tag
	}
	return d
}

// gateNote names the best-ranked versions a gate keeps back: "; 1.5.0
// waits until 2026-11-21 10:00 (...)".
func gateNote(exp Explanation) string {
	var s string
	for _, w := range exp.Waiting {
		s += "; " + waitText(w)
	}
	return s
}

// holdOrFail records the rejections in d and fails d when the policy
// has an error, is suspended, is held or has no candidate; it returns d.Err.
func (p *Policy) holdOrFail(d *Decision, err error, fl *floor, n, below int) error {
	if fl.active() {
		d.Explanation.Rejected, d.Explanation.BelowRejected = fl.versions(), below
	}
	switch {
	case err == nil && p.Suspend:
		err = suspendedError(p, "")
	case err == nil && n == 0 && below > 0:
		err = fl.heldError(p.rule, "")
	case err == nil && n == 0 && d.Explanation.Gated > 0:
		err = waitingError(p, d.Explanation.Waiting)
	case err == nil && n == 0:
		err = noCandidate(d.Explanation)
	}
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrHeld) {
		d.Explanation.Held = err.Error()
	}
	d.Err = err
	d.Explanation.Reason = err.Error()
	return err
}

// tagsOf returns the policy's tags, or why there are none.
func (p *Policy) tagsOf(tags map[string][]Tag) ([]Tag, error) {
	if p.rule == nil {
		return nil, fmt.Errorf("%w: policy %q has no rule (make policies with Load or New)", ErrInvalid, p.ID)
	}
	list, ok := tags[p.Image]
	if !ok {
		return nil, fmt.Errorf("%w %s", ErrNoTags, p.Image)
	}
	return list, nil
}

func (p *Policy) reason(best, second candidate, n int) string {
	s := fmt.Sprintf("%s among %s", p.rule.why(), plural(n, "candidate"))
	if p.filter != nil && p.extract != "" {
		s += fmt.Sprintf(", ordering the value %q extracted by %q", best.value, p.extract)
	}
	if n > 1 && p.rule.compare(best, second) == 0 {
		s += fmt.Sprintf("; tie with %s broken by comparing the strings", strconv.Quote(second.tag))
	}
	return s
}

func noCandidate(exp Explanation) error {
	return fmt.Errorf("%w: %d tags seen, %d excluded, %d filtered out, %d unparseable, %d out of range",
		ErrNoCandidate, exp.Seen, exp.Excluded, exp.FilteredOut, exp.Unparseable, exp.OutOfRange)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
