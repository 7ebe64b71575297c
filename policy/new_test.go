package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name, id string
		spec     Spec
		has      string // substring of the error, "" for none
	}{
		{"semver", "apps:api", Spec{Image: "ghcr.io/a/api", Rule: "semver", Range: "^1.2"}, ""},
		{"bare name", "api", Spec{Image: "nginx", Rule: "newestBuild"}, ""},
		{"empty id", "", Spec{Image: "a/b", Rule: "newestBuild"}, "policy ID"},
		{"three parts", "a:b:c", Spec{Image: "a/b", Rule: "newestBuild"}, "policy ID"},
		{"unknown rule", "x", Spec{Image: "a/b", Rule: "latest"}, `unknown rule "latest"`},
		{"bad range", "x", Spec{Image: "a/b", Rule: "semver", Range: "one"}, "semver range"},
		{"no range", "x", Spec{Image: "a/b", Rule: "semver"}, "semver.range is required"},
		{"bad order", "x", Spec{Image: "a/b", Rule: "numerical", Order: "up"}, "asc or desc"},
		{"bad pattern", "x", Spec{Image: "a/b", Rule: "alphabetical", Pattern: "("}, "filterTags.pattern"},
		{"extract names a missing group", "x", Spec{Image: "a/b", Rule: "numerical", Pattern: `^(?P<ts>\d+)$`, Extract: "$nope"}, "$nope names no group of the pattern (it has groups $ts)"},
		{"extract names a group number too high", "x", Spec{Image: "a/b", Rule: "numerical", Pattern: `^(\d+)-(\d+)$`, Extract: "${1}.$3"}, "$3 names no group"},
		{"extract with literal dollars", "x", Spec{Image: "a/b", Rule: "alphabetical", Pattern: `^(?P<v>.*)$`, Extract: "$$ $ ${v}$0 $v"}, ""},
		{"image with dot-dot", "x", Spec{Image: "host/../../etc", Rule: "alphabetical"}, `invalid path component ".."`},
		{"extract alone", "x", Spec{Image: "a/b", Rule: "alphabetical", Extract: "$1"}, "needs a pattern"},
		{"bad exclude", "x", Spec{Image: "a/b", Rule: "alphabetical", Exclude: []string{"["}}, "exclude"},
		{"image with tag", "x", Spec{Image: "a/b:1", Rule: "alphabetical"}, "without tag or digest"},
		{"image with digest", "x", Spec{Image: "a/b@sha256:00", Rule: "alphabetical"}, "without tag or digest"},
		{"no image", "x", Spec{Rule: "alphabetical"}, "image"},
		{"bad digest mode", "x", Spec{Image: "a/b", Rule: "alphabetical", Digest: "Sometimes"}, "IfNotPresent"},
		{"bad platform", "x", Spec{Image: "a/b", Rule: "alphabetical", Platform: "linux"}, "os/arch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.id, tc.spec)
			if tc.has == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if p.ID != tc.id || p.Digest != DigestNever || p.Rule() == "" {
					t.Errorf("New = %+v", p)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.has) || !errors.Is(err, ErrInvalid) {
				t.Errorf("New error = %v, want ErrInvalid containing %q", err, tc.has)
			}
		})
	}
}

func TestPolicyAccessors(t *testing.T) {
	nb := mustNew(t, "apps:nb", Spec{Rule: "newestBuild", Platform: "linux/amd64", Digest: DigestAlways})
	sv := mustNew(t, "apps:sv", Spec{Rule: "semver", Range: ">=1.0.0"})
	got := []any{nb.NeedsBuildTimes(), sv.NeedsBuildTimes(), nb.Rule(), sv.Rule(), nb.Namespace, nb.Name, nb.Platform, (&Policy{}).Rule(), (&Policy{}).NeedsBuildTimes()}
	want := []any{true, false, "newestBuild", `semver ">=1.0.0"`, "apps", "nb", "linux/amd64", "", false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	set := &Set{Policies: []*Policy{nb, sv}}
	if set.Lookup("apps:sv") != sv || set.Lookup("nope") != nil {
		t.Error("Lookup did not find the right policies")
	}
}
