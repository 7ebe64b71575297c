package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// counts is the part of an Explanation the tables check.
type counts struct{ Seen, Excluded, FilteredOut, Unparseable, OutOfRange, Candidates int }

func countsOf(e Explanation) counts {
	return counts{e.Seen, e.Excluded, e.FilteredOut, e.Unparseable, e.OutOfRange, e.Candidates}
}

type selectCase struct {
	name    string
	spec    Spec
	tags    []string
	times   map[string]time.Time // build times for newestBuild
	want    string
	wantErr error  // checked with errors.Is
	errHas  string // a substring of the error
	counts  *counts
}

func mustNew(t testing.TB, id string, s Spec) *Policy {
	t.Helper()
	if s.Image == "" {
		s.Image = "example.com/app"
	}
	p, err := New(id, s)
	if err != nil {
		t.Fatalf("New(%q): %v", id, err)
	}
	return p
}

// runSelect checks a case with the tags as listed and reversed: the order
// of tags must never change the decision.
func runSelect(t *testing.T, tc selectCase) {
	p := mustNew(t, "apps:"+strings.ReplaceAll(strings.ToLower(tc.name), " ", "-"), tc.spec)
	var got []Decision
	for _, names := range [][]string{tc.tags, reversed(tc.tags)} {
		tags := make([]Tag, len(names))
		for i, n := range names {
			tags[i] = Tag{Name: n, Created: tc.times[n]}
		}
		got = append(got, Select([]*Policy{p}, map[string][]Tag{p.Image: tags})[0])
	}
	d := got[0]
	if d.Tag != tc.want {
		t.Errorf("tag = %q, want %q (err %v)", d.Tag, tc.want, d.Err)
	}
	if tc.wantErr == nil && tc.errHas == "" && d.Err != nil {
		t.Errorf("unexpected error: %v", d.Err)
	}
	if tc.wantErr != nil && !errors.Is(d.Err, tc.wantErr) {
		t.Errorf("err = %v, want %v", d.Err, tc.wantErr)
	}
	if tc.errHas != "" && (d.Err == nil || !strings.Contains(d.Err.Error(), tc.errHas)) {
		t.Errorf("err = %v, want it to contain %q", d.Err, tc.errHas)
	}
	if tc.counts != nil {
		if diff := cmp.Diff(*tc.counts, countsOf(d.Explanation)); diff != "" {
			t.Errorf("counts mismatch (-want +got):\n%s", diff)
		}
	}
	if diff := cmp.Diff(got[0], got[1], cmp.Comparer(sameError)); diff != "" {
		t.Errorf("decision depends on tag order (-listed +reversed):\n%s", diff)
	}
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func TestSelectSemver(t *testing.T) {
	sv := func(r string) Spec { return Spec{Rule: "semver", Range: r} }
	for _, tc := range []selectCase{
		{name: "flux regular", spec: sv("1.0.x"), tags: []string{"1.0.0", "1.0.0.1", "1.0.0p", "1.0.1", "1.2.0", "0.1.0"},
			want: "1.0.1", counts: &counts{Seen: 6, Unparseable: 2, OutOfRange: 2, Candidates: 2}},
		{name: "v prefix returns the original tag", spec: sv("1.0.x"), tags: []string{"v1.2.3", "v1.0.0", "v0.1.0"}, want: "v1.0.0"},
		{name: "other prefixes are not versions", spec: sv("1.0.x"), tags: []string{"b1.2.3", "b1.0.0", "b0.1.0"},
			wantErr: ErrNoCandidate, counts: &counts{Seen: 3, Unparseable: 3}},
		{name: "empty list", spec: sv("1.0.x"), tags: nil, wantErr: ErrNoCandidate},
		{name: "nothing in range", spec: sv("1.0.x"), tags: []string{"1.2.0"}, wantErr: ErrNoCandidate,
			counts: &counts{Seen: 1, OutOfRange: 1}},
		{name: "prereleases skipped by a plain range", spec: sv(">=1.0.0"), tags: []string{"1.2.0-rc.1", "1.1.0"}, want: "1.1.0",
			counts: &counts{Seen: 2, OutOfRange: 1, Candidates: 1}},
		{name: "prereleases admitted by a prerelease range", spec: sv(">=1.0.0-0"), tags: []string{"1.2.0-rc.1", "1.1.0"}, want: "1.2.0-rc.1"},
		{name: "release beats its prerelease", spec: sv(">=1.0.0-0"), tags: []string{"1.2.0-rc.1", "1.2.0", "1.2.0-rc.2"}, want: "1.2.0"},
		{name: "prerelease ordering", spec: sv(">=1.0.0-0"), tags: []string{"1.2.0-rc.9", "1.2.0-rc.10", "1.2.0-beta"}, want: "1.2.0-rc.10"},
		{name: "four-part versions ignored", spec: sv(">=1.0.0"), tags: []string{"1.2.3.4", "1.2.3"}, want: "1.2.3"},
		{name: "two-part versions ignored", spec: sv(">=1.0.0"), tags: []string{"1.9", "1.2.3"}, want: "1.2.3"},
		{name: "leading zeros ignored", spec: sv(">=1.0.0"), tags: []string{"01.0.0", "1.0.0"}, want: "1.0.0",
			counts: &counts{Seen: 2, Unparseable: 1, Candidates: 1}},
		{name: "v and plain tie breaks to the greater string", spec: sv(">=1.0.0"), tags: []string{"1.0.0", "v1.0.0"}, want: "v1.0.0"},
		{name: "build metadata tie breaks by string", spec: sv(">=1.0.0"), tags: []string{"1.0.0+build.10", "1.0.0+build.2"}, want: "1.0.0+build.2"},
		{name: "empty tag names are not tags", spec: Spec{Rule: "alphabetical"}, tags: []string{"", ""}, wantErr: ErrNoCandidate,
			counts: &counts{Seen: 2, Unparseable: 2}},
		{name: "star skips non-versions", spec: sv("*"), tags: []string{"latest", "sha-abc", "2.0.0", "10.0.0"}, want: "10.0.0"},
		{name: "or ranges", spec: sv("<1.0.0 || >=2.0.0 <3.0.0"), tags: []string{"0.9.0", "1.5.0", "2.1.0", "3.0.0"}, want: "2.1.0"},
		{name: "caret", spec: sv("^1.4"), tags: []string{"1.4.0", "1.9.9", "2.0.0"}, want: "1.9.9"},
		{name: "tilde", spec: sv("~1.4"), tags: []string{"1.4.0", "1.4.7", "1.5.0"}, want: "1.4.7"},
		{name: "exclusions first", spec: Spec{Rule: "semver", Range: "*", Exclude: []string{`^2\.`}}, tags: []string{"1.0.0", "2.0.0"},
			want: "1.0.0", counts: &counts{Seen: 2, Excluded: 1, Candidates: 1}},
		{name: "semver on an extracted value", spec: Spec{Rule: "semver", Range: ">=1.0.0", Pattern: `^app-(?P<v>.*)$`, Extract: "${v}"},
			tags: []string{"app-1.2.0", "app-1.10.0", "web-9.0.0"}, want: "app-1.10.0", counts: &counts{Seen: 3, FilteredOut: 1, Candidates: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) { runSelect(t, tc) })
	}
}

func TestSelectAlphabetical(t *testing.T) {
	ubuntu := []string{"16.04", "16.04.1", "16.10", "20.04", "20.10"}
	names := []string{"xenial", "yakkety", "zesty", "artful", "bionic"}
	stamps := []string{"1606234201", "1606364286", "1606334092", "1606334284", "1606334201"}
	asc, desc := Spec{Rule: "alphabetical"}, Spec{Rule: "alphabetical", Order: "desc"}
	for _, tc := range []selectCase{
		{name: "calver", spec: asc, tags: ubuntu, want: "20.10"},
		{name: "calver desc", spec: desc, tags: ubuntu, want: "16.04"},
		{name: "code names", spec: asc, tags: names, want: "zesty"},
		{name: "code names desc", spec: desc, tags: names, want: "artful"},
		{name: "timestamps", spec: asc, tags: stamps, want: "1606364286"},
		{name: "timestamps desc", spec: desc, tags: stamps, want: "1606234201"},
		{name: "prefixed timestamps", spec: asc, tags: []string{"rel-1606234201", "rel-1606364286", "rel-1606334092"}, want: "rel-1606364286"},
		{name: "empty", spec: asc, tags: nil, wantErr: ErrNoCandidate},
		{name: "extract orders the value", spec: Spec{Rule: "alphabetical", Pattern: `^[a-z]+-(\d+)$`, Extract: "$1"},
			tags: []string{"b-100", "a-200", "latest"}, want: "a-200", counts: &counts{Seen: 3, FilteredOut: 1, Candidates: 2}},
		{name: "duplicate values break by tag", spec: Spec{Rule: "alphabetical", Pattern: `^main-(?P<ts>\d+)-[a-f0-9]+$`, Extract: "$ts"},
			tags: []string{"main-5-bbb", "main-5-aaa", "main-4-fff"}, want: "main-5-bbb"},
	} {
		t.Run(tc.name, func(t *testing.T) { runSelect(t, tc) })
	}
}

func TestSelectNumerical(t *testing.T) {
	asc, desc := Spec{Rule: "numerical"}, Spec{Rule: "numerical", Order: "desc"}
	stamps := []string{"1606234201", "1606364286", "1606334092", "1606334284", "1606334201"}
	for _, tc := range []selectCase{
		{name: "integers", spec: asc, tags: []string{"-62", "-88", "73", "72", "15", "16", "15", "29", "-33", "-91"}, want: "73"},
		{name: "integers desc", spec: desc, tags: []string{"5", "-8", "-78", "25", "70", "-4", "80", "92", "-20", "-24"}, want: "-78"},
		{name: "floats", spec: asc, tags: []string{"47.40896403322944", "-27.8520927455902", "53.47333823144817", "3.2008658570411086"}, want: "53.47333823144817"},
		{name: "floats desc", spec: desc, tags: []string{"-65.27202780220686", "57.82948329142309", "-90.29082099756083", "16.06867070412028"}, want: "-90.29082099756083"},
		{name: "timestamps", spec: asc, tags: stamps, want: "1606364286"},
		{name: "timestamps desc", spec: desc, tags: stamps, want: "1606234201"},
		{name: "numbers not strings", spec: asc, tags: []string{"9", "10", "100"}, want: "100"},
		{name: "single", spec: desc, tags: []string{"1"}, want: "1"},
		{name: "not a number names the tag", spec: asc, tags: []string{"0", "1a", "b"}, errHas: `tag "1a"`},
		{name: "not a number suggests filterTags", spec: asc, tags: []string{"0", "latest"}, errHas: "filterTags"},
		{name: "NaN is not a number", spec: asc, tags: []string{"1", "NaN"}, errHas: `"NaN"`},
		{name: "equal numbers break by string", spec: asc, tags: []string{"1.0", "1", "0.5"}, want: "1.0"},
		{name: "empty", spec: asc, tags: nil, wantErr: ErrNoCandidate},
		{name: "timestamps in tags", spec: Spec{Rule: "numerical", Pattern: `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`, Extract: "$ts"},
			tags: []string{"main-abc-1700000300", "main-def-1700000200", "latest", "pr-1-1800000000"}, want: "main-abc-1700000300",
			counts: &counts{Seen: 4, FilteredOut: 2, Candidates: 2}},
		{name: "exclusions drop bad tags before parsing", spec: Spec{Rule: "numerical", Exclude: []string{"^latest$"}},
			tags: []string{"3", "latest"}, want: "3", counts: &counts{Seen: 2, Excluded: 1, Candidates: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) { runSelect(t, tc) })
	}
}

func TestSelectNewestBuild(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	times := map[string]time.Time{"a": t0.Add(2 * time.Hour), "b": t0.Add(time.Hour), "c": t0.Add(2 * time.Hour), "main-1": t0, "main-2": t0.Add(-time.Hour)}
	nb := Spec{Rule: "newestBuild"}
	for _, tc := range []selectCase{
		{name: "newest", spec: nb, tags: []string{"b", "main-1"}, times: times, want: "b"},
		{name: "tie breaks by tag", spec: nb, tags: []string{"a", "b", "c"}, times: times, want: "c"},
		{name: "no build time is unparseable", spec: nb, tags: []string{"main-1", "zzz"}, times: times, want: "main-1",
			counts: &counts{Seen: 2, Unparseable: 1, Candidates: 1}},
		{name: "no build times at all", spec: nb, tags: []string{"x", "y"}, wantErr: ErrNoCandidate},
		{name: "with a filter", spec: Spec{Rule: "newestBuild", Pattern: `^main-`}, tags: []string{"a", "main-1", "main-2"}, times: times, want: "main-1"},
	} {
		t.Run(tc.name, func(t *testing.T) { runSelect(t, tc) })
	}
}

func TestSelectMissingTags(t *testing.T) {
	p := mustNew(t, "api", Spec{Rule: "semver", Range: "*"})
	d := Select([]*Policy{p, nil, {ID: "bare"}}, map[string][]Tag{})
	for i, want := range []error{ErrNoTags, ErrInvalid, ErrInvalid} {
		if !errors.Is(d[i].Err, want) {
			t.Errorf("decision %d: err = %v, want %v", i, d[i].Err, want)
		}
	}
}

func TestExplanationReason(t *testing.T) {
	p := mustNew(t, "api", Spec{Rule: "semver", Range: ">=1.0.0", Pattern: `^v?(.*)$`, Extract: "$1"})
	d := Select([]*Policy{p}, map[string][]Tag{p.Image: Tags("1.0.0", "v1.0.0", "0.9.0")})[0]
	want := Explanation{Seen: 3, OutOfRange: 1, Candidates: 2, Rule: `semver ">=1.0.0"`, Value: "1.0.0", RunnerUp: "1.0.0",
		Examples: map[string][]string{"outOfRange": {"0.9.0"}},
		Reason:   `highest version in range ">=1.0.0" among 2 candidates, ordering the value "1.0.0" extracted by "$1"; tie with "1.0.0" broken by comparing the strings`}
	if d.Tag != "v1.0.0" {
		t.Errorf("tag = %q, want v1.0.0", d.Tag)
	}
	if diff := cmp.Diff(want, d.Explanation); diff != "" {
		t.Errorf("explanation mismatch (-want +got):\n%s", diff)
	}
}

// TestSelectConcurrent runs Select from several goroutines on shared
// policies and tags; -race checks that Select only reads them.
func TestExplanationExamples(t *testing.T) {
	p := mustNew(t, "api", Spec{Rule: "semver", Range: "<2.0.0", Exclude: []string{"-rc"}, Pattern: `^v?\d`})
	tags := Tags("1.0.0-rc.1", "1.0.0-rc.2", "latest", "sha-1", "zzz", "1.0", "1.0.0.0", "10", "1a", "19", "2.0.0", "3.0.0", "1.0.0")
	d := Select([]*Policy{p}, map[string][]Tag{p.Image: tags})[0]
	want := map[string][]string{"excluded": {"1.0.0-rc.1", "1.0.0-rc.2"}, "filteredOut": {"latest", "sha-1", "zzz"},
		"unparseable": {"1.0", "1.0.0.0", "10"}, "outOfRange": {"2.0.0", "3.0.0"}}
	if diff := cmp.Diff(want, d.Explanation.Examples); diff != "" {
		t.Errorf("examples mismatch (-want +got):\n%s", diff)
	}
}

func TestSelectConcurrent(t *testing.T) {
	ps := []*Policy{
		mustNew(t, "a", Spec{Image: "r/a", Rule: "semver", Range: "^1", Group: "g"}),
		mustNew(t, "b", Spec{Image: "r/b", Rule: "semver", Range: "^1", Group: "g"}),
		mustNew(t, "c", Spec{Image: "r/a", Rule: "numerical", Pattern: `^(\d+)\.`, Extract: "$1"}),
	}
	tags := map[string][]Tag{"r/a": Tags("1.0.0", "1.2.0", "2.0.0"), "r/b": Tags("1.2.0")}
	want := Select(ps, tags)
	done := make(chan []Decision)
	for range 4 {
		go func() { done <- Select(ps, tags) }()
	}
	for range 4 {
		if diff := cmp.Diff(want, <-done, cmp.Comparer(sameError)); diff != "" {
			t.Errorf("concurrent Select differs (-want +got):\n%s", diff)
		}
	}
}
