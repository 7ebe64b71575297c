package ui

import (
	"strings"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
)

// FromReport returns the policies and problems of a pass's report, for a
// [Record]: per policy its image, the tag in git before the pass, the tag
// selected, the explanation `hoist tags` prints, why it is held, and the
// problems that name it. A nil report gives nil, nil.
func FromReport(rep *pass.Report) ([]Policy, []Problem) {
	if rep == nil {
		return nil, nil
	}
	problems := make([]Problem, 0, len(rep.Problems))
	for _, p := range rep.Problems {
		problems = append(problems, Problem{Message: p.Message, Warning: p.Warning})
	}
	current := map[string]string{}
	for _, c := range rep.Changes {
		if _, seen := current[c.Policy]; !seen && (c.Field == "" || c.Field == "tag") {
			current[c.Policy] = pass.TagOf(c.Old)
		}
	}
	policies := make([]Policy, 0, len(rep.Policies))
	for i, p := range rep.Policies {
		pol := Policy{ID: p.ID, Image: p.Image}
		if i < len(rep.Decisions) {
			d := rep.Decisions[i]
			pol.Reason, pol.Held = d.Explanation.Reason, d.Explanation.Held
		}
		if ref, ok := rep.Refs[p.ID]; ok {
			pol.Selected = ref.Tag
			pol.Current = ref.Tag // nothing changed: git holds the selected tag
		}
		if old, ok := current[p.ID]; ok {
			pol.Current = old
		}
		pol.Problems = naming(problems, p.ID)
		policies = append(policies, pol)
	}
	return policies, problems
}

// naming returns the problems whose message names the policy id.
func naming(ps []Problem, id string) []Problem {
	var out []Problem
	for _, p := range ps {
		if strings.Contains(p.Message, "policy "+id+":") || strings.HasSuffix(p.Message, "policy "+id) {
			out = append(out, p)
		}
	}
	return out
}
