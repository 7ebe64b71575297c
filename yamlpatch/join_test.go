package yamlpatch

import (
	"regexp"
	"slices"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// TestJoinerOrder checks that the joiner appends files in index order
// whatever order they are done in, and lets go of each file's diff.
func TestJoinerOrder(t *testing.T) {
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 0, 3, 2}, {2, 0, 3, 1}} {
		var j joiner
		for _, i := range order {
			fr := fileResult{changes: []Change{{Line: i}}, diff: string(rune('a' + i))}
			j.add(i, &fr)
			if fr.changes != nil || fr.diff != "" {
				t.Errorf("order %v: file %d kept %v, %q after add", order, i, fr.changes, fr.diff)
			}
		}
		if got := j.diff.String(); got != "abcd" {
			t.Errorf("order %v: diff = %q, want abcd", order, got)
		}
		want := []Change{{Line: 0}, {Line: 1}, {Line: 2}, {Line: 3}}
		if diff := cmp.Diff(want, j.changes); diff != "" {
			t.Errorf("order %v: changes (-want +got):\n%s", order, diff)
		}
		if len(j.pending) != 0 {
			t.Errorf("order %v: %d files still pending", order, len(j.pending))
		}
	}
}

// pathOrderTree has names whose path order differs from the walk's.
var pathOrderTree = map[string]string{
	"a/b.yaml":   "i: x # {\"$imagepolicy\": \"p:tag\"}\n",
	"a-c.yaml":   "i: x # {\"$imagepolicy\": \"p:tag\"}\n",
	"a.yaml":     "i: x # {\"$imagepolicy\": \"p:tag\"}\n",
	"a b/x.yaml": "i: x # {\"$imagepolicy\": \"p:tag\"}\n",
	"z/y.yaml":   "i: x # {\"$imagepolicy\": \"p\"}\nj: 1 # {\"$imagepolicy\": \"p:tag\"}\n",
	"plain.yaml": "i: x\n",
}

// TestDiffInPathOrder checks that the joined diff lists the files in path
// order, as git does, with any number of jobs, from Apply and Tree.Apply.
func TestDiffInPathOrder(t *testing.T) {
	refs := map[string]Ref{"p": {Name: "n", Tag: "y"}}
	header := regexp.MustCompile("(?m)^--- a/(.*?)\t?$")
	for _, jobs := range []int{1, 2, 8} {
		res, err := Apply(writeTree(t, pathOrderTree), refs, WithJobs(jobs))
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, m := range header.FindAllStringSubmatch(res.Diff, -1) {
			files = append(files, m[1])
		}
		want := []string{"a b/x.yaml", "a-c.yaml", "a.yaml", "a/b.yaml", "z/y.yaml"}
		if diff := cmp.Diff(want, files); diff != "" {
			t.Errorf("jobs=%d: files in diff (-want +got):\n%s", jobs, diff)
		}
		tree, err := Load(writeTree(t, pathOrderTree), WithJobs(jobs))
		if err != nil {
			t.Fatal(err)
		}
		fromTree, err := tree.Apply(refs)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(res, fromTree); diff != "" {
			t.Errorf("jobs=%d: Tree.Apply differs from Apply (-Apply +Tree):\n%s", jobs, diff)
		}
	}
}

// TestWithoutDiff checks that WithoutDiff leaves Result.Diff empty and
// changes nothing else: the other fields and the files written.
func TestWithoutDiff(t *testing.T) {
	refs := map[string]Ref{"p": {Name: "n", Tag: "y"}}
	with, without := writeTree(t, pathOrderTree), writeTree(t, pathOrderTree)
	want, err := Apply(with, refs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Apply(without, refs, WithoutDiff())
	if err != nil {
		t.Fatal(err)
	}
	if want.Diff == "" || got.Diff != "" {
		t.Errorf("Diff = %q with WithoutDiff, %q without; want empty and a diff", got.Diff, want.Diff)
	}
	want.Diff = ""
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Result with WithoutDiff (-without option +with):\n%s", diff)
	}
	if diff := cmp.Diff(readTree(t, with), readTree(t, without)); diff != "" {
		t.Errorf("files written with WithoutDiff (-without option +with):\n%s", diff)
	}
	tree, err := Load(writeTree(t, pathOrderTree), WithoutDiff(), WithDryRun())
	if err != nil {
		t.Fatal(err)
	}
	if res, err := tree.Apply(refs); err != nil || res.Diff != "" || !slices.Equal(res.Changes, got.Changes) {
		t.Errorf("Tree.Apply with WithoutDiff = %+v, %v; want the changes and no diff", res, err)
	}
}

// TestChangesShareStrings checks that changes repeating a policy, field,
// kind or target value share one copy of it.
func TestChangesShareStrings(t *testing.T) {
	doc := "apiVersion: v1\nkind: Pod\nmetadata: {namespace: ns}\nspec: {image: x # {\"$imagepolicy\": \"apps:p:tag\"}\n}\n"
	root := writeTree(t, map[string]string{"a.yaml": doc, "b.yaml": doc, "c.yaml": doc})
	res, err := Apply(root, map[string]Ref{"apps:p": {Name: "n", Tag: "1.0.0"}}, WithJobs(1))
	if err != nil || len(res.Changes) != 3 {
		t.Fatalf("Apply = %+v, %v; want 3 changes", res, err)
	}
	for _, c := range res.Changes[1:] {
		for _, s := range [][2]string{{c.Policy, res.Changes[0].Policy}, {c.Field, res.Changes[0].Field},
			{c.Kind, res.Changes[0].Kind}, {c.APIVersion, res.Changes[0].APIVersion},
			{c.Namespace, res.Changes[0].Namespace}, {c.New, res.Changes[0].New}} {
			if unsafe.StringData(s[0]) != unsafe.StringData(s[1]) {
				t.Errorf("%s: %q is a copy of change 0's", c.File, s[0])
			}
		}
	}
}
