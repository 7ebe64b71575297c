package yamlpatch

import "sync"

// interner hands out one copy of each string it is given, for one run: a
// big tree's changes repeat the same few policy IDs, fields, kinds and
// namespaces thousands of times, and each parsed copy would otherwise be
// held by the Result.
type interner struct {
	m sync.Map // string -> string
}

func (in *interner) get(s string) string {
	if v, ok := in.m.Load(s); ok {
		return v.(string)
	}
	v, _ := in.m.LoadOrStore(s, s)
	return v.(string)
}

// targetCache remembers target's answers for one run: every marker of a
// policy and field gets the same value, and the Result holds one copy.
type targetCache struct {
	m sync.Map // targetKey -> targetValue
}

type targetKey struct {
	ref   Ref
	field string
}

type targetValue struct {
	v   string
	err error
}

func (c *targetCache) get(ref Ref, field string) (string, error) {
	k := targetKey{ref, field}
	if v, ok := c.m.Load(k); ok {
		tv := v.(targetValue)
		return tv.v, tv.err
	}
	v, err := target(ref, field)
	c.m.Store(k, targetValue{v, err})
	return v, err
}
