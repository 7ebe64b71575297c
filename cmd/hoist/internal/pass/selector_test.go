package pass

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/policy"
)

// TestSelectorDecidesAsImagesArrive: deciding each lone policy as its
// image's tags arrive gives the decisions of one selection over every tag,
// and the scan keeps tags only for the images groups use.
func TestSelectorDecidesAsImagesArrive(t *testing.T) {
	mk := func(id string, s policy.Spec) *policy.Policy {
		p, err := policy.New(id, s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	ps := []*policy.Policy{
		mk("a:api", policy.Spec{Image: "r/api", Rule: "semver", Range: ">=1.0.0"}),
		mk("a:api-1", policy.Spec{Image: "r/api", Rule: "semver", Range: "1.x"}),
		mk("a:web", policy.Spec{Image: "r/web", Rule: "alphabetical"}),
		mk("a:front", policy.Spec{Image: "r/front", Rule: "semver", Range: "*", Group: "ui"}),
		mk("a:back", policy.Spec{Image: "r/back", Rule: "semver", Range: "*", Group: "ui"}),
		mk("a:back-alone", policy.Spec{Image: "r/back", Rule: "semver", Range: "<2.0.0"}),
		mk("a:gone", policy.Spec{Image: "r/gone", Rule: "semver", Range: "*"}),
	}
	sc := fakeScanner{}
	for i, img := range []string{"r/api", "r/web", "r/front", "r/back"} {
		for j := range 50 {
			sc[img] = append(sc[img], fmt.Sprintf("%d.%d.%d", j%3, j, i))
		}
	}
	sc["r/back"] = append(sc["r/back"], "2.0.0") // front lacks it: the group cannot take it
	facts := policy.Facts{Now: time.Unix(1_700_000_000, 0), Rejected: map[string][]policy.Rejection{"a:api": {{Version: "2.49.0"}}}}

	sel := newSelector(ps, facts)
	found, _ := scan(context.Background(), sc, ps, 3, slog.New(slog.DiscardHandler), sel.image)
	got := sel.finish(found.tags)

	all := map[string][]policy.Tag{} // every tag of every scanned image (r/gone has none)
	for img := range found.tags {
		all[img] = []policy.Tag{}
		for _, n := range sc[img] {
			all[img] = append(all[img], policy.Tag{Name: n})
		}
	}
	want := policy.SelectFacts(ps, all, facts)
	sameError := cmp.Comparer(func(a, b error) bool { return fmt.Sprint(a) == fmt.Sprint(b) })
	if diff := cmp.Diff(want, got, sameError); diff != "" {
		t.Errorf("decisions mismatch (-one selection +as images arrive):\n%s", diff)
	}
	for img, tags := range found.tags {
		if keep := img == "r/front" || img == "r/back"; (tags != nil) != keep {
			t.Errorf("%s: kept %d tags, want kept = %v", img, len(tags), keep)
		}
	}
	if _, ok := found.tags["r/api"]; !ok {
		t.Error("r/api is not marked as scanned")
	}
}

// TestNoDiffKeepsChanges: a pass without a diff finds the same changes.
func TestNoDiffKeepsChanges(t *testing.T) {
	dir := holdRepo(t)
	sc := fakeScanner{"r/api": {"1.0.0", "1.1.0", "1.2.0"}, "r/web": {"2.0.0", "2.1.0"}}
	ctx := context.Background()
	with, err := Run(ctx, dir, sc, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	without, err := Run(ctx, dir, sc, Options{DryRun: true, NoDiff: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(with.Changes) == 0 || with.Diff == "" {
		t.Fatalf("the pass changed nothing (%d changes): the test needs changes", len(with.Changes))
	}
	if diff := cmp.Diff(with.Changes, without.Changes); diff != "" {
		t.Errorf("changes mismatch (-with diff +without):\n%s", diff)
	}
	if without.Diff != "" {
		t.Errorf("NoDiff: Diff = %q, want empty", without.Diff)
	}
}
