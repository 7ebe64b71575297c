package policy

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func hoistDoc(name, spec string) string {
	return "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: " + name + "\n  namespace: apps\nspec:\n" + spec
}

const goodSpec = "  image: ghcr.io/acme/api\n  policy:\n    semver: {range: '>=1.0.0'}\n"

// summary is what the load tests compare of a Policy.
type summary struct {
	ID, Image, File, Rule, Group, Platform, APIVersion string
	Line                                               int
	Digest                                             DigestMode
}

func summarize(ps []*Policy) []summary {
	var out []summary
	for _, p := range ps {
		out = append(out, summary{ID: p.ID, Image: p.Image, File: p.File, Rule: p.Rule(), Group: p.Group,
			Platform: p.Platform, Line: p.Line, Digest: p.Digest, APIVersion: p.APIVersion})
	}
	return out
}

func TestLoad(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"apps/api.yaml": "# leading comment\n" + hoistDoc("api", goodSpec+"  group: stack\n  digest: IfNotPresent\n  platform: linux/arm64/v8\n"),
		"apps/deploy.yml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - image: ghcr.io/acme/api:1.0.0 # {"$imagepolicy": "apps:api"}
`,
		"flux/web.yaml": `---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata:
  name: web
  namespace: flux-system
  annotations: {hoist.dev/group: stack}
spec:
  imageRepositoryRef:
    name: web
  policy:
    alphabetical:
      order: desc
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
metadata:
  name: web
  namespace: flux-system
spec:
  image: docker.io/acme/web
  interval: 1m
  secretRef: {name: regcred}
`,
		"flux/worker.yml": `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: {name: worker, namespace: team}
spec:
  imageRepositoryRef: {name: web, namespace: flux-system}
  digestReflectionPolicy: Always
  interval: 10m
  policy: {numerical: {}}
`,
		"flux/auto.yaml": "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageUpdateAutomation\nmetadata: {name: auto}\nspec:\n  interval: 1m\n  git: {commit: {author: {email: a@b}}}\n",
		"README.md":      "not yaml: ImagePolicy [",
		".git/x.yaml":    hoistDoc("hidden", goodSpec),
		"notes/bad.yaml": "key: [unclosed\n",
	})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{
		{ID: "apps:api", Image: "ghcr.io/acme/api", File: "apps/api.yaml", Line: 2, Rule: `semver ">=1.0.0"`,
			Group: "stack", Digest: DigestIfNotPresent, Platform: "linux/arm64/v8", APIVersion: "hoist.dev/v1alpha1"},
		{ID: "flux-system:web", Image: "docker.io/acme/web", File: "flux/web.yaml", Line: 2, Rule: "alphabetical desc",
			Group: "stack", Digest: DigestNever, APIVersion: "image.toolkit.fluxcd.io/v1beta2"},
		{ID: "team:worker", Image: "docker.io/acme/web", File: "flux/worker.yml", Line: 1, Rule: "numerical asc", Digest: DigestAlways,
			APIVersion: "image.toolkit.fluxcd.io/v1"},
	}
	if diff := cmp.Diff(want, summarize(set.Policies)); diff != "" {
		t.Errorf("policies mismatch (-want +got):\n%s", diff)
	}
	if len(set.Problems) != 0 {
		t.Errorf("unexpected problems: %v", set.Problems)
	}
	var notes []string
	for _, n := range set.Notes {
		notes = append(notes, n.String())
	}
	wantNotes := []string{
		"flux/web.yaml:15: ImageRepository flux-system:web: ignoring fields hoist does not use (cluster-only): spec.interval",
		"flux/worker.yml:1: ImagePolicy team:worker: ignoring fields hoist does not use (cluster-only): spec.interval",
		"flux/auto.yaml:1: ImageUpdateAutomation auto: ignoring fields hoist does not use (cluster-only): spec.interval",
	}
	if diff := cmp.Diff(wantNotes, notes); diff != "" {
		t.Errorf("notes mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string // a document placed after a good policy in one file
		line int    // the problem's line within that document
		has  string
	}{
		{"invalid exclude regex", hoistDoc("x", goodSpec+"  exclude:\n  - ok\n  - '(['\n"), 12, "spec.exclude"},
		{"invalid filter regex", hoistDoc("x", goodSpec+"  filterTags:\n    pattern: '(?P<x'\n"), 11, "spec.filterTags.pattern"},
		{"extract without pattern", hoistDoc("x", goodSpec+"  filterTags: {extract: $1}\n"), 10, "is required with extract"},
		{"invalid range", hoistDoc("x", "  image: a/b\n  policy:\n    semver:\n      range: '>>1'\n"), 10, "spec.policy.semver.range"},
		{"missing range", hoistDoc("x", "  image: a/b\n  policy:\n    semver: {}\n"), 9, "semver.range is required"},
		{"unknown rule", hoistDoc("x", "  image: a/b\n  policy:\n    latest: {}\n"), 9, "unknown field latest"},
		{"two rules", hoistDoc("x", "  image: a/b\n  policy:\n    semver: {range: '*'}\n    alphabetical: {}\n"), 9, "exactly one rule"},
		{"no rule", hoistDoc("x", "  image: a/b\n"), 7, "spec.policy: is required"},
		{"bad order", hoistDoc("x", "  image: a/b\n  policy:\n    numerical: {order: up}\n"), 9, "order must be asc or desc"},
		{"missing image", hoistDoc("x", "  policy:\n    semver: {range: '*'}\n"), 7, "spec.image: is required"},
		{"image with tag", hoistDoc("x", "  image: ghcr.io/a/b:1.0\n  policy: {newestBuild: {}}\n"), 7, "without tag or digest"},
		{"image uppercase", hoistDoc("x", "  image: ghcr.io/A/b\n  policy: {newestBuild: {}}\n"), 7, "spec.image"},
		{"extract names a missing group", hoistDoc("x", goodSpec+"  filterTags:\n    pattern: '^(?P<ts>[0-9]+)$'\n    extract: $nope\n"), 12,
			"spec.filterTags.extract: $nope names no group of the pattern (it has groups $ts)"},
		{"extract of a pattern without groups", hoistDoc("x", goodSpec+"  filterTags: {pattern: '^v', extract: '${1}'}\n"), 10, "(it has no groups)"},
		{"image with dot-dot", hoistDoc("x", "  image: host/../../etc\n  policy: {newestBuild: {}}\n"), 7, `"host/../../etc" has an invalid path component ".."`},
		{"image with dot", hoistDoc("x", "  image: ghcr.io/./x\n  policy: {newestBuild: {}}\n"), 7, `invalid path component "."`},
		{"image with an empty segment", hoistDoc("x", "  image: ghcr.io/a//b\n  policy: {newestBuild: {}}\n"), 7, `invalid path component ""`},
		{"image with a trailing slash", hoistDoc("x", "  image: ghcr.io/a/\n  policy: {newestBuild: {}}\n"), 7, `invalid path component ""`},
		{"flux repository image with dot-dot", "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r2}\nspec:\n  image: ghcr.io/../etc\n",
			5, `ImageRepository r2: spec.image: "ghcr.io/../etc" has an invalid path component ".."`},
		{"unknown spec field", hoistDoc("x", goodSpec+"  polcy: {}\n"), 10, "unknown field polcy"},
		{"bad digest", hoistDoc("x", goodSpec+"  digest: Sometimes\n"), 10, "Never, IfNotPresent or Always"},
		{"bad platform", hoistDoc("x", goodSpec+"  platform: amd64\n"), 10, "os/arch"},
		{"spec not a mapping", hoistDoc("x", "  - a\n"), 7, "spec: must be a mapping"},
		{"bad name", strings.Replace(hoistDoc("x", goodSpec), "name: x", "name: Has:Colon", 1), 4, "not a valid Kubernetes name"},
		{"no name", "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nspec: {}\n", 1, "metadata.name"},
		{"duplicate", hoistDoc("good", goodSpec), 1, "duplicate policy apps:good (first defined at p.yaml:2)"},
		{"unsupported hoist version", "apiVersion: hoist.dev/v2\nkind: ImagePolicy\nmetadata: {name: x}\n", 1, "unsupported hoist.dev/v2"},
		{"unsupported flux version", "apiVersion: image.toolkit.fluxcd.io/v2\nkind: ImagePolicy\nmetadata: {name: x}\n", 1, "hoist reads v1alpha1, v1alpha2, v1beta1, v1beta2, v1"},
		{"unsupported automation version", "apiVersion: image.toolkit.fluxcd.io/v1alpha2\nkind: ImageUpdateAutomation\nmetadata: {name: x}\n", 1,
			"unsupported Flux version image.toolkit.fluxcd.io/v1alpha2 of ImageUpdateAutomation (hoist reads v1beta1, v1beta2, v1)"},
		{"missing image repository", "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: x}\nspec:\n  imageRepositoryRef:\n    name: nope\n  policy: {semver: {range: '*'}}\n",
			6, "ImageRepository nope not found"},
		{"flux has no newestBuild", "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: x}\nspec:\n  imageRepositoryRef: {name: r}\n  policy: {newestBuild: {}}\n",
			6, "unknown field newestBuild"},
		{"flux repository without image", "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r2}\nspec: {interval: 1m}\n",
			4, "ImageRepository r2: spec.image"},
		{"flux bad exclusion", "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r2}\nspec:\n  image: a/b\n  exclusionList: ['[']\n",
			6, "spec.exclusionList"},
		{"flux ref without name", "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: x}\nspec:\n  imageRepositoryRef: {namespace: a}\n  policy: {semver: {range: '*'}}\n",
			5, "imageRepositoryRef.name: is required"},
		{"flux without ref", "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: x}\nspec:\n  policy: {semver: {range: '*'}}\n",
			5, "spec.imageRepositoryRef: is required"},
		{"flux bad digest policy", "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: x}\nspec:\n  imageRepositoryRef: {name: r}\n  digestReflectionPolicy: Often\n  policy: {semver: {range: '*'}}\n",
			6, "spec.digestReflectionPolicy"},
		{"flux bad platform annotation", "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: x\n  annotations:\n    hoist.dev/platform: amd64\nspec:\n  imageRepositoryRef: {name: r}\n  policy: {semver: {range: '*'}}\n",
			6, "hoist.dev/platform"},
		{"flux policy without spec", "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: x}\n", 1, "spec: is required"},
		{"bad namespace", "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: x, namespace: A_B}\n", 3, "not a valid namespace"},
		{"name not a string", "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: [x]\n", 4, "metadata.name: must be a string"},
		{"group not a string", hoistDoc("x", goodSpec+"  group: {a: b}\n"), 10, "spec.group: must be a string"},
		{"exclude not a list", hoistDoc("x", goodSpec+"  exclude: '-rc'\n"), 10, "spec.exclude: must be a list"},
		{"rule body not a mapping", hoistDoc("x", "  image: a/b\n  policy:\n    semver: '>=1'\n"), 9, "spec.policy.semver: must be a mapping"},
		{"unknown semver field", hoistDoc("x", "  image: a/b\n  policy:\n    semver: {ragne: '*'}\n"), 9, "unknown field ragne"},
		{"broken yaml mentioning ImagePolicy", "kind: ImagePolicy\nspec: [\n", 2, "parsing YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good := hoistDoc("good", goodSpec)
			fluxRepo := "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r}\nspec: {image: a/r}\n"
			dir := writeTree(t, map[string]string{
				"p.yaml": "---\n" + good + "---\n" + tc.file,
				"r.yaml": fluxRepo,
			})
			set, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Policies) != 1 || set.Policies[0].ID != "apps:good" {
				t.Errorf("policies = %v, want only apps:good", summarize(set.Policies))
			}
			if len(set.Problems) != 1 {
				t.Fatalf("problems = %v, want one", set.Problems)
			}
			pr := set.Problems[0]
			docStart := strings.Count(good, "\n") + 2 // the line before tc.file's first line
			want := fmt.Sprintf("p.yaml:%d: ", docStart+tc.line)
			if got := pr.Error(); !strings.HasPrefix(got, want) || !strings.Contains(got, tc.has) {
				t.Errorf("problem = %q, want prefix %q containing %q", got, want, tc.has)
			}
			if !errors.Is(pr, ErrInvalid) {
				t.Errorf("problem %v does not wrap ErrInvalid", pr)
			}
		})
	}
}

func TestLoadSkipsQuietly(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"deploy.yaml":   "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
		"broken.yaml":   "a: [\n",
		"list.yaml":     "- 1\n- 2\n",
		"empty.yml":     "",
		"values.yaml":   "image:\n  tag: 1.0.0\n",
		"automation.md": "kind: ImagePolicy",
	})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Policies)+len(set.Problems)+len(set.Notes) != 0 {
		t.Errorf("got %v, want nothing", set)
	}
}

func TestLoadSymlinks(t *testing.T) {
	outside := writeTree(t, map[string]string{"evil.yaml": hoistDoc("evil", goodSpec)})
	dir := writeTree(t, map[string]string{"ok.yaml": hoistDoc("ok", goodSpec)})
	for _, l := range []struct{ target, link string }{
		{filepath.Join(outside, "evil.yaml"), "file-link.yaml"},
		{outside, "dir-link"},
		{filepath.Join(dir, "ok.yaml"), "inside-link.yaml"},
	} {
		if err := os.Symlink(l.target, filepath.Join(dir, l.link)); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"apps:ok"}, ids(set.Policies)); diff != "" {
		t.Errorf("policies mismatch (-want +got):\n%s", diff)
	}
	if len(set.Problems) != 0 {
		t.Errorf("unexpected problems %v", set.Problems)
	}
}

func ids(ps []*Policy) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestLoadRoot(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load of a missing root: want an error")
	}
	dir := writeTree(t, map[string]string{"one.yaml": hoistDoc("one", goodSpec), "two.yaml": hoistDoc("two", goodSpec)})
	set, err := Load(filepath.Join(dir, "two.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"apps:two"}, ids(set.Policies)); diff != "" {
		t.Errorf("policies mismatch (-want +got):\n%s", diff)
	}
	if _, err := Load(dir, WithLogger(nil)); err == nil {
		t.Error("Load with a nil logger: want an error")
	}
}

func TestLoadFluxExclusions(t *testing.T) {
	repo := func(name, extra string) string {
		return "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: " + name + "}\nspec:\n  image: a/" + name + "\n" + extra
	}
	pol := func(name string) string {
		return "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: " + name + "}\nspec:\n  imageRepositoryRef: {name: " + name + "}\n  policy: {alphabetical: {}}\n"
	}
	dir := writeTree(t, map[string]string{"f.yaml": strings.Join([]string{
		repo("dflt", ""), pol("dflt"), repo("none", "  exclusionList: []\n"), pol("none"),
		repo("own", "  exclusionList: ['^z']\n"), pol("own")}, "---\n")})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	tags := Tags("sha256-abc.sig", "v1", "zz")
	got := map[string]string{}
	for _, d := range Select(set.Policies, map[string][]Tag{"a/dflt": tags, "a/none": tags, "a/own": tags}) {
		got[d.Policy] = d.Tag
	}
	want := map[string]string{"dflt": "zz", "none": "zz", "own": "v1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s (problems %v)", diff, set.Problems)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestLoadBrokenRepository(t *testing.T) {
	dir := writeTree(t, map[string]string{"f.yaml": "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r}\nspec: {image: 'A:B'}\n---\n" +
		"apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: p}\nspec:\n  imageRepositoryRef: {name: r}\n  policy: {numerical: {}}\n"})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range set.Problems {
		got = append(got, p.Error())
	}
	want := []string{
		`f.yaml:4: ImageRepository r: spec.image: "A:B" must be a repository without tag or digest`,
		"f.yaml:10: policy p: spec.imageRepositoryRef: ImageRepository r is invalid (see f.yaml:1)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

// TestLoadDuplicateRepository checks the message of a duplicate
// ImageRepository has one colon after the object (it had two).
func TestLoadDuplicateRepository(t *testing.T) {
	repo := "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: mailrelay}\nspec: {image: a/mail}\n"
	dir := writeTree(t, map[string]string{"f.yaml": repo + "---\n" + repo})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range set.Problems {
		got = append(got, p.Error())
	}
	want := []string{"f.yaml:6: ImageRepository mailrelay: duplicate ImageRepository mailrelay (first defined at f.yaml:1)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadLimitsAndLogs(t *testing.T) {
	dir := writeTree(t, map[string]string{"big.yaml": hoistDoc("big", goodSpec), "small.yaml": "a: 1\n",
		"data.yaml": "kind: ConfigMap\ndata:\n  blob: " + strings.Repeat("x", 200) + "\n"}) // large, but no policy: not a problem
	var buf strings.Builder
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	set, err := Load(dir, WithMaxFileSize(100), WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 1 || !strings.Contains(set.Problems[0].Error(), "big.yaml: reading policy file: file is larger than 100 bytes") {
		t.Errorf("problems = %v, want big.yaml too large", set.Problems)
	}
	if !strings.Contains(buf.String(), "skipping policy object") {
		t.Errorf("log = %q, want the problem logged", buf.String())
	}
	if _, err := Load(dir, WithMaxFileSize(0)); err == nil {
		t.Error("WithMaxFileSize(0): want an error")
	}
}
