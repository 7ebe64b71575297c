package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDifferingLines(t *testing.T) {
	tests := map[string]struct {
		a, b string
		want []linePair
	}{
		"same":          {a: "x\ny\n", b: "x\ny\n"},
		"changed line":  {a: "x\ny\nz\n", b: "x\nY\nz\n", want: []linePair{{"y\n", "Y\n"}}},
		"blank dropped": {a: "a: 1\n\nb: 2\n\nc: 3\n", b: "a: 1\nb: 2\nc: 3\n", want: []linePair{{"(empty line)\n", ""}, {"(empty line)\n", ""}}},
		"line added":    {a: "x\n", b: "x\ny\n", want: []linePair{{"", "y\n"}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := differingLines([]byte(tc.a), []byte(tc.b))
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(linePair{})); diff != "" {
				t.Errorf("differingLines mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareGroupsKinds(t *testing.T) {
	a := map[string][]byte{"a/values.yaml": []byte("x: 1\n\ny: 2\n"), "b/values.yaml": []byte("x: 3\n\ny: 4\n"), "same.yaml": []byte("z\n")}
	b := map[string][]byte{"a/values.yaml": []byte("x: 1\ny: 2\n"), "b/values.yaml": []byte("x: 3\ny: 4\n"), "same.yaml": []byte("z\n")}
	got := compare("hoist", "flux", a, b)
	if got.differing() != 2 || len(got.kinds) != 1 || got.kinds[0].sample != "a/values.yaml" {
		t.Fatalf("compare = %d files in %d kinds (%+v); want 2 in 1, sample a/values.yaml", got.differing(), len(got.kinds), got.kinds)
	}
	if explain(got.kinds[0]) == "" {
		t.Error("explain(dropped blank line) is empty, want the cause")
	}
}
