package policy

import (
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
)

// mastermindsParse is Flux's version parser: StrictNewVersion after an optional "v".
func mastermindsParse(s string) (*semver.Version, bool) {
	v, err := semver.StrictNewVersion(strings.TrimPrefix(s, "v"))
	return v, err == nil
}

// FuzzVersion holds parseVersion and version.compare to Masterminds.
func FuzzVersion(f *testing.F) {
	for _, s := range []string{"1.2.3", "v1.2.3", "1.2.3-rc.1+b.2", "1.2.3.4", "01.2.3", "1.2.3-01", "1.2.3-a..b", "1.2.3+", "18446744073709551616.0.0", "1.2.3-rc.1", "1.2.3-rc.1.2", "1.2.3-rc.a"} {
		f.Add(s, "1.2.3-rc.10")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, oka := parseVersion(a)
		sa, want := mastermindsParse(a)
		if oka != want {
			t.Fatalf("parseVersion(%q) ok = %v, Masterminds says %v", a, oka, want)
		}
		if !oka {
			return
		}
		if va.major != sa.Major() || va.minor != sa.Minor() || va.patch != sa.Patch() || va.pre != sa.Prerelease() || va.meta != sa.Metadata() {
			t.Fatalf("parseVersion(%q) = %+v, Masterminds %v", a, va, sa)
		}
		vb, okb := parseVersion(b)
		sb, _ := mastermindsParse(b)
		if okb && va.compare(vb) != sa.Compare(sb) {
			t.Fatalf("compare(%q, %q) = %d, Masterminds %d", a, b, va.compare(vb), sa.Compare(sb))
		}
	})
}

// FuzzRange holds the range fast path to Masterminds' Check.
func FuzzRange(f *testing.F) {
	for _, r := range []string{">=1.0.0 <2.0.0", ">=1.0.0-0", "1.2.3 || 2.0.0", "!=1.0.0, >0.1.0", "=>1.0.0,=<2.0.0-rc.1", "<v2.0.0"} {
		f.Add(r, "1.5.0-rc.1")
		f.Add(r, "1.0.0")
	}
	f.Fuzz(func(t *testing.T, rng, tag string) {
		c, err := semver.NewConstraint(rng)
		if err != nil {
			return
		}
		fast := parseComparisons(rng)
		v, ok := parseVersion(tag)
		sv, _ := mastermindsParse(tag)
		if fast == nil || !ok {
			return
		}
		if got, want := checkComparisons(fast, v), c.Check(sv); got != want {
			t.Fatalf("range %q, version %q: fast path says %v, Masterminds %v", rng, tag, got, want)
		}
	})
}

func TestParseComparisons(t *testing.T) {
	for rng, fast := range map[string]bool{
		">=1.4.0 <2.0.0": true, ">= 1.4.0, < 2.0.0": true, "1.2.3": true, "1.2.3 || >=2.0.0-0": true,
		"^1.2.3": false, "~1.4": false, "1.0.x": false, "*": false, ">=1.2": false, "1.0.0 - 2.0.0": false,
	} {
		if got := parseComparisons(rng) != nil; got != fast {
			t.Errorf("parseComparisons(%q) fast = %v, want %v", rng, got, fast)
		}
	}
}

func TestComparisonsMatchMasterminds(t *testing.T) {
	versions := []string{"0.9.0", "1.0.0", "v1.0.0", "1.0.0-rc.1", "1.0.0-0", "1.0.1", "1.4.0", "1.4.0-beta.2", "1.9.9", "2.0.0-rc.1", "2.0.0", "2.0.0+meta", "3.0.0-alpha", "10.0.0"}
	ranges := []string{">=1.0.0", ">1.0.0", "<2.0.0", "<=2.0.0", "=1.0.0", "1.0.0", "!=1.0.0", ">=1.0.0 <2.0.0", ">=1.0.0, <2.0.0",
		">=1.0.0-0", ">=1.0.0-0 <2.0.0", "<2.0.0-0", "=>1.4.0,=<2.0.0-rc.1", "1.0.0 || >=2.0.0-0", ">= 1.4.0-beta.1", "!=2.0.0-rc.1 >=1.0.0-0"}
	for _, rng := range ranges {
		c, err := semver.NewConstraint(rng)
		fast := parseComparisons(rng)
		if err != nil || fast == nil {
			t.Fatalf("range %q: err %v, fast %v", rng, err, fast)
		}
		for _, s := range versions {
			v, _ := parseVersion(s)
			sv, _ := mastermindsParse(s)
			if got, want := checkComparisons(fast, v), c.Check(sv); got != want {
				t.Errorf("range %q, version %q: fast path says %v, Masterminds %v", rng, s, got, want)
			}
		}
	}
}
