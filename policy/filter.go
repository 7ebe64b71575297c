package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// evaluate runs tags through the policy's exclusions, filter and rule,
// counting what each stage dropped, and hands every admitted candidate to
// visit. If the rule fails tags, the error names the smallest such tag, so
// it does not depend on the order of tags.
// Candidates a gate keeps back (g, nil for none) are counted as Gated.
func (p *Policy) evaluate(tags []Tag, g *gating, visit func(candidate)) (Explanation, error) {
	var t tally
	var first error
	var bad string
	failed := 0
	for _, tag := range tags {
		c, why := p.admit(tag)
		var err error
		if why == pending {
			c, why, err = p.rule.admit(c)
		}
		switch {
		case err != nil:
			if failed++; first == nil || c.tag < bad {
				first, bad = err, c.tag
			}
			t.drop(unparseable, c.tag)
		case why == admitted:
			if g != nil && p.gated() {
				if w, ok := p.wait(c, g); !ok {
					t.gate(p.rule, c, w)
					continue
				}
			}
			t.candidates++
			visit(c)
		default:
			t.drop(why, c.tag)
		}
	}
	if failed > 1 {
		first = fmt.Errorf("%w (and %d more)", first, failed-1)
	}
	return t.explanation(len(tags), p.rule.String()), first
}

// admit applies the exclusions and the filter to a tag. It returns the
// candidate and pending when the rule should judge it, or why it was dropped.
func (p *Policy) admit(t Tag) (candidate, verdict) {
	c := candidate{tag: t.Name, value: t.Name, created: t.Created}
	switch {
	case t.Name == "": // not a tag: "" means "no choice" in a Decision
		return c, unparseable
	case matchAny(p.exclude, t.Name):
		return c, excluded
	case p.filter == nil:
		return c, pending
	}
	v, ok := p.extractValue(t.Name)
	if !ok {
		return c, filteredOut
	}
	c.value = v
	return c, pending
}

// maxExamples is how many dropped tags an Explanation shows per reason.
const maxExamples = 3

// dropNames are the keys of Explanation.Examples, by verdict.
var dropNames = map[verdict]string{excluded: "excluded", filteredOut: "filteredOut",
	unparseable: "unparseable", outOfRange: "outOfRange"}

// tally counts the tags each stage drops and keeps the smallest few of
// each as examples, so neither depends on the order of tags.
type tally struct {
	dropped    [filteredOut + 1]int
	examples   [filteredOut + 1][]string
	candidates int
	gated      int
	waiting    []waiting // the best few gated candidates, best first
}

// waiting is a gated candidate.
type waiting struct {
	c candidate
	w Wait
}

// gate counts a candidate a gate kept back, keeping the best few.
func (t *tally) gate(r rule, c candidate, w Wait) {
	t.gated++
	i := len(t.waiting)
	for i > 0 && better(r, c, t.waiting[i-1].c) {
		i--
	}
	if i < maxExamples {
		t.waiting = slices.Insert(t.waiting, i, waiting{c, w})
		t.waiting = t.waiting[:min(len(t.waiting), maxExamples)]
	}
}

func (t *tally) drop(why verdict, tag string) {
	t.dropped[why]++
	l := t.examples[why]
	if len(l) == maxExamples && tag >= l[maxExamples-1] {
		return
	}
	i, found := slices.BinarySearch(l, tag)
	if found {
		return
	}
	l = slices.Insert(l, i, tag)
	t.examples[why] = l[:min(len(l), maxExamples)]
}

func (t *tally) explanation(seen int, rule string) Explanation {
	e := Explanation{Seen: seen, Rule: rule, Candidates: t.candidates,
		Excluded: t.dropped[excluded], FilteredOut: t.dropped[filteredOut],
		Unparseable: t.dropped[unparseable], OutOfRange: t.dropped[outOfRange], Gated: t.gated}
	for _, w := range t.waiting {
		e.Waiting = append(e.Waiting, w.w)
	}
	for why, l := range t.examples {
		if len(l) > 0 {
			if e.Examples == nil {
				e.Examples = map[string][]string{}
			}
			e.Examples[dropNames[verdict(why)]] = l
		}
	}
	return e
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// extractValue applies filterTags: ok is false when the tag does not match,
// and the value is the expanded template ($1, $name, ${name}) or, with no
// template, the tag itself.
func (p *Policy) extractValue(tag string) (string, bool) {
	if p.extract == "" {
		return tag, p.filter.MatchString(tag)
	}
	m := p.filter.FindStringSubmatchIndex(tag)
	switch {
	case m == nil:
		return "", false
	case p.group > 0 && m[2*p.group] < 0:
		return "", true
	case p.group > 0:
		return tag[m[2*p.group]:m[2*p.group+1]], true
	}
	return string(p.filter.ExpandString(nil, p.extract, tag, m)), true
}

// setFilter sets filterTags. A template that is one submatch reference
// ("$1", "$ts", "${ts}") is taken as a substring, without expanding.
func (p *Policy) setFilter(re *regexp.Regexp, template string) {
	p.filter, p.extract, p.group = re, template, -1
	m := refRE.FindStringSubmatch(template)
	if re == nil || m == nil {
		return
	}
	name := m[1] + m[2]
	if n, ok := number(name); ok && n < uint64(re.NumSubexp()+1) && n > 0 {
		p.group = int(n)
	} else if i := re.SubexpIndex(name); i > 0 {
		p.group = i
	}
}

var refRE = regexp.MustCompile(`^\$(?:([0-9A-Za-z_]+)|\{([0-9A-Za-z_]+)\})$`)

// checkExtract fails when the extract template refers to a group the
// pattern does not have ("$nope", "$3" of two groups): regexp.Expand would
// quietly put "" in its place, and every tag would compare equal. It reads
// references exactly as Expand does: "$$" is a "$", and a "$" not followed
// by a name or {name} is literal.
func checkExtract(re *regexp.Regexp, template string) error {
	for _, ref := range templateRefs(template) {
		if !hasGroup(re, ref) {
			return fmt.Errorf("$%s names no group of the pattern (it has %s)", ref, groupList(re))
		}
	}
	return nil
}

// templateRefs returns the group references of an extract template, read
// as regexp.Expand reads them.
func templateRefs(template string) []string {
	var refs []string
	for rest := template; ; {
		i := strings.IndexByte(rest, '$')
		if i < 0 {
			return refs
		}
		rest = rest[i+1:]
		if strings.HasPrefix(rest, "$") {
			rest = rest[1:]
			continue
		}
		if m := templateRefRE.FindStringSubmatch(rest); m != nil {
			rest = rest[len(m[0]):]
			refs = append(refs, m[1]+m[2])
		}
	}
}

// templateRefRE is a reference after "$", as regexp.Expand reads it.
var templateRefRE = regexp.MustCompile(`^(?:([\p{L}\p{Nd}_]+)|\{([\p{L}\p{Nd}_]+)\})`)

// hasGroup reports whether ref is a group of re. Like regexp.Expand, it
// takes ref as a number only without a leading zero and below 1e8, and
// as a group name otherwise.
func hasGroup(re *regexp.Regexp, ref string) bool {
	if n, ok := number(ref); ok && n < 1e8 && (len(ref) == 1 || ref[0] != '0') {
		return n <= uint64(re.NumSubexp())
	}
	return re.SubexpIndex(ref) > 0
}

// groupList describes the groups of re for an error message.
func groupList(re *regexp.Regexp) string {
	if re.NumSubexp() == 0 {
		return "no groups"
	}
	var names []string
	for i, n := range re.SubexpNames()[1:] {
		if n == "" {
			n = strconv.Itoa(i + 1)
		}
		names = append(names, "$"+n)
	}
	return "groups " + strings.Join(names, ", ")
}
