package yamlpatch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeTree writes files (slash path -> content) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const deploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: apps
spec:
  template:
    spec:
      containers:
      - image: ghcr.io/acme/api:1.4.2 # {"$imagepolicy": "apps:api"}
        env:
        - name: TAG
          value: "1.4.2" # {"$imagepolicy": "apps:api:tag"}
`

func TestApplyChanges(t *testing.T) {
	root := writeTree(t, map[string]string{
		"b/deploy.yaml": deploy,
		"a/values.yml":  "tag: 1.4.2 # {\"$imagepolicy\": \"api:tag\"}\nother: 1 # {\"$imagepolicy\": \"skipped\"}\n",
	})
	refs := map[string]Ref{
		"apps:api": {Name: "ghcr.io/acme/api", Tag: "1.5.0"},
		"api":      {Name: "x", Tag: "2.0"},
	}
	res, err := Apply(root, refs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{File: "a/values.yml", Line: 1, Policy: "api", Field: "tag", Old: "1.4.2", New: "2.0"},
		{File: "b/deploy.yaml", Line: 10, APIVersion: "apps/v1", Kind: "Deployment", Namespace: "apps", Name: "api",
			Policy: "apps:api", Old: "ghcr.io/acme/api:1.4.2", New: "ghcr.io/acme/api:1.5.0"},
		{File: "b/deploy.yaml", Line: 13, APIVersion: "apps/v1", Kind: "Deployment", Namespace: "apps", Name: "api",
			Policy: "apps:api", Field: "tag", Old: "1.4.2", New: "1.5.0"},
	}
	if diff := cmp.Diff(want, res.Changes); diff != "" {
		t.Errorf("Changes mismatch (-want +got):\n%s", diff)
	}
	if len(res.Problems) != 0 {
		t.Errorf("Problems = %v, want none", res.Problems)
	}
	got, _ := os.ReadFile(filepath.Join(root, "a/values.yml"))
	if want := "tag: \"2.0\" # {\"$imagepolicy\": \"api:tag\"}\nother: 1 # {\"$imagepolicy\": \"skipped\"}\n"; string(got) != want {
		t.Errorf("a/values.yml = %q, want %q", got, want)
	}
	// A second run finds everything up to date.
	res, err = Apply(root, refs)
	if err != nil || len(res.Changes) != 0 || res.Diff != "" {
		t.Errorf("second Apply = %+v, %v; want no changes", res, err)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	files := map[string]string{"deploy.yaml": deploy}
	refs := map[string]Ref{"apps:api": {Name: "ghcr.io/acme/api", Tag: "1.5.0"}}
	dry := writeTree(t, files)
	planned, err := Apply(dry, refs, WithDryRun())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(files, readTree(t, dry)); diff != "" {
		t.Errorf("dry run changed files (-want +got):\n%s", diff)
	}
	real := writeTree(t, files)
	applied, err := Apply(real, refs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(applied, planned); diff != "" {
		t.Errorf("dry-run Result differs from real run (-real +dry):\n%s", diff)
	}
	if len(planned.Changes) != 2 || planned.Diff == "" {
		t.Errorf("dry run planned %d changes, diff %q; want 2 and a diff", len(planned.Changes), planned.Diff)
	}
}

// TestDiffAppliesWithGit checks each golden case's Diff with `git apply`:
// applied to the original tree it must give the expected tree.
func TestDiffAppliesWithGit(t *testing.T) {
	git := lookPath(t, "git")
	cases, _ := filepath.Glob("testdata/*/original")
	for _, orig := range cases {
		name := filepath.Base(filepath.Dir(orig))
		t.Run(name, func(t *testing.T) {
			work := t.TempDir()
			copyTree(t, orig, work)
			res, err := Apply(work, goldenRefs, WithDryRun())
			if err != nil {
				t.Fatal(err)
			}
			if res.Diff == "" {
				t.Skip("no changes")
			}
			cmd := exec.Command(git, "apply", "--unsafe-paths", "-p1", "-")
			cmd.Dir = work
			cmd.Stdin = strings.NewReader(res.Diff)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git apply: %v\n%s\ndiff:\n%s", err, out, res.Diff)
			}
			want := readTree(t, filepath.Join(filepath.Dir(orig), "expected"))
			if diff := cmp.Diff(want, readTree(t, work)); diff != "" {
				t.Errorf("tree after git apply mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// lookPath finds a binary the test needs; it skips without one, except in CI.
func lookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: %v", name, err)
		}
		t.Skipf("%s not found: %v", name, err)
	}
	return p
}

func TestSymlinksNotFollowed(t *testing.T) {
	marked := "image: ghcr.io/acme/api:1.0.0 # {\"$imagepolicy\": \"apps:api\"}\n"
	outside := writeTree(t, map[string]string{"out.yaml": marked, "dir/in.yaml": marked})
	root := writeTree(t, map[string]string{"real.yaml": marked})
	for link, target := range map[string]string{
		"link.yaml":  filepath.Join(outside, "out.yaml"),
		"linkdir":    filepath.Join(outside, "dir"),
		"inner.yaml": "real.yaml",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Apply(root, map[string]Ref{"apps:api": {Name: "ghcr.io/acme/api", Tag: "2.0.0"}})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, c := range res.Changes {
		files = append(files, c.File)
	}
	if diff := cmp.Diff([]string{"real.yaml"}, files); diff != "" {
		t.Errorf("changed files mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"out.yaml": marked, "dir/in.yaml": marked}, readTree(t, outside)); diff != "" {
		t.Errorf("files outside root changed (-want +got):\n%s", diff)
	}
	for _, l := range []string{"link.yaml", "linkdir", "inner.yaml"} {
		if fi, err := os.Lstat(filepath.Join(root, l)); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symlink: %v", l, err)
		}
	}
	// The links out of root are said, not skipped silently; the one inside
	// is not a problem, its target is visited.
	want := []Problem{
		{File: "link.yaml", Reason: "symlink to outside the repository; not followed"},
		{File: "linkdir", Reason: "symlink to outside the repository; not followed"},
	}
	if diff := cmp.Diff(want, res.Problems); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestRootSymlinkAndErrors(t *testing.T) {
	root := writeTree(t, map[string]string{"a.yaml": "x: 1 # {\"$imagepolicy\": \"p:tag\"}\n"})
	link := filepath.Join(t.TempDir(), "root")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	res, err := Apply(link, map[string]Ref{"p": {Tag: "v2"}})
	if err != nil || len(res.Changes) != 1 {
		t.Errorf("Apply(symlinked root) = %d changes, %v; want 1, nil", len(res.Changes), err)
	}
	for _, bad := range []string{filepath.Join(root, "missing"), filepath.Join(root, "a.yaml")} {
		if _, err := Apply(bad, nil); err == nil {
			t.Errorf("Apply(%s) error = nil, want one", bad)
		}
		if _, _, err := Scan(bad); err == nil {
			t.Errorf("Scan(%s) error = nil, want one", bad)
		}
	}
}

func TestModeKept(t *testing.T) {
	root := writeTree(t, nil)
	for name, mode := range map[string]os.FileMode{"private.yaml": 0o600, "exec.yaml": 0o755} {
		path := filepath.Join(root, name)
		if err := os.WriteFile(path, []byte("i: a # {\"$imagepolicy\": \"p:tag\"}\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Apply(root, map[string]Ref{"p": {Tag: "b"}}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(root)
	got := map[string]string{}
	for _, e := range entries {
		fi, _ := e.Info()
		data, _ := os.ReadFile(filepath.Join(root, e.Name()))
		got[e.Name()] = fi.Mode().String() + " " + string(data)
	}
	want := map[string]string{
		"private.yaml": "-rw------- i: b # {\"$imagepolicy\": \"p:tag\"}\n",
		"exec.yaml":    "-rwxr-xr-x i: b # {\"$imagepolicy\": \"p:tag\"}\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files mismatch, temp files left or modes lost (-want +got):\n%s", diff)
	}
}

func TestScan(t *testing.T) {
	root := writeTree(t, map[string]string{
		"deploy.yaml": deploy,
		"bad.yaml":    "a: b # {\"$imagepolicy\": \"nope\"}\nc: *x # {\"$imagepolicy\": \"apps:api\"}\n",
		"ok.yml":      "a: b # {\"$imagepolicy\": \"nope:name\"}\n",
		"skip.json":   "a: b # {\"$imagepolicy\": \"x\"}\n",
	})
	markers, problems, err := Scan(root, WithKnownPolicies("apps:api"))
	if err != nil {
		t.Fatal(err)
	}
	wantMarkers := []Marker{
		{File: "deploy.yaml", Line: 10, APIVersion: "apps/v1", Kind: "Deployment", Namespace: "apps", Name: "api", Policy: "apps:api", Value: "ghcr.io/acme/api:1.4.2"},
		{File: "deploy.yaml", Line: 13, APIVersion: "apps/v1", Kind: "Deployment", Namespace: "apps", Name: "api", Policy: "apps:api", Field: "tag", Value: "1.4.2"},
		{File: "ok.yml", Line: 1, Policy: "nope", Field: "name", Value: "b"},
	}
	if diff := cmp.Diff(wantMarkers, markers); diff != "" {
		t.Errorf("markers mismatch (-want +got):\n%s", diff)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.Error())
	}
	wantProblems := []string{
		`bad.yaml: parsing: unknown anchor 'x' referenced`,
		`ok.yml:1: unknown policy "nope"`,
	}
	if diff := cmp.Diff(wantProblems, got); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestKnownPoliciesInApply(t *testing.T) {
	root := writeTree(t, map[string]string{"a.yaml": "x: a # {\"$imagepolicy\": \"typo:tag\"}\ny: a # {\"$imagepolicy\": \"p:tag\"}\n"})
	res, err := Apply(root, map[string]Ref{"p": {Tag: "b"}, "typo": {Tag: "c"}}, WithKnownPolicies("p"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || len(res.Problems) != 1 || res.Problems[0].Error() != `a.yaml:1: unknown policy "typo"` {
		t.Errorf("Apply = %+v; want one change and the unknown policy problem", res)
	}
}

// TestWarnings: what Flux passes over quietly is a warning (nothing that
// should have been updated was lost); a broken file with markers is not.
func TestWarnings(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a.yaml":        "x: a # {\"$imagepolicy\": \"typo:tag\"}\n",
		"template.yaml": "x: ${IMAGE} # {\"$imagepolicy\": \"p\"}\n  y: [\n",
		"broken.yaml":   "x: a # {\"$imagepolicy\": \"p\"}\n  y: [\n",
	})
	if err := os.Symlink("nothing.yaml", filepath.Join(root, "dangling.yaml")); err != nil {
		t.Fatal(err)
	}
	res, err := Apply(root, map[string]Ref{"p": {Tag: "b"}}, WithKnownPolicies("p"), WithDryRun())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range res.Problems {
		got[p.File] = p.Warning
	}
	want := map[string]bool{"a.yaml": true, "template.yaml": true, "dangling.yaml": true, "broken.yaml": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warning by file (-want +got):\n%s\nproblems: %v", diff, res.Problems)
	}
}
