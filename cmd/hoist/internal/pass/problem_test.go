package pass

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProblemsOrderAndErrors(t *testing.T) {
	r := &Report{}
	r.warning("policy", "b.yaml:1: note: upgrade")
	r.problem("yamlpatch", "z.yaml:3: bad")
	r.problem("registry", "scanning x: refused")
	r.warning("yamlpatch", "a.yaml:2: unknown policy")
	sortProblems(r.Problems)
	var got []string
	for _, p := range r.Problems {
		got = append(got, p.String())
	}
	want := []string{"scanning x: refused", "z.yaml:3: bad", "warning: a.yaml:2: unknown policy", "warning: b.yaml:1: note: upgrade"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"yamlpatch": 1, "registry": 1}, r.ProblemsByStage()); diff != "" {
		t.Errorf("ProblemsByStage counts warnings (-want +got):\n%s", diff)
	}
	if n := len(Errors(r.Problems)); n != 2 {
		t.Errorf("Errors: %d, want 2", n)
	}
}
