package policy

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadFluxKustomizeRepository loads the golden repository whose
// policies kustomize composes: namespaces come from the base, rules from
// its patches, labels from the overlay's patch, and each object names the
// kustomization that produced it; patch files are not objects.
func TestLoadFluxKustomizeRepository(t *testing.T) {
	set, err := Load("../testdata/flux-kustomize")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 0 {
		t.Errorf("problems: %v", set.Problems)
	}
	type row struct{ ID, Image, Rule, File, Kustomization, Env string }
	var got []row
	for _, p := range set.Policies {
		got = append(got, row{p.ID, p.Image, p.Rule(), p.File, p.Kustomization, p.Labels["env"]})
	}
	const prod = "clusters/prod/kustomization.yaml"
	want := []row{
		{"extras:legacy", "ghcr.io/acme/legacy", "numerical asc", "apps/base/extra.yaml", "", ""},
		{"apps:api", "ghcr.io/acme/api", `semver ">=1.4.0 <2.0.0"`, prod, prod, "prod"},
		{"apps:web", "ghcr.io/acme/web", `semver ">=2.0.0 <3.0.0"`, prod, prod, ""},
		{"infra:tools", "ghcr.io/acme/tools", "alphabetical asc", "infra/tools.yaml", "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policies mismatch (-want +got):\n%s", diff)
	}
	if len(set.Automations) != 1 {
		t.Fatalf("automations: %v", set.Automations)
	}
	a := set.Automations[0]
	gotA := []any{a.ID, a.File, a.Line, a.Kustomization, a.Selects(set.Lookup("apps:api")), a.Selects(set.Lookup("apps:web"))}
	if diff := cmp.Diff([]any{"apps:prod", prod, 0, prod, true, false}, gotA); diff != "" {
		t.Errorf("automation mismatch (-want +got):\n%s", diff)
	}
	for _, n := range set.Notes {
		if strings.Contains(n.File, "api-range") || strings.Contains(n.File, "api-label") {
			t.Errorf("a patch file was loaded as an object: %v", n)
		}
	}
}

// TestLoadKustomizePatchesNotObjects: without rendering, the strategic
// merge patch would load as an ImagePolicy that has no imageRepositoryRef.
func TestLoadKustomizePatchesNotObjects(t *testing.T) {
	set, err := Load("../testdata/flux-kustomize/apps/base/api-range.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Errors()) != 1 {
		t.Fatalf("loading the patch alone: errors %v, want one (this test guards the golden test's premise)", set.Errors())
	}
}

// writeFiles writes files (slash paths to contents) under dir; a content
// starting with "-> " makes a symlink to the rest.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "-> "); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

const (
	kustRepo   = "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r}\nspec: {image: ghcr.io/acme/r}\n"
	kustPolicy = "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: p}\nspec:\n  imageRepositoryRef: {name: r}\n  policy: {semver: {range: '>=1.0.0'}}\n"
	// leaked is a policy outside the root: no test may ever see it.
	leaked = "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: leaked, namespace: outside}\nspec:\n  imageRepositoryRef: {name: r}\n  policy: {semver: {range: '*'}}\n"
)

// outsideTree makes <tmp>/outside (a kustomization and a policy) and
// returns <tmp>/repo, with files written into it.
func outsideTree(t testing.TB, files map[string]string) string {
	t.Helper()
	tmp := t.TempDir()
	writeFiles(t, filepath.Join(tmp, "outside"), map[string]string{
		"kustomization.yaml": "resources: [leaked.yaml, repo.yaml]\n",
		"leaked.yaml":        leaked,
		"repo.yaml":          kustRepo,
	})
	root := filepath.Join(tmp, "repo")
	writeFiles(t, root, files)
	return root
}

// TestLoadKustomizeRefused covers kustomizations Load must not follow:
// each is one problem naming its file (a warning for a remote base), its
// own files load as they stand, and nothing outside the root is read.
func TestLoadKustomizeRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(leaked))
	}))
	defer srv.Close()
	tests := map[string]struct {
		kust     string
		extra    map[string]string
		severity Severity
		message  string
	}{
		"dot-dot outside":   {kust: "resources: [p.yaml, r.yaml, ../../outside]\n", message: "outside the loaded root"},
		"absolute path":     {kust: "resources: [p.yaml, r.yaml, /etc/hostname]\n", message: "outside the loaded root"},
		"symlinked dir":     {kust: "resources: [p.yaml, r.yaml, out]\n", extra: map[string]string{"apps/out": "-> ../../outside"}, message: "outside the loaded root"},
		"absolute symlink":  {kust: "resources: [p.yaml, r.yaml, leak.yaml]\n", extra: map[string]string{"apps/leak.yaml": "-> OUTSIDE/leaked.yaml"}, message: "outside the loaded root"},
		"patch outside":     {kust: "resources: [p.yaml, r.yaml]\npatches: [{path: ../../outside/leaked.yaml}]\n", message: "outside the loaded root"},
		"remote git base":   {kust: "resources: [p.yaml, r.yaml, 'github.com/acme/base?ref=v1']\n", severity: SeverityWarning, message: `remote base "github.com/acme/base?ref=v1"`},
		"remote http file":  {kust: "resources: [p.yaml, r.yaml, 'SERVER/leaked.yaml']\n", severity: SeverityWarning, message: "which hoist does not fetch"},
		"remote in a base":  {kust: "resources: [p.yaml, r.yaml, ../base]\n", extra: map[string]string{"base/kustomization.yaml": "resources: ['git@github.com:acme/x.git']\n"}, severity: SeverityWarning, message: "base/kustomization.yaml refers to the remote base"},
		"malformed yaml":    {kust: "resources: [p.yaml\nnamespace: {\n", message: ": parsing kustomization: invalid Kustomization"},
		"wrong field type":  {kust: "resources: {p.yaml: r.yaml}\n", message: ": parsing kustomization: invalid Kustomization"},
		"unknown field":     {kust: "resourcez: [p.yaml]\n", message: ": parsing kustomization: invalid Kustomization"},
		"missing resource":  {kust: "resources: [p.yaml, r.yaml, nope.yaml]\n", message: "rendering kustomization"},
		"exec function":     {kust: "resources: [p.yaml, r.yaml]\ntransformers:\n- |\n  apiVersion: x/v1\n  kind: Touch\n  metadata:\n    name: t\n    annotations:\n      config.kubernetes.io/function: |\n        exec: {path: /usr/bin/touch}\n", message: "rendering kustomization"},
		"helm needs a exec": {kust: "resources: [p.yaml, r.yaml]\nhelmCharts: [{name: x, repo: 'SERVER'}]\n", message: "rendering kustomization"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			kust := strings.ReplaceAll(tc.kust, "SERVER", srv.URL)
			files := map[string]string{"apps/kustomization.yaml": "namespace: apps\n" + kust, "apps/p.yaml": kustPolicy, "apps/r.yaml": kustRepo}
			root := outsideTree(t, nil)
			for k, v := range tc.extra {
				files[k] = strings.ReplaceAll(v, "OUTSIDE", filepath.Join(filepath.Dir(root), "outside"))
			}
			writeFiles(t, root, files)
			set, err := Load(root)
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Problems) != 1 {
				t.Fatalf("problems: %v, want one", set.Problems)
			}
			pr := set.Problems[0]
			if pr.File != "apps/kustomization.yaml" || pr.Line != 0 || pr.Severity != tc.severity || !strings.Contains(pr.Error(), tc.message) {
				t.Errorf("problem %q (file %s, line %d, %s); want apps/kustomization.yaml, %s, containing %q", pr.Error(), pr.File, pr.Line, pr.Severity, tc.severity, tc.message)
			}
			t.Log(pr.Error())
			if strings.Contains(pr.Error(), filepath.Dir(root)) {
				t.Errorf("problem names the real path of the worktree: %q", pr.Error())
			}
			if diff := cmp.Diff([]string{"p"}, ids(set.Policies)); diff != "" {
				t.Errorf("policies mismatch: the kustomization's files load as they stand (-want +got):\n%s", diff)
			}
			if hits.Load() != 0 {
				t.Errorf("the remote file was fetched %d times", hits.Load())
			}
		})
	}
}

// TestLoadKustomizeInsideSymlink: a symlink that stays inside the root is
// followed, and the file it names is claimed, not loaded twice.
func TestLoadKustomizeInsideSymlink(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"apps/kustomization.yaml": "namespace: apps\nresources: [p.yaml, r.yaml]\n",
		"apps/p.yaml":             "-> ../shared/p.yaml",
		"apps/r.yaml":             kustRepo,
		"shared/p.yaml":           kustPolicy,
	})
	set, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 0 {
		t.Errorf("problems: %v", set.Problems)
	}
	if diff := cmp.Diff([]string{"apps:p"}, ids(set.Policies)); diff != "" {
		t.Errorf("policies mismatch (-want +got):\n%s", diff)
	}
}

// TestLoadKustomizeFallback: when the overlay fails, its base renders on
// its own, so the base's namespace still applies; the overlay's problem
// and the rendered base's objects name their kustomizations.
func TestLoadKustomizeFallback(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"base/kustomization.yaml": "namespace: apps\nresources: [p.yaml, r.yaml]\n",
		"base/p.yaml":             kustPolicy,
		"base/r.yaml":             kustRepo,
		"prod/kustomization.yaml": "resources: [../base, missing.yaml]\n",
	})
	set, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 1 || set.Problems[0].File != "prod/kustomization.yaml" {
		t.Errorf("problems: %v, want one for prod/kustomization.yaml", set.Problems)
	}
	if len(set.Policies) != 1 || set.Policies[0].ID != "apps:p" || set.Policies[0].Kustomization != "base/kustomization.yaml" {
		t.Errorf("policies: %+v, want apps:p from base/kustomization.yaml", set.Policies)
	}
}

// TestLoadKustomizeRenderedProblem: a problem in a rendered object names
// the kustomization, without a line.
func TestLoadKustomizeRenderedProblem(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"apps/kustomization.yaml": "namespace: apps\nresources: [p.yaml]\n",
		"apps/p.yaml":             kustPolicy,
	})
	set, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	want := "apps/kustomization.yaml: policy apps:p: spec.imageRepositoryRef: ImageRepository apps:r not found under the loaded path"
	if len(set.Problems) != 1 || set.Problems[0].Error() != want {
		t.Errorf("problems: %v, want %q", set.Problems, want)
	}
}

// TestLoadKustomizeParallel loads kustomized repositories at once: kustomize's
// global OpenAPI schema must not make them race (run with -race).
func TestLoadKustomizeParallel(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			set, err := Load("../testdata/flux-kustomize")
			if err != nil || len(set.Policies) != 4 {
				t.Errorf("Load: %v, %d policies", err, len(set.Policies))
			}
		})
	}
	wg.Wait()
}

// FuzzKustomization builds random kustomization.yaml contents in a small
// fixed tree: no panic, and nothing outside the root is ever read.
func FuzzKustomization(f *testing.F) {
	f.Add("namespace: apps\nresources: [p.yaml, r.yaml]\npatches: [{path: patch.yaml}]\n")
	f.Add("resources: [../base, p.yaml]\npatches:\n- target: {kind: ImagePolicy}\n  patch: '[{op: replace, path: /spec/policy, value: {}}]'\n")
	f.Add("resources: [../../outside, out, leak.yaml]\n")
	f.Add("resources: ['github.com/acme/x', 'https://example.invalid/x.yaml', 'git@h:a/b']\n")
	f.Add("patchesStrategicMerge: [patch.yaml, '{kind: ImagePolicy}']\nnamespace: x\nnamePrefix: a-\n")
	f.Add("openapi: {path: p.yaml}\nresources: [p.yaml]\n")
	f.Add("components: [../base]\nconfigMapGenerator: [{name: c, files: [k=p.yaml]}]\n")
	f.Add("resources: [.]\n")
	f.Add("::\n- [")
	root := outsideTree(f, map[string]string{
		"apps/p.yaml":             kustPolicy,
		"apps/r.yaml":             kustRepo,
		"apps/patch.yaml":         "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: p}\nspec: {policy: {semver: {range: '<2'}}}\n",
		"apps/out":                "-> ../../outside",
		"apps/leak.yaml":          "-> ../../outside/leaked.yaml",
		"base/kustomization.yaml": "resources: [r.yaml]\n",
		"base/r.yaml":             kustRepo,
	})
	kust := filepath.Join(root, "apps", "kustomization.yaml")
	f.Fuzz(func(t *testing.T, data string) {
		if err := os.WriteFile(kust, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		set, err := Load(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range set.Policies {
			if p.Namespace == "outside" || p.Name == "leaked" {
				t.Fatalf("loaded %s from outside the root", p.ID)
			}
		}
		for _, pr := range set.Problems {
			if strings.Contains(pr.Error(), "leaked") {
				t.Fatalf("problem shows a file outside the root: %v", pr)
			}
		}
	})
}

// TestLoadKustomizationNotKustomize: a file named kustomization.yaml that
// holds another kind (a Flux Kustomization) is not rendered and is loaded
// as it stands.
func TestLoadKustomizationNotKustomize(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"apps/kustomization.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\nspec: {path: ./apps}\n---\n" + kustPolicy + "---\n" + kustRepo,
	})
	set, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 0 || len(set.Policies) != 1 || set.Policies[0].ID != "p" {
		t.Errorf("problems %v, policies %v; want none and p", set.Problems, ids(set.Policies))
	}
}

// BenchmarkLoadKustomize loads the golden repository: one overlay built
// with its base.
func BenchmarkLoadKustomize(b *testing.B) {
	for b.Loop() {
		if _, err := Load("../testdata/flux-kustomize"); err != nil {
			b.Fatal(err)
		}
	}
}
