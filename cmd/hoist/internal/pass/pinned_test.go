package pass

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/yamlpatch"
)

var (
	digestA = "sha256:" + strings.Repeat("a", 64)
	digestB = "sha256:" + strings.Repeat("b", 64)
	digestF = "sha256:" + strings.Repeat("f", 64) // what the registry would say
)

// pinFiles is a tree with every way a marker pins a digest: a whole
// reference, a ":tag" beside a ":digest" in one file, and the halves of
// such a pair in two files (which pin nothing).
var pinFiles = map[string]string{
	"whole.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n" +
		"  image: r.io/a:1.0@" + digestA + " # {\"$imagepolicy\": \"apps:a\"}\n",
	"other-tag.yaml": "image: r.io/a:0.9 # {\"$imagepolicy\": \"apps:a\"}\n",
	"pair.yaml": "tag: \"2.0\" # {\"$imagepolicy\": \"b:tag\"}\n" +
		"digest: " + digestB + " # {\"$imagepolicy\": \"b:digest\"}\n",
	"half-tag.yaml":    "tag: \"3.0\" # {\"$imagepolicy\": \"c:tag\"}\n",
	"half-digest.yaml": "digest: " + digestA + " # {\"$imagepolicy\": \"c:digest\"}\n",
	"always.yaml":      "image: r.io/d:1.0@" + digestA + " # {\"$imagepolicy\": \"d\"}\n",
	"plain.yaml":       "x: 1\n",
}

func pinPolicies() []*policy.Policy {
	return []*policy.Policy{
		{ID: "apps:a", Image: "r.io/a", Digest: policy.DigestIfNotPresent},
		{ID: "b", Image: "r.io/b", Digest: policy.DigestIfNotPresent},
		{ID: "c", Image: "r.io/c", Digest: policy.DigestIfNotPresent},
		{ID: "d", Image: "r.io/d", Digest: policy.DigestAlways},
	}
}

// refsFor is what resolve gives each policy for tag: the digest its markers
// pin for that tag, else a fresh one.
func refsFor(ps []*policy.Policy, tag string, kept map[string]map[string]string) map[string]yamlpatch.Ref {
	refs := map[string]yamlpatch.Ref{}
	for _, p := range ps {
		dg, ok := kept[p.ID][tag]
		if !ok {
			dg = digestF
		}
		refs[p.ID] = yamlpatch.Ref{Name: p.Image, Tag: tag, Digest: dg}
	}
	return refs
}

// TestPinnedTree: the tree pinnedTree loads gives the digests pinned gives,
// and applying references through it gives Apply's result and files.
func TestPinnedTree(t *testing.T) {
	ps := pinPolicies()
	for _, tag := range []string{"1.0", "2.0", "3.0"} {
		t.Run(tag, func(t *testing.T) {
			viaApply, viaTree := t.TempDir(), t.TempDir()
			writeFiles(t, viaApply, pinFiles)
			writeFiles(t, viaTree, pinFiles)
			opts := []yamlpatch.Option{yamlpatch.WithKnownPolicies("apps:a", "b", "c", "d")}

			wantKept := pinned(viaApply, ps)
			tree, kept := pinnedTree(viaTree, viaTree, ps, opts...)
			if tree == nil {
				t.Fatal("pinnedTree returned no tree")
			}
			if diff := cmp.Diff(wantKept, kept); diff != "" {
				t.Errorf("pinned digests mismatch (-pinned +pinnedTree):\n%s", diff)
			}
			want, err := yamlpatch.Apply(viaApply, refsFor(ps, tag, wantKept), opts...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := applyRefs(tree, viaTree, refsFor(ps, tag, kept), opts...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("result mismatch (-Apply +tree):\n%s", diff)
			}
			for name := range pinFiles {
				a, _ := os.ReadFile(filepath.Join(viaApply, name))
				b, _ := os.ReadFile(filepath.Join(viaTree, name))
				if diff := cmp.Diff(string(a), string(b)); diff != "" {
					t.Errorf("%s mismatch (-Apply +tree):\n%s", name, diff)
				}
			}
		})
	}
}

// TestPinnedTreeKeeps checks the digests kept, and when no tree is loaded.
func TestPinnedTreeKeeps(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, pinFiles)
	ps := pinPolicies()
	tree, kept := pinnedTree(dir, dir, ps)
	want := map[string]map[string]string{"apps:a": {"1.0": digestA}, "b": {"2.0": digestB}}
	if diff := cmp.Diff(want, kept); diff != "" || tree == nil {
		t.Errorf("pinnedTree = %v, mismatch (-want +got):\n%s", tree, diff)
	}

	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	tree, kept = pinnedTree(dir, sub, ps)
	if diff := cmp.Diff(want, kept); diff != "" || tree != nil {
		t.Errorf("rewriting another directory: tree %v, digests mismatch (-want +got):\n%s", tree, diff)
	}
	tree, kept = pinnedTree(dir, dir, ps[3:])
	if tree != nil || kept != nil {
		t.Errorf("without IfNotPresent: pinnedTree = %v, %v; want nil, nil", tree, kept)
	}
	tree, kept = pinnedTree(filepath.Join(dir, "missing"), filepath.Join(dir, "missing"), ps)
	if tree != nil || len(kept) != 0 {
		t.Errorf("missing root: pinnedTree = %v, %v; want nil, none", tree, kept)
	}
}

// BenchmarkIfNotPresent reads the pinned digests of an IfNotPresent policy
// and applies a new tag to 1,000 files (dry-run): with yamlpatch.Scan then
// yamlpatch.Apply (every marked file parsed twice), and with pinnedTree then
// applyRefs (once).
func BenchmarkIfNotPresent(b *testing.B) {
	dir := b.TempDir()
	files := map[string]string{}
	for i := range 1000 {
		files[fmt.Sprintf("apps/app-%03d/deploy.yaml", i)] = fmt.Sprintf(benchDeploy, i, i, digestA)
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ps := []*policy.Policy{{ID: "apps:api", Image: "r.io/acme/api", Digest: policy.DigestIfNotPresent}}
	opts := []yamlpatch.Option{yamlpatch.WithDryRun(), yamlpatch.WithKnownPolicies("apps:api")}
	b.Run("scan+apply", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			kept := pinned(dir, ps)
			benchCheck(b, kept)(applyRefs(nil, dir, refsFor(ps, "1.1", kept), opts...))
		}
	})
	b.Run("tree", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			tree, kept := pinnedTree(dir, dir, ps, opts...)
			benchCheck(b, kept)(applyRefs(tree, dir, refsFor(ps, "1.1", kept), opts...))
		}
	})
}

func benchCheck(b *testing.B, kept map[string]map[string]string) func(yamlpatch.Result, error) {
	return func(res yamlpatch.Result, err error) {
		if err != nil || len(res.Changes) != 3000 || kept["apps:api"]["1.0"] != digestA {
			b.Fatalf("%d changes, %v, pinned %v", len(res.Changes), err, kept)
		}
	}
}

const benchDeploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%d
  namespace: apps
  labels: {app: app-%d, tier: backend}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: app
        image: r.io/acme/api:1.0@%[3]s # {"$imagepolicy": "apps:api"}
        args: ["--port", "8080", "--verbose"]
        env:
        - name: MODE
          value: "production"
        - name: TAG
          value: "1.0" # {"$imagepolicy": "apps:api:tag"}
        - name: DIGEST
          value: %[3]s # {"$imagepolicy": "apps:api:digest"}
`
