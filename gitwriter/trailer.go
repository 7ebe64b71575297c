package gitwriter

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Trailer keys hoist writes, one group per policy.
const (
	TrailerPolicy = "Hoist-Policy"
	TrailerImage  = "Hoist-Image"
	TrailerFrom   = "Hoist-From"
	TrailerTo     = "Hoist-To"
)

// trailers renders one Hoist-Policy/Image/From/To group per policy, each
// value escaped so that it stays on its line and reads back exactly.
func trailers(c Change) string {
	var lines []string
	for _, p := range c.Policies() {
		policy := escapeValue(p.Policy)
		if policy == "" {
			policy = `""`
		}
		lines = append(lines, TrailerPolicy+": "+policy)
		for _, kv := range [][2]string{{TrailerImage, p.Image}, {TrailerFrom, p.From}, {TrailerTo, p.To}} {
			if kv[1] != "" {
				lines = append(lines, kv[0]+": "+escapeValue(kv[1]))
			}
		}
		for _, v := range rejectedOf(c, p.Policy) {
			lines = append(lines, TrailerRejected+": "+escapeValue(v))
		}
	}
	return strings.Join(lines, "\n")
}

// escapeValue makes a value from a registry or the repository safe for a
// commit message: a value that is not plain printable text on one line
// (control characters, line or paragraph breaks, invalid UTF-8, leading or
// trailing spaces, a leading quote) becomes a Go-quoted string, so it can
// neither forge lines nor change meaning, and [strconv.Unquote] gets it back.
// "" stays "".
func escapeValue(s string) string {
	if s == "" || plainValue(s) {
		return s
	}
	return strconv.Quote(s)
}

func plainValue(s string) bool {
	if strings.HasPrefix(s, `"`) || strings.TrimSpace(s) != s || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// escapeUpdate escapes every field of u, for template data.
func escapeUpdate(u Update) Update {
	for _, f := range []*string{&u.File, &u.APIVersion, &u.Kind, &u.Namespace, &u.Name, &u.Policy, &u.Field,
		&u.Old, &u.New, &u.Image, &u.From, &u.To} {
		*f = escapeValue(*f)
	}
	return u
}

// escapePolicy escapes every field of p, for template data.
func escapePolicy(p PolicyChange) PolicyChange {
	for _, f := range []*string{&p.Policy, &p.Short, &p.Image, &p.From, &p.To} {
		*f = escapeValue(*f)
	}
	files := make([]string, len(p.Files))
	for i, f := range p.Files {
		files[i] = escapeValue(f)
	}
	p.Files = files
	return p
}

// rejectedOf returns the rejected versions of policy in c, at most
// maxRejected, without empty ones.
func rejectedOf(c Change, policy string) []string {
	var out []string
	for _, v := range c.Rejected[policy] {
		if v != "" && len(out) < maxRejected {
			out = append(out, v)
		}
	}
	return out
}
