package policy

import (
	"fmt"
	"strings"
	"time"
)

// candidate is one tag on its way through a policy: the original tag, the
// value the rule orders (the tag, or what filterTags extracted), and what the
// rule parsed from the value.
type candidate struct {
	tag     string
	value   string
	created time.Time
	ver     version // set by semver
	num     float64 // set by numerical
}

// verdict is what a rule thinks of a candidate.
type verdict int

const (
	admitted verdict = iota
	unparseable
	outOfRange
	// Verdicts of the stages before the rule.
	excluded
	filteredOut
	// pending is no verdict yet: the rule decides.
	pending verdict = -1
)

// rule orders the candidates of one policy. Rules are immutable once built.
type rule interface {
	fmt.Stringer
	// admit parses c.value into c.ver or c.num. An error fails the whole policy
	// (numerical tags that are not numbers, as Flux does).
	admit(c candidate) (candidate, verdict, error)
	// compare is positive when the rule prefers a over b.
	compare(a, b candidate) int
	// key identifies the version of an admitted candidate across the
	// members of a group, and label spells it for people.
	key(c candidate) groupKey
	label(c candidate) string
	// why says in a few words how the winner won.
	why() string
}

// groupKey is a version as a map key: numbers and a string, so that making
// one does not allocate.
type groupKey struct {
	n [3]uint64
	s string
}

// better is the total order Select uses: the rule first, then the value,
// then the tag, so ties never depend on the order tags were listed in.
func better(r rule, a, b candidate) bool {
	if c := r.compare(a, b); c != 0 {
		return c > 0
	}
	if c := strings.Compare(a.value, b.value); c != 0 {
		return c > 0
	}
	if c := strings.Compare(a.tag, b.tag); c != 0 {
		return c > 0
	}
	return a.created.After(b.created)
}

// order is the direction of alphabetical and numerical rules.
type order bool

const (
	asc  order = false
	desc order = true
)

func parseOrder(s string) (order, error) {
	switch s {
	case "", "asc":
		return asc, nil
	case "desc":
		return desc, nil
	}
	return asc, fmt.Errorf("order must be asc or desc, got %q", s)
}

func (o order) String() string {
	if o == desc {
		return "desc"
	}
	return "asc"
}

// apply turns an ascending comparison into the order's preference.
func (o order) apply(c int) int {
	if o == desc {
		return -c
	}
	return c
}
