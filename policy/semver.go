package policy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// semverRule picks the highest version within a Masterminds range. Tags are
// strict three-part versions with an optional "v" prefix; prereleases pass
// only when the range names a prerelease, as in Flux.
type semverRule struct {
	raw        string
	constraint *semver.Constraints
	// fast is the range as terms checkTerms understands; nil sends every
	// check to Masterminds.
	fast [][]term
	// noPre is true when the range names no prerelease, so every
	// prerelease is out of range without asking Masterminds.
	noPre bool
}

func newSemver(rng string) (semverRule, error) {
	if strings.TrimSpace(rng) == "" {
		return semverRule{}, fmt.Errorf("semver.range is required")
	}
	c, err := semver.NewConstraint(rng)
	if err != nil {
		return semverRule{}, fmt.Errorf("parsing semver range %q: %w", rng, err)
	}
	return semverRule{raw: rng, constraint: c, fast: parseTerms(c), noPre: !strings.Contains(rng, "-")}, nil
}

func (r semverRule) String() string { return "semver " + strconv.Quote(r.raw) }

func (r semverRule) why() string { return "highest version in range " + strconv.Quote(r.raw) }

func (r semverRule) admit(c candidate) (candidate, verdict, error) {
	v, ok := parseVersion(c.value)
	if !ok {
		return c, unparseable, nil
	}
	c.ver = v
	if !r.check(v, c.value) {
		return c, outOfRange, nil
	}
	return c, admitted, nil
}

// check reports whether v is in range. Masterminds builds an error for
// every failed check, so the common shapes are answered here first.
func (r semverRule) check(v version, s string) bool {
	switch {
	case r.fast != nil:
		return checkTerms(r.fast, v)
	case v.pre != "" && r.noPre:
		return false
	}
	sv, err := semver.StrictNewVersion(strings.TrimPrefix(s, "v"))
	return err == nil && r.constraint.Check(sv)
}

func (r semverRule) compare(a, b candidate) int { return a.ver.compare(b.ver) }

func (r semverRule) key(c candidate) groupKey {
	return groupKey{n: [3]uint64{c.ver.major, c.ver.minor, c.ver.patch}, s: c.ver.pre}
}

func (r semverRule) label(c candidate) string { return c.ver.key() }
