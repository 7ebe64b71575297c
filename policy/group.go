package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// member is one policy of a group on its way through selection: the best
// candidate it has for each version key.
type member struct {
	p     *Policy
	index int
	exp   Explanation
	best  map[groupKey]int // index into cands
	cands []candidate
	floor floor // the group's rejections, ranked by this member's rule
	below int   // candidates passed over for ranking below a rejection
}

// get returns the member's best candidate for version k.
func (m *member) get(k groupKey) (candidate, bool) {
	i, ok := m.best[k]
	if !ok {
		return candidate{}, false
	}
	return m.cands[i], true
}

// selectGroup decides the policies of group g (indexes into policies), all
// on the highest version every member has, and writes their decisions to out.
// A version rejected for any member is rejected for all of them, and a
// suspended member holds the group.
func selectGroup(g string, policies []*Policy, idx []int, tags map[string][]Tag, rejected map[string][]Rejection, gt *gating, out []Decision) {
	members := make([]*member, len(idx))
	for i, j := range idx {
		members[i] = &member{p: policies[j], index: j}
	}
	slices.SortStableFunc(members, func(a, b *member) int { return strings.Compare(a.p.ID, b.p.ID) })
	err := collect(g, members, tags, unionRejections(members, rejected), gt)
	if err == nil {
		err = suspendedMember(g, members)
	}
	var key groupKey
	var label string
	var common int
	if err == nil {
		key, label, common, err = pick(members)
	}
	for _, m := range members {
		d := Decision{Policy: m.p.ID, Image: m.p.Image, Explanation: m.exp}
		d.Explanation.Group, d.Explanation.Common = g, common
		d.Explanation.Chart, d.Explanation.Gates = m.p.Chart, m.p.gatesOf()
		if m.floor.active() {
			d.Explanation.Rejected, d.Explanation.BelowRejected = m.floor.versions(), m.below
		}
		switch {
		case errors.Is(err, ErrHeld):
			d.Err, d.Explanation.Held, d.Explanation.Reason = err, err.Error(), err.Error()
		case err != nil:
			d.Err = fmt.Errorf("%w: group %s: %w", ErrGroupHeld, g, err)
			d.Explanation.Reason = d.Err.Error()
		default:
			c, _ := m.get(key)
			d.Tag, d.Explanation.Value = c.tag, c.value
			d.Explanation.Reason = groupReason(g, m.p.rule, len(members), common, label)
			if m.p.gated() {
				d.Explanation.Gate = m.p.passed(c, gt)
			}
		}
		out[m.index] = d
	}
}

// collect evaluates every member, keeping its best candidate per version.
// Members must share a rule kind, or versions would not compare.
func collect(name string, members []*member, tags map[string][]Tag, rejected []Rejection, g *gating) error {
	first := members[0].p
	for _, m := range members {
		list, err := m.p.tagsOf(tags)
		if err != nil {
			return fmt.Errorf("member %s: %w", m.p.ID, err)
		}
		if kind(m.p.rule) != kind(first.rule) {
			return fmt.Errorf("members %s (%s) and %s (%s) use different rules",
				first.ID, first.rule, m.p.ID, m.p.rule)
		}
		m.best = make(map[groupKey]int, len(list))
		m.cands = make([]candidate, 0, len(list)) // one allocation, not a doubling's garbage
		m.floor = m.p.floorOf(rejected, list)
		m.exp, err = m.p.evaluate(list, g, func(c candidate) {
			if !m.floor.allows(m.p.rule, c) {
				m.below++
				return
			}
			k := m.p.rule.key(c)
			switch i, ok := m.best[k]; {
			case !ok:
				m.best[k] = len(m.cands)
				m.cands = append(m.cands, c)
			case better(m.p.rule, c, m.cands[i]):
				m.cands[i] = c
			}
		})
		if err == nil && len(m.best) == 0 && m.below > 0 {
			return m.floor.heldError(m.p.rule, "group "+name+": ")
		}
		if err == nil && len(m.best) == 0 && m.exp.Gated > 0 {
			return waitingError(m.p, m.exp.Waiting)
		}
		if err == nil && len(m.best) == 0 {
			err = noCandidate(m.exp)
		}
		if err != nil {
			return fmt.Errorf("member %s: %w", m.p.ID, err)
		}
	}
	return nil
}

// suspendedMember holds the group when one of its members is suspended.
func suspendedMember(g string, members []*member) error {
	for _, m := range members {
		if m.p.Suspend {
			return suspendedError(m.p, "group "+g+": ")
		}
	}
	return nil
}

// kind is a rule's name and order without its parameters: members of a
// group may have different semver ranges but not different rules.
func kind(r rule) string {
	s := r.String()
	if strings.HasPrefix(s, "semver ") {
		return "semver"
	}
	return s
}

// pick returns the best version all members have and how many they share.
// For newestBuild a version counts as built when its last member was.
func pick(members []*member) (groupKey, string, int, error) {
	r := members[0].p.rule
	var best candidate
	var bestKey groupKey
	common := 0
	for k, i := range members[0].best {
		c := members[0].cands[i]
		shared := true
		for _, m := range members[1:] {
			j, ok := m.best[k]
			if !ok {
				shared = false
				break
			}
			if t := m.cands[j].created; t.After(c.created) {
				c.created = t
			}
		}
		if !shared {
			continue
		}
		c.value, c.tag = k.s, k.s // compare versions, not one member's spelling
		if common++; common == 1 || better(r, c, best) {
			best, bestKey = c, k
		}
	}
	if common == 0 {
		return bestKey, "", 0, lacking(members)
	}
	return bestKey, r.label(best), common, nil
}

// lacking explains an empty intersection: it takes the best version any
// member has and names the members that lack it.
func lacking(members []*member) error {
	r := members[0].p.rule
	var top candidate
	var topKey groupKey
	var owner string
	for _, m := range members {
		for k, i := range m.best {
			c := m.cands[i]
			c.value, c.tag = k.s, k.s
			if owner == "" || better(r, c, top) {
				top, topKey, owner = c, k, m.p.ID
			}
		}
	}
	var missing []string
	for _, m := range members {
		if _, ok := m.best[topKey]; !ok {
			missing = append(missing, m.p.ID)
		}
	}
	return fmt.Errorf("no version common to all %d members: %s lacks %s (the best version, which %s has)",
		len(members), strings.Join(missing, ", "), r.label(top), owner)
}

func groupReason(g string, r rule, members, common int, key string) string {
	if members == 1 {
		return fmt.Sprintf("group %s (its only member): %s among %s: %s", g, r.why(), plural(common, "version"), key)
	}
	return fmt.Sprintf("group %s: %s among the %s all %d members have: %s",
		g, r.why(), plural(common, "version"), members, key)
}
