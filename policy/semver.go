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
}

func newSemver(rng string) (semverRule, error) {
	if strings.TrimSpace(rng) == "" {
		return semverRule{}, fmt.Errorf("semver.range is required")
	}
	c, err := semver.NewConstraint(rng)
	if err != nil {
		return semverRule{}, fmt.Errorf("parsing semver range %q: %w", rng, err)
	}
	return semverRule{raw: rng, constraint: c}, nil
}

func (r semverRule) String() string { return "semver " + strconv.Quote(r.raw) }

func (r semverRule) why() string { return "highest version in range " + strconv.Quote(r.raw) }

func (r semverRule) admit(c candidate) (candidate, verdict, error) {
	v := parseVersion(c.value)
	if v == nil {
		return c, unparseable, nil
	}
	if !r.constraint.Check(v) {
		return c, outOfRange, nil
	}
	c.ver = v
	return c, admitted, nil
}

func (r semverRule) compare(a, b candidate) int {
	return a.ver.Compare(b.ver)
}

// key is the version without "v" and build metadata: 1.2.3 and v1.2.3+abc
// are the same release.
func (r semverRule) key(c candidate) string {
	v := c.ver
	k := fmt.Sprintf("%d.%d.%d", v.Major(), v.Minor(), v.Patch())
	if v.Prerelease() != "" {
		k += "-" + v.Prerelease()
	}
	return k
}

// parseVersion parses a strict semantic version with an optional "v"
// prefix, or returns nil. A cheap check rejects most non-versions (sha-...,
// latest) before the parser allocates.
func parseVersion(s string) *semver.Version {
	s = strings.TrimPrefix(s, "v")
	if s == "" || s[0] < '0' || s[0] > '9' || strings.Count(s, ".") < 2 {
		return nil
	}
	v, err := semver.StrictNewVersion(s)
	if err != nil {
		return nil
	}
	return v
}
