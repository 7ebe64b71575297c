package policy

// newestBuild picks the tag whose image was built last. The caller supplies
// build times in Tag.Created; a tag without one cannot be ordered and counts
// as unparseable. Ties break by value, then tag.
type newestBuild struct{}

func (newestBuild) String() string { return "newestBuild" }

func (newestBuild) why() string { return "newest build time" }

func (newestBuild) admit(c candidate) (candidate, verdict, error) {
	if c.created.IsZero() {
		return c, unparseable, nil
	}
	return c, admitted, nil
}

func (newestBuild) compare(a, b candidate) int { return a.created.Compare(b.created) }

func (newestBuild) key(c candidate) groupKey { return groupKey{s: c.value} }

func (newestBuild) label(c candidate) string { return c.value }
