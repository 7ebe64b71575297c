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
	for _, r := range []string{">=1.0.0 <2.0.0", ">=1.0.0-0", "1.2.3 || 2.0.0", "!=1.0.0, >0.1.0", "=>1.0.0,=<2.0.0-rc.1", "<v2.0.0",
		"^0.2", "~1.x", "1.0 - 2.x", "!=1.0.x-0", "<=1.x", ">1.0.x", "^0.0.x", "~0.0.0"} {
		f.Add(r, "1.5.0-rc.1")
		f.Add(r, "1.0.0")
		f.Add(r, "0.2.9")
	}
	f.Fuzz(func(t *testing.T, rng, tag string) {
		c, err := semver.NewConstraint(rng)
		if err != nil {
			return
		}
		fast := parseTerms(c)
		v, ok := parseVersion(tag)
		sv, _ := mastermindsParse(tag)
		if fast == nil || !ok {
			return
		}
		if got, want := checkTerms(fast, v), c.Check(sv); got != want {
			t.Fatalf("range %q, version %q: fast path says %v, Masterminds %v", rng, tag, got, want)
		}
	})
}

func TestTermsMatchMasterminds(t *testing.T) {
	versions := []string{"0.9.0", "1.0.0", "v1.0.0", "1.0.0-rc.1", "1.0.0-0", "1.0.1", "1.4.0", "1.4.0-beta.2", "1.9.9", "2.0.0-rc.1", "2.0.0", "2.0.0+meta", "3.0.0-alpha", "10.0.0"}
	ranges := []string{">=1.0.0", ">1.0.0", "<2.0.0", "<=2.0.0", "=1.0.0", "1.0.0", "!=1.0.0", ">=1.0.0 <2.0.0", ">=1.0.0, <2.0.0",
		">=1.0.0-0", ">=1.0.0-0 <2.0.0", "<2.0.0-0", "=>1.4.0,=<2.0.0-rc.1", "1.0.0 || >=2.0.0-0", ">= 1.4.0-beta.1", "!=2.0.0-rc.1 >=1.0.0-0",
		"^1.2.3", "^1.2", "^1", "^0.2.3", "^0.2", "^0.0.3", "^0.0", "^0", "^1.0.0-0", "~1.2.3", "~1.2", "~1", "~>1.4", "~0.0.0", "~*",
		"1.0.x", "1.x", "*", "x", "1.X.3", "!=1.x", "!=1.0.x", "!=1.0.x-rc.1", ">1.x", ">1.0.x", "<=1.x", "<=1.0.x", "<1.x", ">=1.x",
		"1.0.0 - 2.0.0", "1.0 - 2", ">=v1.0.0", "=1.0", ">01.0.0", "1.0.0+meta"}
	for _, ma := range []string{"0", "1", "2"} {
		for _, mi := range []string{"0", "1", "2"} {
			for _, pa := range []string{"0", "1", "3"} {
				for _, pre := range []string{"", "-rc.1", "-0", "-alpha"} {
					versions = append(versions, ma+"."+mi+"."+pa+pre)
				}
			}
		}
	}
	for _, ma := range []string{"0", "1", "2"} {
		ranges = append(ranges, "^"+ma, "~"+ma, ">"+ma, "<="+ma, "!="+ma, ma, "^0."+ma, "~0."+ma, ">0."+ma, "<=0."+ma+".x", "!=0."+ma+".x-rc.1",
			"^0.0."+ma, "~1."+ma+".1", ">=1."+ma+".1-rc.1 <2", "^"+ma+".x-0", "!=1."+ma+".1", "="+ma+".x.x", "~"+ma+".1-0", "^1."+ma+".x-alpha")
	}
	for _, rng := range ranges {
		c, err := semver.NewConstraint(rng)
		if err != nil {
			t.Fatalf("range %q: %v", rng, err)
		}
		fast := parseTerms(c)
		if fast == nil {
			t.Fatalf("range %q: err %v, fast %v", rng, err, fast)
		}
		for _, s := range versions {
			v, _ := parseVersion(s)
			sv, _ := mastermindsParse(s)
			want := c.Check(sv)
			if got := checkTerms(fast, v); got != want {
				t.Errorf("range %q, version %q: fast path says %v, Masterminds %v", rng, s, got, want)
			}
			slow := semverRule{constraint: c, noPre: !strings.Contains(rng, "-")}
			if got := slow.check(v, s); got != want {
				t.Errorf("range %q, version %q: slow path says %v, Masterminds %v", rng, s, got, want)
			}
		}
	}
}
