package policy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSelectGroup(t *testing.T) {
	semver := func(img, rng string) Spec {
		return Spec{Image: img, Rule: "semver", Range: rng, Group: "stack"}
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		specs   map[string]Spec
		tags    map[string][]Tag
		want    map[string]string // policy -> tag
		held    string            // substring of every member's error
		wantErr error
	}{
		{
			name:  "highest common version",
			specs: map[string]Spec{"apps:api": semver("r/api", "*"), "apps:dash": semver("r/dash", "*")},
			tags:  map[string][]Tag{"r/api": Tags("1.4.0", "1.5.0", "1.6.0"), "r/dash": Tags("1.4.0", "1.5.0", "latest")},
			want:  map[string]string{"apps:api": "1.5.0", "apps:dash": "1.5.0"},
		},
		{
			name:  "each member keeps its spelling",
			specs: map[string]Spec{"apps:api": semver("r/api", "*"), "apps:dash": semver("r/dash", "*")},
			tags:  map[string][]Tag{"r/api": Tags("v1.5.0", "v1.6.0"), "r/dash": Tags("1.5.0", "1.5.0+build.3")},
			want:  map[string]string{"apps:api": "v1.5.0", "apps:dash": "1.5.0+build.3"},
		},
		{
			name:  "each member's range applies",
			specs: map[string]Spec{"apps:api": semver("r/api", "<1.5.0"), "apps:dash": semver("r/dash", "*")},
			tags:  map[string][]Tag{"r/api": Tags("1.4.0", "1.5.0"), "r/dash": Tags("1.4.0", "1.5.0")},
			want:  map[string]string{"apps:api": "1.4.0", "apps:dash": "1.4.0"},
		},
		{
			name:    "no common version names the member that lacks it",
			specs:   map[string]Spec{"apps:api": semver("r/api", "*"), "apps:dash": semver("r/dash", "*"), "apps:db": semver("r/db", "*")},
			tags:    map[string][]Tag{"r/api": Tags("1.6.0"), "r/dash": Tags("1.5.0"), "r/db": Tags("1.5.0", "1.6.0")},
			held:    "apps:dash lacks 1.6.0",
			wantErr: ErrGroupHeld,
		},
		{
			name:    "a member without tags holds the group",
			specs:   map[string]Spec{"apps:api": semver("r/api", "*"), "apps:dash": semver("r/dash", "*")},
			tags:    map[string][]Tag{"r/api": Tags("1.6.0")},
			held:    "member apps:dash: no tags listed for image r/dash",
			wantErr: ErrNoTags,
		},
		{
			name:    "a member without candidates holds the group",
			specs:   map[string]Spec{"apps:api": semver("r/api", "*"), "apps:dash": semver("r/dash", "*")},
			tags:    map[string][]Tag{"r/api": Tags("1.6.0"), "r/dash": Tags("latest")},
			held:    "member apps:dash: no candidate tag",
			wantErr: ErrNoCandidate,
		},
		{
			name: "mixed rules hold the group",
			specs: map[string]Spec{"apps:api": semver("r/api", "*"),
				"apps:dash": {Image: "r/dash", Rule: "alphabetical", Group: "stack"}},
			tags: map[string][]Tag{"r/api": Tags("1.6.0"), "r/dash": Tags("1.6.0")},
			held: "use different rules",
		},
		{
			name: "extracted values are the versions",
			specs: map[string]Spec{
				"api":  {Image: "r/api", Rule: "numerical", Pattern: `^main-(\d+)-`, Extract: "$1", Group: "stack"},
				"dash": {Image: "r/dash", Rule: "numerical", Pattern: `^(\d+)-main$`, Extract: "$1", Group: "stack"},
			},
			tags: map[string][]Tag{"r/api": Tags("main-100-aaa", "main-200-bbb"), "r/dash": Tags("100-main", "150-main")},
			want: map[string]string{"api": "main-100-aaa", "dash": "100-main"},
		},
		{
			name: "alphabetical groups share values",
			specs: map[string]Spec{
				"api":  {Image: "r/api", Rule: "alphabetical", Order: "desc", Group: "g"},
				"dash": {Image: "r/dash", Rule: "alphabetical", Order: "desc", Group: "g"},
			},
			tags: map[string][]Tag{"r/api": Tags("b", "c", "d"), "r/dash": Tags("a", "c", "d")},
			want: map[string]string{"api": "c", "dash": "c"},
		},
		{
			name: "alphabetical orders must agree",
			specs: map[string]Spec{
				"api":  {Image: "r/api", Rule: "alphabetical", Group: "g"},
				"dash": {Image: "r/dash", Rule: "alphabetical", Order: "desc", Group: "g"},
			},
			tags: map[string][]Tag{"r/api": Tags("b"), "r/dash": Tags("b")},
			held: "use different rules",
		},
		{
			name: "newest build counts when the last member was built",
			specs: map[string]Spec{
				"api":  {Image: "r/api", Rule: "newestBuild", Group: "g"},
				"dash": {Image: "r/dash", Rule: "newestBuild", Group: "g"},
			},
			tags: map[string][]Tag{
				"r/api":  {{"a", t0.Add(3 * time.Hour)}, {"b", t0.Add(1 * time.Hour)}, {"c", t0.Add(9 * time.Hour)}},
				"r/dash": {{"a", t0.Add(4 * time.Hour)}, {"b", t0.Add(5 * time.Hour)}},
			},
			want: map[string]string{"api": "b", "dash": "b"},
		},
		{
			name:  "ungrouped policies are not held",
			specs: map[string]Spec{"solo": {Image: "r/solo", Rule: "semver", Range: "*"}, "apps:api": semver("r/api", "*")},
			tags:  map[string][]Tag{"r/solo": Tags("2.0.0"), "r/api": Tags("1.0.0")},
			want:  map[string]string{"solo": "2.0.0", "apps:api": "1.0.0"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ps []*Policy
			for id, s := range tc.specs {
				ps = append(ps, mustNew(t, id, s))
			}
			got := map[string]string{}
			for i, d := range Select(ps, tc.tags) {
				if d.Policy != ps[i].ID {
					t.Fatalf("decision %d is for %s, want %s", i, d.Policy, ps[i].ID)
				}
				if tc.held != "" {
					if d.Err == nil || !strings.Contains(d.Err.Error(), tc.held) || !errors.Is(d.Err, ErrGroupHeld) {
						t.Errorf("%s: err = %v, want group held with %q", d.Policy, d.Err, tc.held)
					}
					if tc.wantErr != nil && !errors.Is(d.Err, tc.wantErr) {
						t.Errorf("%s: err = %v, want errors.Is %v", d.Policy, d.Err, tc.wantErr)
					}
					continue
				}
				if d.Err != nil {
					t.Errorf("%s: unexpected error %v", d.Policy, d.Err)
				}
				got[d.Policy] = d.Tag
			}
			if tc.held == "" {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("tags mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestSelectGroupExplains(t *testing.T) {
	api := mustNew(t, "apps:api", Spec{Image: "r/api", Rule: "semver", Range: "*", Group: "stack"})
	dash := mustNew(t, "apps:dash", Spec{Image: "r/dash", Rule: "semver", Range: "*", Group: "stack"})
	d := Select([]*Policy{dash, api}, map[string][]Tag{"r/api": Tags("1.0.0", "1.1.0", "2.0.0"), "r/dash": Tags("1.0.0", "1.1.0")})
	want := Explanation{Seen: 2, Candidates: 2, Rule: `semver "*"`, Value: "1.1.0", Group: "stack", Common: 2,
		Reason: `group stack: highest version in range "*" among the 2 versions all 2 members have: 1.1.0`}
	if diff := cmp.Diff(want, d[0].Explanation); diff != "" {
		t.Errorf("explanation mismatch (-want +got):\n%s", diff)
	}
}
