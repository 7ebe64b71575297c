package policy

import "strings"

// alphabetical orders values as strings: asc picks the greatest, desc the
// smallest, as in Flux.
type alphabetical struct{ order order }

func (r alphabetical) String() string { return "alphabetical " + r.order.String() }

func (r alphabetical) why() string {
	if r.order == desc {
		return "smallest string (alphabetical desc)"
	}
	return "greatest string (alphabetical asc)"
}

func (alphabetical) admit(c candidate) (candidate, verdict, error) { return c, admitted, nil }

func (r alphabetical) compare(a, b candidate) int {
	return r.order.apply(strings.Compare(a.value, b.value))
}

func (alphabetical) key(c candidate) groupKey { return groupKey{s: c.value} }

func (alphabetical) label(c candidate) string { return c.value }
