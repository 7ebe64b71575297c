package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadFluxAutomationsRepository loads the golden repository with a
// v1beta1 and a v1 automation: both load, the old objects get warnings
// only, and each automation selects what Flux would.
func TestLoadFluxAutomationsRepository(t *testing.T) {
	set, err := Load("../testdata/flux-automations")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Errors()) != 0 || len(set.Warnings()) != 2 {
		t.Errorf("errors %v, warnings %v; want none and two", set.Errors(), set.Warnings())
	}
	if diff := cmp.Diff([]string{"flux-system:api"}, ids(set.Policies)); diff != "" {
		t.Fatalf("policies mismatch (-want +got):\n%s", diff)
	}
	got := map[string][]any{}
	for _, a := range set.Automations {
		got[a.ID] = []any{a.APIVersion, a.Path, a.CheckoutBranch, a.PushBranch, a.Selects(set.Policies[0])}
	}
	want := map[string][]any{
		"flux-system:prod":    {"image.toolkit.fluxcd.io/v1beta1", "apps", "main", "main", true},
		"flux-system:staging": {"image.toolkit.fluxcd.io/v1", "apps", "main", "image-updates", true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("automations mismatch (-want +got):\n%s", diff)
	}
}
