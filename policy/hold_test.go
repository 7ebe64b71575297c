package policy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSelectHeld(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	times := map[string]time.Time{"a": t0, "b": t0.Add(time.Hour), "c": t0.Add(2 * time.Hour)}
	rev := func(vs ...string) []Rejection {
		var out []Rejection
		for _, v := range vs {
			out = append(out, Rejection{Version: v, Why: "was reverted in abc1234"})
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		spec     Spec
		tags     []string
		rejected []Rejection
		want     string
		held     string // the whole error of a held policy
	}{
		{name: "reverted version is not selected again", spec: Spec{Rule: "semver", Range: "*"},
			tags: []string{"1.0.0", "1.1.0"}, rejected: rev("1.1.0"),
			held: "held: 1.1.0 was reverted in abc1234; waiting for a version above 1.1.0"},
		{name: "lower versions are not selected either", spec: Spec{Rule: "semver", Range: "*"},
			tags: []string{"1.0.0", "1.0.5", "1.1.0"}, rejected: rev("1.1.0"),
			held: "held: 1.1.0 was reverted in abc1234; waiting for a version above 1.1.0"},
		{name: "a version above proceeds", spec: Spec{Rule: "semver", Range: "*"},
			tags: []string{"1.0.0", "1.1.0", "1.2.0"}, rejected: rev("1.1.0"), want: "1.2.0"},
		{name: "the highest rejection is the floor", spec: Spec{Rule: "semver", Range: "*"},
			tags: []string{"1.1.0", "1.2.0"}, rejected: rev("1.2.0", "1.1.0"),
			held: "held: 1.2.0 was reverted in abc1234 (and 1 more rejected); waiting for a version above 1.2.0"},
		{name: "a rejected version gone from the registry still ranks", spec: Spec{Rule: "semver", Range: "*"},
			tags: []string{"1.0.0"}, rejected: rev("1.1.0"),
			held: "held: 1.1.0 was reverted in abc1234; waiting for a version above 1.1.0"},
		{name: "rejection outside the range still ranks", spec: Spec{Rule: "semver", Range: "<1.1.0"},
			tags: []string{"1.0.0", "1.0.9"}, rejected: rev("1.1.0"),
			held: "held: 1.1.0 was reverted in abc1234; waiting for a version above 1.1.0"},
		{name: "alphabetical order", spec: Spec{Rule: "alphabetical"},
			tags: []string{"a", "b", "c"}, rejected: rev("b"), want: "c"},
		{name: "alphabetical desc order", spec: Spec{Rule: "alphabetical", Order: "desc"},
			tags: []string{"a", "b", "c"}, rejected: rev("a"), held: "held: a was reverted in abc1234; waiting for a version above a"},
		{name: "numerical order", spec: Spec{Rule: "numerical"},
			tags: []string{"9", "10", "11"}, rejected: rev("11"), held: "held: 11 was reverted in abc1234; waiting for a version above 11"},
		{name: "newest build", spec: Spec{Rule: "newestBuild"},
			tags: []string{"a", "b", "c"}, rejected: rev("b"), want: "c"},
		{name: "newest build, rejected is newest", spec: Spec{Rule: "newestBuild"},
			tags: []string{"a", "b", "c"}, rejected: rev("c"), held: "held: c was reverted in abc1234; waiting for a version above c"},
		{name: "newest build, rejected tag gone only excludes itself", spec: Spec{Rule: "newestBuild"},
			tags: []string{"a", "b"}, rejected: rev("zz"), want: "b"},
		{name: "extracted values are ranked", spec: Spec{Rule: "numerical", Pattern: `^main-(?P<ts>[0-9]+)$`, Extract: "$ts"},
			tags: []string{"main-5", "main-7"}, rejected: rev("main-6"), want: "main-7"},
		{name: "without why", spec: Spec{Rule: "semver", Range: "*"},
			tags: []string{"1.0.0"}, rejected: []Rejection{{Version: "1.0.0"}},
			held: "held: 1.0.0 was rejected; waiting for a version above 1.0.0"},
		{name: "suspended", spec: Spec{Rule: "semver", Range: "*", Suspend: true},
			tags: []string{"1.0.0"}, held: "held: policy apps:x is suspended (spec.suspend: true)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustNew(t, "apps:x", tc.spec)
			var got []Decision
			for _, names := range [][]string{tc.tags, reversed(tc.tags)} {
				tags := make([]Tag, len(names))
				for i, n := range names {
					tags[i] = Tag{Name: n, Created: times[n]}
				}
				got = append(got, SelectHeld([]*Policy{p}, map[string][]Tag{p.Image: tags},
					map[string][]Rejection{"apps:x": tc.rejected})[0])
			}
			d := got[0]
			if d.Tag != tc.want {
				t.Errorf("tag = %q, want %q (err %v)", d.Tag, tc.want, d.Err)
			}
			if tc.held != "" {
				if !errors.Is(d.Err, ErrHeld) || d.Err.Error() != tc.held || d.Explanation.Held != tc.held {
					t.Errorf("err = %v, held %q; want %q", d.Err, d.Explanation.Held, tc.held)
				}
			} else if d.Err != nil {
				t.Errorf("unexpected error: %v", d.Err)
			}
			if diff := cmp.Diff(got[0], got[1], cmp.Comparer(sameError)); diff != "" {
				t.Errorf("decision depends on tag order (-listed +reversed):\n%s", diff)
			}
		})
	}
}

func TestSelectHeldExplains(t *testing.T) {
	p := mustNew(t, "apps:x", Spec{Rule: "semver", Range: "*"})
	d := SelectHeld([]*Policy{p}, map[string][]Tag{p.Image: Tags("1.0.0", "1.1.0", "1.2.0")},
		map[string][]Rejection{"apps:x": {{Version: "1.1.0", Why: "was reverted"}}})[0]
	if d.Tag != "1.2.0" || d.Explanation.Candidates != 3 || d.Explanation.BelowRejected != 2 ||
		!cmp.Equal(d.Explanation.Rejected, []string{"1.1.0"}) || !strings.Contains(d.Explanation.Reason, "above 1.1.0, rejected") {
		t.Errorf("decision = %+v", d)
	}
	if plain := Select([]*Policy{p}, map[string][]Tag{p.Image: Tags("1.0.0", "1.1.0")})[0]; plain.Tag != "1.1.0" {
		t.Errorf("Select without rejections = %+v", plain)
	}
}

func TestSelectHeldGroup(t *testing.T) {
	specs := map[string]Spec{
		"apps:api":  {Image: "r/api", Rule: "semver", Range: "*", Group: "stack"},
		"apps:dash": {Image: "r/dash", Rule: "semver", Range: "*", Group: "stack"},
		"apps:solo": {Image: "r/solo", Rule: "semver", Range: "*"},
	}
	tags := map[string][]Tag{"r/api": Tags("1.0.0", "1.1.0"), "r/dash": Tags("1.0.0", "1.1.0"), "r/solo": Tags("2.0.0")}
	for _, tc := range []struct {
		name     string
		rejected map[string][]Rejection
		suspend  string
		extra    map[string][]Tag
		want     map[string]string
		held     string
	}{
		{name: "a member's rejection holds the group", rejected: map[string][]Rejection{"apps:dash": {{Version: "1.1.0", Why: "was set by hand"}}},
			want: map[string]string{"apps:solo": "2.0.0"},
			held: "held: group stack: 1.1.0 was set by hand; waiting for a version above 1.1.0"},
		{name: "the group proceeds above it", rejected: map[string][]Rejection{"apps:dash": {{Version: "1.1.0"}}},
			extra: map[string][]Tag{"r/api": Tags("1.0.0", "1.1.0", "1.2.0"), "r/dash": Tags("1.2.0")},
			want:  map[string]string{"apps:api": "1.2.0", "apps:dash": "1.2.0", "apps:solo": "2.0.0"}},
		{name: "a suspended member holds the group", suspend: "apps:api",
			want: map[string]string{"apps:solo": "2.0.0"},
			held: "held: group stack: policy apps:api is suspended (spec.suspend: true)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ps []*Policy
			for _, id := range []string{"apps:api", "apps:dash", "apps:solo"} {
				s := specs[id]
				s.Suspend = id == tc.suspend
				ps = append(ps, mustNew(t, id, s))
			}
			all := map[string][]Tag{}
			for k, v := range tags {
				all[k] = v
			}
			for k, v := range tc.extra {
				all[k] = v
			}
			got := map[string]string{}
			for _, d := range SelectHeld(ps, all, tc.rejected) {
				if d.Tag != "" {
					got[d.Policy] = d.Tag
				}
				if d.Policy != "apps:solo" && tc.held != "" && (!errors.Is(d.Err, ErrHeld) || d.Err.Error() != tc.held) {
					t.Errorf("%s: err = %v, want %q", d.Policy, d.Err, tc.held)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("tags mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadSuspend(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hoist.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: api, namespace: apps}\n" +
			"spec:\n  image: r/api\n  policy: {semver: {range: '*'}}\n  suspend: true\n",
		"flux.yaml": "apiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: ImageRepository\nmetadata: {name: web, namespace: apps}\nspec: {image: r/web}\n" +
			"---\napiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: ImagePolicy\nmetadata:\n  name: web\n  namespace: apps\n" +
			"  annotations: {hoist.dev/suspend: \"true\"}\nspec:\n  imageRepositoryRef: {name: web}\n  policy: {semver: {range: '*'}}\n",
		"repo.yaml": "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: db, namespace: apps}\nspec: {image: r/db, suspend: true}\n" +
			"---\napiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: db, namespace: apps}\n" +
			"spec:\n  imageRepositoryRef: {name: db}\n  policy: {semver: {range: '*'}}\n",
		"bad.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: bad}\n" +
			"spec:\n  image: r/bad\n  policy: {semver: {range: '*'}}\n  suspend: maybe\n",
	})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range set.Policies {
		got[p.ID] = p.Suspend
	}
	if diff := cmp.Diff(map[string]bool{"apps:api": true, "apps:web": true, "apps:db": true}, got); diff != "" {
		t.Errorf("suspended mismatch (-want +got):\n%s", diff)
	}
	if errs := set.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "spec.suspend: must be true or false") {
		t.Errorf("problems = %v", errs)
	}
	d := Select(set.Policies, map[string][]Tag{"r/web": Tags("1.0.0"), "r/api": Tags("1.0.0"), "r/db": Tags("1.0.0")})
	got2 := map[string]string{}
	for _, d := range d {
		if !errors.Is(d.Err, ErrHeld) {
			t.Errorf("%s: err = %v, want held", d.Policy, d.Err)
		}
		got2[d.Policy] = d.Explanation.Held
	}
	want2 := map[string]string{
		"apps:api": "held: policy apps:api is suspended (spec.suspend: true)",
		"apps:web": `held: policy apps:web is suspended (annotation hoist.dev/suspend: "true")`,
		"apps:db":  "held: policy apps:db is suspended (ImageRepository apps:db has spec.suspend: true)",
	}
	if diff := cmp.Diff(want2, got2); diff != "" {
		t.Errorf("held mismatch (-want +got):\n%s", diff)
	}
}

// FuzzSelectHeld: a rejected tag is never selected, the decision does not
// depend on the order of tags, and a selected tag ranks above every
// rejected one that the policy can rank (it would win against them).
func FuzzSelectHeld(f *testing.F) {
	f.Add("1.0.0 1.1.0 1.2.0", "1.1.0", "semver")
	f.Add("a b c", "c", "alphabetical")
	f.Add("1 2 10", "2", "numerical")
	f.Fuzz(func(t *testing.T, tags, rejected, rule string) {
		spec := Spec{Rule: rule}
		if rule == "semver" {
			spec.Range = "*"
		}
		p, err := New("apps:x", spec)
		if err != nil {
			return
		}
		var rs []Rejection
		for _, v := range strings.Fields(rejected) {
			rs = append(rs, Rejection{Version: v})
		}
		names := strings.Fields(tags)
		d := SelectHeld([]*Policy{p}, map[string][]Tag{p.Image: Tags(names...)}, map[string][]Rejection{"apps:x": rs})[0]
		back := SelectHeld([]*Policy{p}, map[string][]Tag{p.Image: Tags(reversed(names)...)}, map[string][]Rejection{"apps:x": rs})[0]
		if d.Tag != back.Tag {
			t.Fatalf("order changed the decision: %q vs %q", d.Tag, back.Tag)
		}
		if d.Tag == "" {
			return
		}
		all := append(append([]string{}, strings.Fields(rejected)...), d.Tag)
		for _, r := range rs {
			if r.Version == d.Tag {
				t.Fatalf("selected rejected tag %q", d.Tag)
			}
		}
		// Among the selected tag and the rankable rejected ones, the selected one wins.
		if w := Select([]*Policy{p}, map[string][]Tag{p.Image: Tags(all...)})[0]; w.Err == nil && w.Tag != d.Tag {
			if fl := p.floorOf(rs, nil); fl.set {
				t.Fatalf("selected %q, but rejected %q ranks higher", d.Tag, w.Tag)
			}
		}
	})
}
