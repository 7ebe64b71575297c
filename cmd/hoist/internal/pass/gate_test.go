package pass

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/registry"
)

// chartScanner is a hand-written Scanner with chart versions and build
// times; its images have no tags.
type chartScanner struct {
	charts map[string][]registry.ChartVersion // by repository + " " + name
	times  map[string]time.Time
}

func (s *chartScanner) ListTags(context.Context, string) (registry.TagList, error) {
	return registry.TagList{}, nil
}

func (s *chartScanner) Digest(context.Context, string, string, string) (string, error) {
	return "sha256:" + strings.Repeat("0", 64), nil
}

func (s *chartScanner) BuildTimes(_ context.Context, _ string, tags []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for _, t := range tags {
		if c, ok := s.times[t]; ok {
			out[t] = c
		}
	}
	return out, nil
}

func (s *chartScanner) ChartVersions(_ context.Context, repository, name string) (registry.ChartList, error) {
	return registry.ChartList{Versions: s.charts[repository+" "+name]}, nil
}

// imagesOnly hides ChartVersions.
type imagesOnly struct{ Scanner }

func chartPolicy(name, chart, extra string) string {
	return "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: " + name + "}\nspec:\n  chart: " + chart +
		"\n  policy: {semver: {range: '*'}}\n" + extra
}

func TestChartPolicies(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	sc := &chartScanner{
		charts: map[string][]registry.ChartVersion{
			"https://charts.example.com api":       {{Version: "1.0.0", Created: now.Add(-50 * time.Hour)}, {Version: "1.1.0", Created: now.Add(-time.Hour)}},
			"oci://ghcr.io/acme/charts/web ":       {{Version: "2.0.0", Tag: "2.0.0"}, {Version: "2.1.0+b.1", Tag: "2.1.0_b.1"}},
			"https://charts.example.com whole-ref": {{Version: "3.0.0"}},
		},
		times: map[string]time.Time{"2.0.0": now.Add(-48 * time.Hour), "2.1.0_b.1": now.Add(-30 * time.Hour)},
	}
	files := map[string]string{
		"p/api.yaml":   chartPolicy("api", "{repository: https://charts.example.com, name: api}", "  minAge: 24h\n"),
		"p/web.yaml":   chartPolicy("web", "oci://ghcr.io/acme/charts/web", "  minAge: 24h\n"),
		"p/whole.yaml": chartPolicy("whole", "{repository: https://charts.example.com, name: whole-ref}", ""),
		"m/api.yaml":   "version: 0.9.0 # {\"$imagepolicy\": \"api:tag\"}\n",
		"m/web.yaml":   "version: 1.0.0 # {\"$imagepolicy\": \"web:tag\"}\n",
		"m/whole.yaml": "a: 1\nversion: 2.0.0 # {\"$imagepolicy\": \"whole:tag\"}\nchart: x:2.0.0 # {\"$imagepolicy\": \"whole\"}\n",
	}
	dir := t.TempDir()
	writeFiles(t, dir, files)
	rep, err := Run(context.Background(), dir, sc, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read("m/api.yaml"); !strings.HasPrefix(got, "version: 1.0.0 ") {
		t.Errorf("classic chart with minAge: %q, want 1.0.0 (1.1.0 is an hour old)", got)
	}
	if got := read("m/web.yaml"); !strings.HasPrefix(got, "version: 2.1.0+b.1 ") {
		t.Errorf("OCI chart with minAge on build times: %q, want 2.1.0+b.1", got)
	}
	if got := read("m/whole.yaml"); got != files["m/whole.yaml"] {
		t.Errorf("a chart policy with a whole-reference marker was rewritten:\n%s", got)
	}
	want := "m/whole.yaml:3: marker of chart policy whole sets a whole reference; a chart's marker takes the :tag form"
	if errs := Errors(rep.Problems); len(errs) != 1 || !strings.HasPrefix(errs[0].Message, want) {
		t.Errorf("problems = %v, want one starting %q", rep.Problems, want)
	}
	if g := rep.Change().Gates; g["api"] != "created 2026-11-19 10:00, 50h old" || g["web"] != "created 2026-11-20 06:00, 30h old" {
		t.Errorf("gates for the commit = %v", g)
	}

	// A scanner that cannot list charts: an error naming the chart.
	writeFiles(t, dir, map[string]string{"m/api.yaml": files["m/api.yaml"]})
	rep, err = Decide(context.Background(), dir, imagesOnly{sc}, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(problemText(rep), "scanning https://charts.example.com#api: this registry client cannot list chart versions") {
		t.Errorf("problems = %v", rep.Problems)
	}
}

// TestFollowOutsideGit: a follow gate in a worktree that is not a git
// checkout fails, naming the policy's follow line; the others go on.
func TestFollowOutsideGit(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"p.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: prod}\nspec:\n  image: ghcr.io/acme/api\n" +
			"  policy: {semver: {range: '*'}}\n  follow: {path: staging, policy: api, after: 1h}\n",
		"prod.yaml": "image: ghcr.io/acme/api:1.0.0 # {\"$imagepolicy\": \"prod\"}\n",
	})
	rep, err := Decide(context.Background(), dir, &chartScanner{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "p.yaml:7: policy prod: follow api in staging for 1h: the worktree is not a git checkout"
	if !strings.Contains(problemText(rep), want) {
		t.Errorf("problems = %v, want %q", rep.Problems, want)
	}
}
