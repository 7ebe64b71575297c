package policy

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
)

// numerical orders values as floating-point numbers: asc picks the largest,
// desc the smallest. A value that is not a number fails the policy, as in
// Flux; NaN and infinities are not numbers here.
type numerical struct{ order order }

func (r numerical) String() string { return "numerical " + r.order.String() }

func (r numerical) why() string {
	if r.order == desc {
		return "smallest number (numerical desc)"
	}
	return "largest number (numerical asc)"
}

func (numerical) admit(c candidate) (candidate, verdict, error) {
	f, err := strconv.ParseFloat(c.value, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return c, unparseable, fmt.Errorf("numerical: tag %q (value %q) is not a number; use filterTags to select only numeric tags", c.tag, c.value)
	}
	if f == 0 {
		f = 0 // -0 and 0 are the same version
	}
	c.num = f
	return c, admitted, nil
}

func (r numerical) compare(a, b candidate) int {
	return r.order.apply(cmp.Compare(a.num, b.num))
}

func (numerical) key(c candidate) groupKey {
	return groupKey{n: [3]uint64{math.Float64bits(c.num)}}
}

func (numerical) label(c candidate) string {
	return strconv.FormatFloat(c.num, 'g', -1, 64)
}
