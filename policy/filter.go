package policy

import "regexp"

// evaluate runs tags through the policy's exclusions, filter and rule,
// counting what each stage dropped, and hands every admitted candidate to
// visit. The first error of the rule is returned after all tags are seen.
func (p *Policy) evaluate(tags []Tag, visit func(candidate)) (Explanation, error) {
	exp := Explanation{Seen: len(tags), Rule: p.rule.String()}
	var first error
	for _, t := range tags {
		if matchAny(p.exclude, t.Name) {
			exp.Excluded++
			continue
		}
		c := candidate{tag: t.Name, value: t.Name, created: t.Created}
		if p.filter != nil {
			v, ok := extract(p.filter, p.extract, t.Name)
			if !ok {
				exp.FilteredOut++
				continue
			}
			c.value = v
		}
		c, v, err := p.rule.admit(c)
		switch {
		case err != nil:
			if first == nil {
				first = err
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

// extract applies filterTags: ok is false when the tag does not match, and
// the value is the expanded template ($1, $name, ${name}) or, with no
// template, the tag itself.
func extract(re *regexp.Regexp, template, tag string) (string, bool) {
	if template == "" {
		return tag, re.MatchString(tag)
	}
	m := re.FindStringSubmatchIndex(tag)
	if m == nil {
		return "", false
	}
	return string(re.ExpandString(nil, template, tag, m)), true
}
