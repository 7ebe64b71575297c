package policy

import (
	"regexp"
	"strings"
)

// comparison is one term of a range made only of comparisons with full
// versions: ">=1.4.0", "<2.0.0", "!=1.5.0", "1.4.2".
type comparison struct {
	op string
	v  version
}

const (
	cmpOps     = `!=|>=|=>|<=|=<|>|<|=|`
	cmpVersion = `v?[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?`
)

var (
	cmpGroupRE = regexp.MustCompile(`^\s*(?:` + cmpOps + `)\s*` + cmpVersion + `(?:(?:\s+|,\s*)(?:` + cmpOps + `)\s*` + cmpVersion + `)*\s*$`)
	cmpTermRE  = regexp.MustCompile(`(` + cmpOps + `)\s*(` + cmpVersion + `)`)
)

// parseComparisons returns the OR groups of AND-ed comparisons of a range
// Masterminds has accepted, or nil if the range uses anything else (~, ^,
// x, hyphen ranges, partial versions).
func parseComparisons(rng string) [][]comparison {
	var groups [][]comparison
	for g := range strings.SplitSeq(rng, "||") {
		if !cmpGroupRE.MatchString(g) {
			return nil
		}
		var terms []comparison
		for _, m := range cmpTermRE.FindAllStringSubmatch(g, -1) {
			v, ok := parseVersion(m[2])
			if !ok {
				return nil
			}
			terms = append(terms, comparison{op: m[1], v: v})
		}
		groups = append(groups, terms)
	}
	return groups
}

// checkComparisons is Masterminds' Check for ranges of comparisons: a
// version passes if it satisfies every term of some group, and a
// prerelease only in a group that names a prerelease.
func checkComparisons(groups [][]comparison, v version) bool {
	for _, terms := range groups {
		if v.pre != "" && !namesPre(terms) {
			continue
		}
		ok := true
		for _, t := range terms {
			if !t.holds(v) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func namesPre(terms []comparison) bool {
	for _, t := range terms {
		if t.v.pre != "" {
			return true
		}
	}
	return false
}

func (t comparison) holds(v version) bool {
	c := v.compare(t.v)
	switch t.op {
	case "", "=":
		return c == 0
	case "!=":
		return c != 0
	case ">":
		return c > 0
	case "<":
		return c < 0
	case ">=", "=>":
		return c >= 0
	}
	return c <= 0 // "<=", "=<"
}
