package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

const semverSpec = "  policy:\n    semver: {range: '>=1.0.0'}\n"

func TestLoadCharts(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"oci.yaml":     hoistDoc("oci", "  chart: oci://ghcr.io/acme/charts/api\n"+semverSpec),
		"classic.yaml": hoistDoc("classic", "  chart: {repository: https://charts.example.com, name: api}\n"+semverSpec),
		"flux.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: acme, namespace: flux-system}\n" +
			"spec: {url: https://charts.example.com/stable, interval: 10m}\n---\n" +
			"apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: HelmRepository\nmetadata: {name: acme-oci, namespace: apps}\n" +
			"spec: {type: oci, url: oci://registry.example.com/charts}\n---\n" +
			hoistDoc("ref", "  chart:\n    helmRepositoryRef: {name: acme, namespace: flux-system}\n    name: web\n"+semverSpec) + "\n---\n" +
			hoistDoc("ref-oci", "  chart:\n    helmRepositoryRef: {name: acme-oci}\n    name: db\n"+semverSpec),
	})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Errors()) > 0 {
		t.Fatalf("problems: %v", set.Errors())
	}
	type chartSummary struct {
		ID, Image string
		Chart     Chart
		OCIRepo   string
	}
	var got []chartSummary
	for _, p := range set.Policies {
		got = append(got, chartSummary{p.ID, p.Image, *p.Chart, p.Chart.OCIRepository()})
	}
	want := []chartSummary{
		{"apps:classic", "https://charts.example.com#api", Chart{Repository: "https://charts.example.com", Name: "api"}, ""},
		{"apps:ref", "https://charts.example.com/stable#web", Chart{Repository: "https://charts.example.com/stable", Name: "web", HelmRepository: "flux-system:acme"}, ""},
		{"apps:ref-oci", "oci://registry.example.com/charts/db", Chart{Repository: "oci://registry.example.com/charts", Name: "db", HelmRepository: "apps:acme-oci"}, "registry.example.com/charts/db"},
		{"apps:oci", "oci://ghcr.io/acme/charts/api", Chart{Repository: "oci://ghcr.io/acme/charts/api"}, "ghcr.io/acme/charts/api"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chart policies mismatch (-want +got):\n%s", diff)
	}
	if len(set.Notes) != 1 || !strings.Contains(set.Notes[0].String(), "spec.interval") {
		t.Errorf("notes = %v, want one about spec.interval", set.Notes)
	}
}

func TestLoadGateProblems(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  []string // problems, "file:line: message" prefixes
	}{
		"image and chart": {map[string]string{"p.yaml": hoistDoc("a", goodSpec+"  chart: oci://ghcr.io/a/b\n")},
			[]string{"p.yaml:10: policy apps:a: spec: give image or chart, not both"}},
		"chart string not oci": {map[string]string{"p.yaml": hoistDoc("a", "  chart: https://charts.example.com\n"+semverSpec)},
			[]string{`p.yaml:7: policy apps:a: spec.chart: "https://charts.example.com": a chart given as a string must be an oci:// reference`}},
		"classic without name": {map[string]string{"p.yaml": hoistDoc("a", "  chart: {repository: https://charts.example.com}\n"+semverSpec)},
			[]string{"p.yaml:7: policy apps:a: spec.chart.name: is required for a classic Helm repository"}},
		"credentials in url": {map[string]string{"p.yaml": hoistDoc("a", "  chart: {repository: 'https://u:p@charts.example.com', name: a}\n"+semverSpec)},
			[]string{"p.yaml:7: policy apps:a: spec.chart.repository: must not hold credentials"}},
		"missing HelmRepository": {map[string]string{"p.yaml": hoistDoc("a", "  chart: {helmRepositoryRef: {name: nope}, name: a}\n"+semverSpec)},
			[]string{"p.yaml:7: policy apps:a: spec.chart.helmRepositoryRef: HelmRepository apps:nope not found under the loaded path"}},
		"oci HelmRepository without type": {map[string]string{"p.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: r}\nspec:\n  url: oci://ghcr.io/a\n"},
			[]string{`p.yaml:5: HelmRepository r: spec.url: "oci://ghcr.io/a": an oci:// URL goes with type: oci`}},
		"chart digest": {map[string]string{"p.yaml": hoistDoc("a", "  chart: oci://ghcr.io/a/b\n  digest: Always\n"+semverSpec)},
			[]string{"p.yaml:8: policy apps:a: spec.digest: must be Never for a chart"}},
		"minAge": {map[string]string{"p.yaml": hoistDoc("a", goodSpec+"  minAge: tomorrow\n")},
			[]string{`p.yaml:10: policy apps:a: spec.minAge: "tomorrow" is not a duration`}},
		"follow without path": {map[string]string{"p.yaml": hoistDoc("a", goodSpec+"  follow: {policy: apps:b}\n")},
			[]string{"p.yaml:10: policy apps:a: spec.follow.path: is required"}},
		"follow out of the repo": {map[string]string{"p.yaml": hoistDoc("a", goodSpec+"  follow:\n    path: ../x\n    policy: apps:b\n")},
			[]string{`p.yaml:11: policy apps:a: spec.follow.path: "../x" leads out of the repository`}},
		"follow bad after": {map[string]string{"p.yaml": hoistDoc("a", goodSpec+"  follow:\n    path: x\n    policy: apps:b\n    after: soon\n")},
			[]string{`p.yaml:13: policy apps:a: spec.follow.after: "soon" is not a duration`}},
		"follow and group": {map[string]string{"p.yaml": hoistDoc("a", goodSpec+"  group: g\n  follow: {path: x, policy: b}\n")},
			[]string{"p.yaml:11: policy apps:a: spec.follow: cannot be combined with group"}},
		"cycle": {map[string]string{
			"a.yaml": hoistDoc("a", goodSpec+"  follow: {path: staging, policy: 'apps:b', after: 1h}\n"),
			"b.yaml": hoistDoc("b", goodSpec+"  follow: {path: prod, policy: 'apps:a', after: 1h}\n"),
			"c.yaml": hoistDoc("c", goodSpec+"  follow: {path: prod, policy: 'apps:a', after: 1h}\n"),
			"d.yaml": hoistDoc("d", goodSpec+"  follow: {path: prod, policy: 'apps:d', branch: staging}\n"),
		}, []string{
			"a.yaml:10: policy apps:a: spec.follow: a cycle of follows: apps:a -> apps:b -> apps:a",
			"b.yaml:10: policy apps:b: spec.follow: a cycle of follows: apps:b -> apps:a -> apps:b",
		}},
		"flux annotations": {map[string]string{"p.yaml": "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r}\nspec: {image: a/r}\n---\n" +
			"apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: p\n  annotations:\n    hoist.dev/follow: '{path: x, policy: q, after: 1y}'\n" +
			"spec:\n  imageRepositoryRef: {name: r}\n  policy: {semver: {range: '*'}}\n"},
			[]string{`p.yaml:11: policy p: metadata.annotations.hoist.dev/follow.after: "1y" is not a duration`}},
	} {
		t.Run(name, func(t *testing.T) {
			set, err := Load(writeTree(t, tc.files))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range set.Errors() {
				got = append(got, p.Error())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems = %q, want %q", got, tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("problem %d = %q, want prefix %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestLoadGates(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"p.yaml": hoistDoc("prod", goodSpec+"  minAge: 1d12h\n  follow:\n    path: clusters/staging/\n    policy: apps:api\n    after: 6h\n    branch: staging\n") + "\n---\n" +
			"apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r}\nspec: {image: a/r}\n---\n" +
			"apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: p\n  annotations:\n    hoist.dev/min-age: 24h\n" +
			"    hoist.dev/follow: '{path: x, policy: q, after: 90m}'\nspec:\n  imageRepositoryRef: {name: r}\n  policy: {semver: {range: '*'}}\n",
	})
	set, err := Load(dir)
	if err != nil || len(set.Problems) > 0 {
		t.Fatalf("Load: %v %v", err, set.Problems)
	}
	type gates struct {
		MinAge time.Duration
		Follow Follow
	}
	got := []gates{{set.Policies[0].MinAge, *set.Policies[0].Follow}, {set.Policies[1].MinAge, *set.Policies[1].Follow}}
	want := []gates{
		{36 * time.Hour, Follow{Path: "clusters/staging", Policy: "apps:api", After: 6 * time.Hour, Branch: "staging", Line: 12}},
		{24 * time.Hour, Follow{Path: "x", Policy: "q", After: 90 * time.Minute, Line: 29}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gates mismatch (-want +got):\n%s", diff)
	}
	if !set.Policies[0].NeedsBuildTimes() {
		t.Error("a minAge policy needs build times")
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"24h": 24 * time.Hour, "90m": 90 * time.Minute, "7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour, "0s": 0, "0d": 0,
	} {
		got, err := ParseAge(in)
		if err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "1y", "-1h", "9999d", "3651d", "1d-2h", "24"} {
		if got, err := ParseAge(in); err == nil {
			t.Errorf("ParseAge(%q) = %v, want an error", in, got)
		}
	}
}

func TestSelectMinAge(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	p, err := New("apps:api", Spec{Image: "a/api", Rule: "semver", Range: ">=1.0.0", MinAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	tags := []Tag{
		{Name: "1.0.0", Created: now.Add(-72 * time.Hour)},
		{Name: "1.1.0", Created: now.Add(-26 * time.Hour)},
		{Name: "1.2.0", Created: now.Add(-2 * time.Hour)},
		{Name: "1.3.0"}, // build time unknown
	}
	for name, list := range map[string][]Tag{"listed": tags, "reversed": reverseTags(tags)} {
		t.Run(name, func(t *testing.T) {
			d := SelectFacts([]*Policy{p}, map[string][]Tag{"a/api": list}, Facts{Now: now})[0]
			if d.Err != nil || d.Tag != "1.1.0" {
				t.Fatalf("decision = %q, %v; want 1.1.0", d.Tag, d.Err)
			}
			e := d.Explanation
			want := []Wait{
				{Version: "1.3.0", Why: "build time unknown (minAge 24h)"},
				{Version: "1.2.0", Until: now.Add(22 * time.Hour), Why: "built 2026-11-21 10:00, 2h old (minAge 24h)"},
			}
			if diff := cmp.Diff(want, e.Waiting); diff != "" {
				t.Errorf("waiting mismatch (-want +got):\n%s", diff)
			}
			if e.Gated != 2 || e.Candidates != 2 || e.Gate != "built 2026-11-20 10:00, 26h old" || e.Seen != 4 {
				t.Errorf("explanation = %+v", e)
			}
			if !strings.Contains(e.Reason, "1.2.0 waits until 2026-11-22 10:00") {
				t.Errorf("reason %q does not say what waits", e.Reason)
			}
		})
	}
	d := SelectFacts([]*Policy{p}, map[string][]Tag{"a/api": tags[2:]}, Facts{Now: now})[0]
	if !errors.Is(d.Err, ErrWaiting) || !errors.Is(d.Err, ErrHeld) || d.Explanation.Held == "" {
		t.Fatalf("all too young: err = %v, want ErrWaiting and ErrHeld", d.Err)
	}
}

func reverseTags(tags []Tag) []Tag {
	out := slices.Clone(tags)
	slices.Reverse(out)
	return out
}

func TestSelectFollow(t *testing.T) {
	now := time.Date(2026, 11, 21, 11, 12, 0, 0, time.UTC)
	h := func(n float64) time.Time { return now.Add(-time.Duration(n * float64(time.Hour))) }
	p, err := New("apps:api-prod", Spec{Image: "a/api", Rule: "semver", Range: ">=1.0.0",
		Follow: &Follow{Path: "clusters/staging", Policy: "apps:api", After: 6 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		stints   []Stint
		rejected []Rejection
		want     string
		gate     string
		waiting  []Wait
		errIs    error
	}{
		"held long enough": {stints: []Stint{{Version: "1.4.3", Since: h(26)}}, want: "1.4.3",
			gate: "on clusters/staging since 2026-11-20 09:12, 26h"},
		"newest still young": {stints: []Stint{{Version: "1.4.4", Since: h(2)}, {Version: "1.4.3", Since: h(28), Until: h(2)}}, want: "1.4.3",
			gate:    "on clusters/staging since 2026-11-20 07:12, 26h (until 2026-11-21 09:12)",
			waiting: []Wait{{Version: "1.4.4", Until: h(-4), Why: "on clusters/staging since 2026-11-21 09:12, 2h of 6h"}}},
		"reverted on staging": {stints: []Stint{{Version: "1.4.3", Since: h(1)}, {Version: "1.5.0", Since: h(30), Until: h(1), Rejected: "was reverted in abc1234"},
			{Version: "1.4.3", Since: h(40), Until: h(30)}}, errIs: ErrWaiting,
			waiting: []Wait{{Version: "1.5.0", Why: "on clusters/staging: was reverted in abc1234"},
				{Version: "1.4.3", Until: h(-5), Why: "on clusters/staging since 2026-11-21 10:12, 1h of 6h"}}},
		"left too soon": {stints: []Stint{{Version: "1.4.5", Since: h(1)}, {Version: "1.4.4", Since: h(5), Until: h(1)}, {Version: "1.4.3", Since: h(50), Until: h(5)}},
			want: "1.4.3", gate: "on clusters/staging since 2026-11-19 09:12, 45h (until 2026-11-21 06:12)",
			waiting: []Wait{{Version: "1.4.5", Until: h(-5), Why: "on clusters/staging since 2026-11-21 10:12, 1h of 6h"},
				{Version: "1.4.4", Why: "left clusters/staging after 4h (follow needs 6h)"}}},
		"rejected here": {stints: []Stint{{Version: "1.4.3", Since: h(26)}}, rejected: []Rejection{{Version: "1.4.3", Why: "was reverted"}}, errIs: ErrHeld},
	} {
		t.Run(name, func(t *testing.T) {
			f := Facts{Now: now, Followed: map[string]Followed{p.ID: {Stints: tc.stints}}, Rejected: map[string][]Rejection{p.ID: tc.rejected}}
			// the registry's tags are not looked at: a follower sees only what the followed markers held
			d := SelectFacts([]*Policy{p}, map[string][]Tag{"a/api": Tags("9.9.9")}, f)[0]
			if tc.errIs != nil {
				if !errors.Is(d.Err, tc.errIs) {
					t.Fatalf("err = %v, want %v", d.Err, tc.errIs)
				}
			} else if d.Err != nil || d.Tag != tc.want || d.Explanation.Gate != tc.gate {
				t.Fatalf("decision = %q, %v, gate %q; want %q, gate %q", d.Tag, d.Err, d.Explanation.Gate, tc.want, tc.gate)
			}
			if diff := cmp.Diff(tc.waiting, d.Explanation.Waiting); diff != "" {
				t.Errorf("waiting mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("missing path", func(t *testing.T) {
		f := Facts{Now: now, Followed: map[string]Followed{p.ID: {Err: errors.New("no marker of apps:api under clusters/staging")}}}
		d := SelectFacts([]*Policy{p}, nil, f)[0]
		if d.Err == nil || d.Err.Error() != "follow apps:api in clusters/staging for 6h: no marker of apps:api under clusters/staging" {
			t.Fatalf("err = %v", d.Err)
		}
	})
}

func TestSelectChartExplanation(t *testing.T) {
	p, err := New("apps:api", Spec{Chart: &Chart{Repository: "https://charts.example.com", Name: "api"}, Rule: "semver", Range: "*"})
	if err != nil {
		t.Fatal(err)
	}
	d := Select([]*Policy{p}, map[string][]Tag{p.Image: Tags("1.0.0", "1.2.0+build.1")})[0]
	if d.Tag != "1.2.0+build.1" || d.Explanation.Chart == nil || d.Explanation.Chart.Name != "api" ||
		!strings.HasSuffix(d.Explanation.Reason, "; chart api from https://charts.example.com") {
		t.Fatalf("decision = %+v", d)
	}
}

// FuzzGateSpec feeds spec.minAge and spec.follow (and the annotation
// form) to their parsers: they never panic, and what they accept is
// clean.
func FuzzGateSpec(f *testing.F) {
	f.Add("minAge: 24h\nfollow: {path: clusters/staging, policy: apps:api, after: 6h, branch: main}\n")
	f.Add("minAge: 1d12h\nfollow: {path: ./a/../b/, policy: api}\n")
	f.Add("follow: {path: ../x, policy: 'a:b:c'}\n")
	f.Add("minAge: [1]\nfollow: x\n")
	f.Add("follow: &a {path: *a}\n")
	f.Fuzz(func(t *testing.T, spec string) {
		var doc yaml.Node
		if yaml.Unmarshal([]byte(spec), &doc) != nil || len(doc.Content) == 0 {
			return
		}
		p := &Policy{}
		if err := parseGates(deref(doc.Content[0]), p); err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if p.MinAge < 0 || p.MinAge > maxGate {
			t.Fatalf("minAge %v out of range", p.MinAge)
		}
		if fl := p.Follow; fl != nil {
			// "..0" is a name like any other; ".." and "../x" leave the worktree.
			leaves := fl.Path == ".." || strings.HasPrefix(fl.Path, "../")
			if fl.Path == "" || strings.HasPrefix(fl.Path, "/") || leaves || checkPolicyID(fl.Policy) != nil || fl.After < 0 {
				t.Fatalf("accepted follow %+v", fl)
			}
			if _, err := parseFollowText("{path: "+strconvQuote(fl.Path)+", policy: "+strconvQuote(fl.Policy)+"}", 1, "x"); err != nil {
				t.Fatalf("accepted follow does not read back: %v", err)
			}
		}
	})
}

func strconvQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
