package pass

import (
	"sync"

	"github.com/hoist-dev/hoist/policy"
)

// selector decides policies while the scan runs: a policy that stands
// alone (no group, no follow gate) is decided as soon as its image's tags
// are listed, and those tags are then let go. Only the images of group
// policies keep their tags until every image is listed. At fleet scale
// (millions of tags) this is what keeps a pass's memory to the tags of the
// images being listed at once.
type selector struct {
	policies []*policy.Policy
	facts    policy.Facts
	alone    map[string][]int // image -> indexes of policies decided alone
	grouped  map[string]bool  // images a group policy uses

	mu   sync.Mutex // protects out and done
	out  []policy.Decision
	done []bool
}

func newSelector(ps []*policy.Policy, f policy.Facts) *selector {
	s := &selector{policies: ps, facts: f, alone: map[string][]int{}, grouped: map[string]bool{},
		out: make([]policy.Decision, len(ps)), done: make([]bool, len(ps))}
	for i, p := range ps {
		switch {
		case p == nil || p.Follow != nil:
		case p.Group != "":
			s.grouped[p.Image] = true
		default:
			s.alone[p.Image] = append(s.alone[p.Image], i)
		}
	}
	return s
}

// image decides the lone policies of img on its tags and reports whether
// the tags must be kept for a group.
func (s *selector) image(img string, tags []policy.Tag) bool {
	idx := s.alone[img]
	if len(idx) > 0 {
		ps := make([]*policy.Policy, len(idx))
		for k, i := range idx {
			ps[k] = s.policies[i]
		}
		ds := policy.SelectFacts(ps, map[string][]policy.Tag{img: tags}, s.facts)
		s.mu.Lock()
		for k, i := range idx {
			s.out[i], s.done[i] = ds[k], true
		}
		s.mu.Unlock()
	}
	return s.grouped[img]
}

// finish decides the policies image did not (groups, followers, and those
// whose image was not listed) on tags, and returns every decision in
// policy order.
func (s *selector) finish(tags map[string][]policy.Tag) []policy.Decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rest []*policy.Policy
	var at []int
	for i, p := range s.policies {
		if !s.done[i] {
			rest, at = append(rest, p), append(at, i)
		}
	}
	for k, d := range policy.SelectFacts(rest, tags, s.facts) {
		s.out[at[k]] = d
	}
	return s.out
}
