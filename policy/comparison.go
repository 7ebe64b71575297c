package policy

import (
	"strings"

	"github.com/Masterminds/semver/v3"
)

// term is one constraint of a Masterminds range, as Masterminds reads it:
// an operator, a version, and which parts of the version were wildcards
// ("1.x", "~1.4", "*"). Check answers exactly as Masterminds' Check (a
// differential fuzz test holds it to that) without building an error for
// every version out of range, which is what makes Masterminds slow.
type term struct {
	op                            string
	con                           version
	dirty, minorDirty, patchDirty bool
}

// ops are Masterminds' operators, two-character ones first.
var ops = []string{"!=", ">=", "=>", "<=", "=<", "~>", ">", "<", "=", "~", "^"}

// parseTerms reads the canonical form Masterminds prints for a range it
// accepted (hyphen ranges already rewritten, groups joined by " || ", terms
// by " "). It returns nil when a term is not understood, and the caller
// then asks Masterminds.
func parseTerms(c *semver.Constraints) [][]term {
	var groups [][]term
	for g := range strings.SplitSeq(c.String(), " || ") {
		var terms []term
		for tok := range strings.SplitSeq(g, " ") {
			t, ok := parseTerm(tok)
			if !ok {
				return nil
			}
			terms = append(terms, t)
		}
		groups = append(groups, terms)
	}
	return groups
}

func parseTerm(tok string) (term, bool) {
	var t term
	for _, op := range ops {
		if strings.HasPrefix(tok, op) {
			t.op, tok = op, tok[len(op):]
			break
		}
	}
	tok = strings.TrimPrefix(tok, "v")
	main, pre := tok, ""
	if i := strings.IndexAny(tok, "-+"); i >= 0 {
		main, pre = tok[:i], tok[i:]
		pre, _, _ = strings.Cut(strings.TrimPrefix(pre, "-"), "+")
		if tok[i] == '+' {
			pre = ""
		}
	}
	parts := strings.Split(main, ".")
	if len(parts) > 3 || (pre != "" && !validIdents(pre, true)) {
		return t, false
	}
	parts = append(parts, "", "")[:3]
	t.con.pre = pre
	switch {
	case isX(parts[0]):
		t.dirty = true
		return t, true
	case isX(parts[1]):
		t.dirty, t.minorDirty = true, true
		parts[1], parts[2] = "0", "0"
	case isX(parts[2]):
		t.dirty, t.patchDirty = true, true
		parts[2] = "0"
	}
	var ok0, ok1, ok2 bool
	t.con.major, ok0 = number(parts[0])
	t.con.minor, ok1 = number(parts[1])
	t.con.patch, ok2 = number(parts[2])
	return t, ok0 && ok1 && ok2
}

// isX is a wildcard or missing part.
func isX(s string) bool { return s == "" || s == "x" || s == "X" || s == "*" }

// checkTerms reports whether v satisfies every term of some group; a
// prerelease only counts in a group that names a prerelease.
func checkTerms(groups [][]term, v version) bool {
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

func namesPre(terms []term) bool {
	for _, t := range terms {
		if t.con.pre != "" {
			return true
		}
	}
	return false
}

func (t term) holds(v version) bool {
	c := v.compare(t.con)
	switch t.op {
	case "", "=":
		if t.dirty {
			return t.tilde(v, c)
		}
		return c == 0
	case "!=":
		return t.notEqual(v, c)
	case ">":
		return t.greater(v, c)
	case "<":
		return c < 0
	case ">=", "=>":
		return c >= 0
	case "<=", "=<":
		return t.lessOrEqual(v, c)
	case "~", "~>":
		return t.tilde(v, c)
	}
	return t.caret(v, c) // "^"
}

func (t term) notEqual(v version, c int) bool {
	if t.dirty {
		switch {
		case t.con.major != v.major:
			return true
		case t.con.minor != v.minor && !t.minorDirty:
			return true
		case t.minorDirty:
			return false
		case t.con.patch != v.patch && !t.patchDirty:
			return true
		case t.patchDirty:
			return (v.pre != "" || t.con.pre != "") && comparePre(v.pre, t.con.pre) != 0
		}
	}
	return c != 0
}

func (t term) greater(v version, c int) bool {
	switch {
	case !t.dirty:
		return c > 0
	case v.major != t.con.major:
		return v.major > t.con.major
	case t.minorDirty:
		return false
	case t.patchDirty:
		return v.minor > t.con.minor
	}
	return c > 0
}

func (t term) lessOrEqual(v version, c int) bool {
	switch {
	case !t.dirty:
		return c <= 0
	case v.major > t.con.major:
		return false
	}
	return !(v.major == t.con.major && v.minor > t.con.minor && !t.minorDirty)
}

func (t term) tilde(v version, c int) bool {
	switch {
	case c < 0:
		return false
	case t.con.major == 0 && t.con.minor == 0 && t.con.patch == 0 && !t.minorDirty && !t.patchDirty:
		return true
	case v.major != t.con.major:
		return false
	}
	return v.minor == t.con.minor || t.minorDirty
}

func (t term) caret(v version, c int) bool {
	switch {
	case c < 0:
		return false
	case t.con.major > 0 || t.minorDirty:
		return v.major == t.con.major
	case v.major > 0:
		return false
	case t.con.minor > 0 || t.patchDirty:
		return v.minor == t.con.minor
	case v.minor > 0:
		return false
	}
	return v.patch == t.con.patch
}
