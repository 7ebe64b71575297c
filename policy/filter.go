package policy

import (
	"fmt"
	"regexp"
)

// evaluate runs tags through the policy's exclusions, filter and rule,
// counting what each stage dropped, and hands every admitted candidate to
// visit. If the rule fails tags, the error names the smallest such tag, so
// it does not depend on the order of tags.
func (p *Policy) evaluate(tags []Tag, visit func(candidate)) (Explanation, error) {
	exp := Explanation{Seen: len(tags), Rule: p.rule.String()}
	var first error
	var bad string
	failed := 0
	for _, t := range tags {
		if t.Name == "" { // not a tag: "" means "no choice" in a Decision
			exp.Unparseable++
			continue
		}
		if matchAny(p.exclude, t.Name) {
			exp.Excluded++
			continue
		}
		c := candidate{tag: t.Name, value: t.Name, created: t.Created}
		if p.filter != nil {
			v, ok := p.extractValue(t.Name)
			if !ok {
				exp.FilteredOut++
				continue
			}
			c.value = v
		}
		c, v, err := p.rule.admit(c)
		switch {
		case err != nil:
			if failed++; first == nil || c.tag < bad {
				first, bad = err, c.tag
			}
			exp.Unparseable++
		case v == unparseable:
			exp.Unparseable++
		case v == outOfRange:
			exp.OutOfRange++
		default:
			exp.Candidates++
			visit(c)
		}
	}
	if failed > 1 {
		first = fmt.Errorf("%w (and %d more)", first, failed-1)
	}
	return exp, first
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
