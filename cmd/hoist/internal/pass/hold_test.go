package pass

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
	"github.com/hoist-dev/hoist/registry"
)

// fakeScanner lists fixed tags; it resolves no digests.
type fakeScanner map[string][]string

func (f fakeScanner) ListTags(_ context.Context, repo string) (registry.TagList, error) {
	return registry.TagList{Tags: f[repo]}, nil
}
func (f fakeScanner) Digest(context.Context, string, string, string) (string, error) {
	return "", errors.New("no digests")
}
func (f fakeScanner) BuildTimes(context.Context, string, []string) (map[string]time.Time, error) {
	return nil, nil
}

func holdRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	pol := func(name string) string {
		return "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: " + name + ", namespace: apps}\n" +
			"spec:\n  image: r/" + name + "\n  policy: {semver: {range: '*'}}\n"
	}
	writeFiles(t, dir, map[string]string{
		"policies.yaml":   pol("api") + "---\n" + pol("web"),
		"deploy/api.yaml": "image: r/api:1.0.0 # {\"$imagepolicy\": \"apps:api\"}\n",
		"deploy/web.yaml": "tag: 2.0.0 # {\"$imagepolicy\": \"apps:web:tag\"}\n",
	})
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	gittest.Git(t, dir, "add", "-A")
	gittest.Git(t, dir, "commit", "-q", "-m", "seed")
	writeFiles(t, dir, map[string]string{"deploy/api.yaml": "image: r/api:1.1.0 # {\"$imagepolicy\": \"apps:api\"}\n"})
	gittest.Git(t, dir, "commit", "-q", "-am", "Update images: api 1.1.0\n\nHoist-Policy: apps:api\nHoist-Image: r/api:1.1.0\nHoist-From: 1.0.0\nHoist-To: 1.1.0\n")
	gittest.Git(t, dir, "revert", "--no-edit", "HEAD")
	return dir
}

func TestPassHolds(t *testing.T) {
	ctx := context.Background()
	dir := holdRepo(t)
	revert := gittest.Git(t, dir, "rev-parse", "--short=7", "HEAD")
	sc := fakeScanner{"r/api": {"1.0.0", "1.1.0"}, "r/web": {"2.0.0", "2.1.0"}}
	rep, err := Decide(ctx, dir, sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantMsg := "held: 1.1.0 was reverted in " + revert + " by test <test@localhost> on "
	if len(rep.Holds) != 1 || rep.Holds[0].Policy != "apps:api" || !strings.HasPrefix(rep.Holds[0].Message, wantMsg) ||
		!strings.HasSuffix(rep.Holds[0].Message, "; waiting for a version above 1.1.0") || len(rep.Holds[0].Rejected) != 1 {
		t.Fatalf("holds = %+v, want apps:api %q...", rep.Holds, wantMsg)
	}
	if diff := cmp.Diff(map[string]string{"apps:web": "2.1.0"}, refTags(rep)); diff != "" {
		t.Errorf("refs mismatch (-want +got):\n%s", diff)
	}
	if len(Errors(rep.Problems)) > 0 || !strings.Contains(problemText(rep), "policy apps:api: held: 1.1.0 was reverted") {
		t.Errorf("problems = %v, want the hold as a warning only", rep.Problems)
	}

	// A closed pull request's versions come in through Options.Rejected.
	rep, err = Decide(ctx, dir, sc, Options{Rejected: map[string][]gitwriter.Rejection{
		"apps:web": {{Version: "2.1.0", Reason: "was proposed in a pull request closed without merging"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Holds) != 2 || len(rep.Refs) != 0 {
		t.Errorf("holds = %+v, refs = %v, want both held", rep.Holds, rep.Refs)
	}

	// A newer version moves the policy, naming the one it passed over.
	sc["r/api"] = append(sc["r/api"], "1.2.0")
	rep, err = Run(ctx, dir, sc, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"apps:api": "1.2.0", "apps:web": "2.1.0"}, refTags(rep)); diff != "" {
		t.Errorf("refs mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"apps:api": {"1.1.0"}}, rep.PassedOver()); diff != "" {
		t.Errorf("PassedOver mismatch (-want +got):\n%s", diff)
	}
}

type brokenHistory struct{}

func (brokenHistory) Holds(context.Context, gitwriter.HoldQuery) (gitwriter.HoldReport, error) {
	return gitwriter.HoldReport{}, errors.New("fetch failed")
}

// TestPassHistoryUnreadable: a pass that cannot read history moves
// nothing, because it cannot tell a rollback from an old value.
func TestPassHistoryUnreadable(t *testing.T) {
	dir := holdRepo(t)
	rep, err := Decide(context.Background(), dir, fakeScanner{"r/api": {"1.2.0"}, "r/web": {"2.1.0"}}, Options{History: brokenHistory{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Refs) != 0 || len(rep.Holds) != 2 || rep.ProblemsByStage()["history"] != 1 {
		t.Errorf("refs %v, holds %+v, problems %v", rep.Refs, rep.Holds, rep.Problems)
	}
}

// TestPassOutsideGit: a worktree that is not in git has no holds.
func TestPassOutsideGit(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"p.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: api}\nspec:\n  image: r/api\n  policy: {semver: {range: '*'}}\n",
		"m.yaml": "image: r/api:1.0.0 # {\"$imagepolicy\": \"api\"}\n",
	})
	rep, err := Decide(context.Background(), dir, fakeScanner{"r/api": {"1.1.0"}}, Options{})
	if err != nil || len(rep.Problems) > 0 || rep.Refs["api"].Tag != "1.1.0" {
		t.Errorf("Decide = %+v, %v", rep, err)
	}
}

func TestMarkedTags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
	}{
		{"image: r/api:1.0.0 # {\"$imagepolicy\": \"apps:api\"}\n", map[string]string{"apps:api": "1.0.0"}},
		{"  - image: \"r:5000/api:1.0.0@sha256:00\" # {\"$imagepolicy\": \"api\"}\n", map[string]string{"api": "1.0.0"}},
		{"tag: '2.0' #{\"$imagepolicy\":\"api:tag\"}\r\n", map[string]string{"api": "2.0"}},
		{"name: r/api # {\"$imagepolicy\": \"apps:api:name\"}\n", map[string]string{}},
		{"a: 1 # {\"$imagepolicy\": \"p:tag\"}\nb: 2 # {\"$imagepolicy\": \"p:tag\"}\n", map[string]string{"p": "1,2"}},
		{"x: 1 # {\"$imagepolicy\": 7}\ny: # {\"$imagepolicy\": \"q\"}\n", map[string]string{}},
		{"no markers\n", nil},
	} {
		if diff := cmp.Diff(tc.want, markedTags("f.yaml", []byte(tc.in))); diff != "" {
			t.Errorf("markedTags(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}

// FuzzMarkedTags reads arbitrary file content as holds do: it never
// panics and every policy it names has a non-empty ID.
func FuzzMarkedTags(f *testing.F) {
	f.Add("image: r/api:1.0.0 # {\"$imagepolicy\": \"apps:api\"}\n")
	f.Add("tag: x # {\"$imagepolicy\": \"a:b:c:d\"}\n")
	f.Fuzz(func(t *testing.T, s string) {
		for p := range markedTags("f.yaml", []byte(s)) {
			if p == "" {
				t.Fatalf("empty policy from %q", s)
			}
		}
	})
}

func refTags(rep *Report) map[string]string {
	out := map[string]string{}
	for p, r := range rep.Refs {
		out[p] = r.Tag
	}
	return out
}

func problemText(rep *Report) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}
