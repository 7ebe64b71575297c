package gitwriter

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// readTags is a HoldQuery.Read for test files: lines
// `tag: 1.0.0 # {"$imagepolicy": "apps:api:tag"}`.
func readTags(_ string, data []byte) map[string]string {
	re := regexp.MustCompile(`(?m)^\s*\w+: (\S+) # \{"\$imagepolicy": "([^"]+):tag"\}$`)
	out := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		out[m[2]] = m[1]
	}
	return out
}

func apiFile(tag string) map[string]string {
	return map[string]string{"deploy/api.yaml": "tag: " + tag + " # {\"$imagepolicy\": \"apps:api:tag\"}\n"}
}

// history builds a repository commit by commit in a temporary directory.
type history struct {
	t   *testing.T
	dir string
}

func newHistory(t *testing.T, tag string) *history {
	t.Helper()
	h := &history{t: t, dir: t.TempDir()}
	gittest.Git(t, h.dir, "init", "-q", "-b", "main")
	h.commit("seed", apiFile(tag), "")
	return h
}

// commit writes files and commits them with msg, as author ("" for the
// default test identity); it returns the commit's hash.
func (h *history) commit(msg string, files map[string]string, author string) string {
	h.t.Helper()
	gittest.WriteFiles(h.t, h.dir, files)
	gittest.Git(h.t, h.dir, "add", "-A")
	args := []string{"commit", "-q", "--allow-empty", "-m", msg, "--date=2026-11-20T10:00:00Z"}
	if author != "" {
		args = append(args, "--author="+author)
	}
	gittest.Git(h.t, h.dir, args...)
	return gittest.Git(h.t, h.dir, "rev-parse", "HEAD")
}

// hoist commits an update of apps:api to tag as hoist does.
func (h *history) hoist(from, to string, extra ...string) string {
	h.t.Helper()
	msg := "Update images: api " + to + "\n\napps:api: " + from + " -> " + to + "\n\n" +
		"Hoist-Policy: apps:api\nHoist-Image: ghcr.io/acme/api:" + to + "\nHoist-From: " + from + "\nHoist-To: " + to + "\n" +
		strings.Join(extra, "\n")
	return h.commit(msg, apiFile(to), "hoist <hoist@localhost>")
}

func (h *history) git(args ...string) string {
	h.t.Helper()
	return gittest.Git(h.t, h.dir, args...)
}

func (h *history) holds(c *HistoryCache) HoldReport {
	h.t.Helper()
	opts := []Option{}
	if c != nil {
		opts = append(opts, WithHistoryCache(c))
	}
	rep, err := ReadHolds(context.Background(), h.dir,
		HoldQuery{Files: map[string][]string{"apps:api": {"deploy/api.yaml"}}, Read: readTags}, opts...)
	if err != nil {
		h.t.Fatalf("ReadHolds: %v", err)
	}
	return rep
}

const jane = "Jane <jane@example.com>"

func TestHolds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(h *history) (reason, commit string)
	}{
		{"no hoist update", func(h *history) (string, string) { return "", "" }},
		{"hoist's value stands", func(h *history) (string, string) {
			h.hoist("1.0.0", "1.1.0")
			h.commit("unrelated", map[string]string{"README.md": "x\n"}, jane)
			return "", ""
		}},
		{"git revert", func(h *history) (string, string) {
			c := h.hoist("1.0.0", "1.1.0")
			h.git("-c", "user.name=Jane", "-c", "user.email=jane@example.com", "revert", "--no-edit", c)
			h.commit("unrelated after", map[string]string{"README.md": "x\n"}, "")
			return "was reverted", h.git("rev-parse", "HEAD~1")
		}},
		{"hand pin", func(h *history) (string, string) {
			h.hoist("1.0.0", "1.1.0")
			return "was replaced by 1.0.5", h.commit("pin api", apiFile("1.0.5"), jane)
		}},
		{"revert then hand pin names the revert", func(h *history) (string, string) {
			h.hoist("1.0.0", "1.1.0")
			c := h.commit("Revert \"Update\"\n\nThis reverts commit 0123456789abcdef.\n", apiFile("1.0.0"), jane)
			h.commit("pin", apiFile("1.0.5"), jane)
			return "was reverted", c
		}},
		{"revert of a revert holds nothing", func(h *history) (string, string) {
			c := h.hoist("1.0.0", "1.1.0")
			h.git("revert", "--no-edit", c)
			h.git("revert", "--no-edit", "HEAD")
			return "", ""
		}},
		{"release after the revert", func(h *history) (string, string) {
			c := h.hoist("1.0.0", "1.1.0")
			h.git("revert", "--no-edit", c)
			h.commit("let api move\n\nHoist-Release: apps:api\n", nil, jane)
			return "", ""
		}},
		{"release before the revert does not count", func(h *history) (string, string) {
			h.hoist("1.0.0", "1.1.0")
			h.commit("release\n\nHoist-Release: apps:api\n", nil, jane)
			return "was replaced by 1.0.0", h.commit("back", apiFile("1.0.0"), jane)
		}},
		{"release of another policy", func(h *history) (string, string) {
			h.hoist("1.0.0", "1.1.0")
			c := h.commit("back", apiFile("1.0.0"), jane)
			h.commit("release\n\nHoist-Release: apps:web\n", nil, jane)
			return "was replaced by 1.0.0", c
		}},
		{"marker removed and re-added is a new marker", func(h *history) (string, string) {
			h.hoist("1.0.0", "1.1.0")
			h.commit("drop", map[string]string{"deploy/api.yaml": "tag: 1.1.0\n"}, jane)
			h.commit("again", apiFile("1.0.0"), jane)
			return "", ""
		}},
		{"file deleted and re-created", func(h *history) (string, string) {
			h.hoist("1.0.0", "1.1.0")
			h.git("rm", "-q", "deploy/api.yaml")
			h.commit("drop", nil, jane)
			h.commit("again", apiFile("1.0.0"), jane)
			return "", ""
		}},
		{"hoist's newer update supersedes", func(h *history) (string, string) {
			c := h.hoist("1.0.0", "1.1.0")
			h.git("revert", "--no-edit", c)
			h.hoist("1.0.0", "1.2.0", "Hoist-Rejected: 1.1.0")
			return "was rejected earlier", h.git("rev-parse", "HEAD")
		}},
		{"merge of a branch that reverts", func(h *history) (string, string) {
			c := h.hoist("1.0.0", "1.1.0")
			h.git("checkout", "-q", "-b", "fix")
			h.git("revert", "--no-edit", c)
			h.git("checkout", "-q", "main")
			h.commit("other work", map[string]string{"README.md": "y\n"}, "")
			h.git("merge", "-q", "--no-ff", "-m", "Merge branch fix", "fix")
			return "was replaced by 1.0.0", h.git("rev-parse", "HEAD")
		}},
		{"merged pull request of hoist's push branch", func(h *history) (string, string) {
			h.git("checkout", "-q", "-b", "hoist/main")
			h.hoist("1.0.0", "1.1.0")
			h.git("checkout", "-q", "main")
			h.commit("other work", map[string]string{"README.md": "y\n"}, "")
			h.git("merge", "-q", "--no-ff", "-m", "Merge pull request #1 from hoist/main", "hoist/main")
			return "was replaced by 1.0.7", h.commit("pin", apiFile("1.0.7"), jane)
		}},
		{"merged pull request stands", func(h *history) (string, string) {
			h.git("checkout", "-q", "-b", "hoist/main")
			h.hoist("1.0.0", "1.1.0")
			h.git("checkout", "-q", "main")
			h.git("merge", "-q", "--no-ff", "-m", "Merge pull request #1 from hoist/main", "hoist/main")
			return "", ""
		}},
		{"garbage trailers are not records", func(h *history) (string, string) {
			h.hoist("1.0.0", "1.1.0")
			c := h.commit("back", apiFile("1.0.0"), jane)
			h.commit("junk\n\nHoist-Policy: apps:api\nHoist-Image: x\n", nil, jane)
			h.commit("junk\n\nHoist-Policy: apps:api\nHoist-To: \"unterminated\n", nil, jane)
			h.commit("junk\n\nHoist-Release: \"\\x\"\nHoist-Rejected: 9.9.9\n", nil, jane)
			return "was replaced by 1.0.0", c
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistory(t, "1.0.0")
			reason, commit := tc.build(h)
			rep := h.holds(nil)
			var want map[string][]Rejection
			if reason != "" {
				want = map[string][]Rejection{"apps:api": {{Version: "1.1.0", Reason: reason, Commit: commit}}}
			} else {
				want = map[string][]Rejection{}
			}
			ignore := cmpopts.IgnoreFields(Rejection{}, "Who", "When")
			if diff := cmp.Diff(want, rep.Rejected, ignore); diff != "" {
				t.Errorf("rejections mismatch (-want +got):\n%s", diff)
			}
			if len(rep.Warnings) > 0 {
				t.Errorf("warnings: %v", rep.Warnings)
			}
			// A fresh cache and a reused one decide the same.
			c := &HistoryCache{}
			h.holds(c)
			if diff := cmp.Diff(rep, h.holds(c)); diff != "" {
				t.Errorf("cached read differs (-fresh +cached):\n%s", diff)
			}
		})
	}
}

func TestHoldsWhoAndWhen(t *testing.T) {
	h := newHistory(t, "1.0.0")
	h.hoist("1.0.0", "1.1.0")
	c := h.commit("Revert\n\nThis reverts commit abcdef1.\n", apiFile("1.0.0"), jane)
	got := h.holds(nil).Rejected["apps:api"]
	want := "was reverted in " + c[:7] + " by Jane <jane@example.com> on 2026-11-20"
	if len(got) != 1 || got[0].Why() != want {
		t.Errorf("holds = %+v, want one that says %q", got, want)
	}
}

func TestHoldsAfterForcePush(t *testing.T) {
	h := newHistory(t, "1.0.0")
	base := h.git("rev-parse", "HEAD")
	c := h.hoist("1.0.0", "1.1.0")
	h.git("revert", "--no-edit", c)
	cache := &HistoryCache{}
	if got := h.holds(cache).Rejected; len(got["apps:api"]) != 1 {
		t.Fatalf("before the rewrite: %v", got)
	}
	// Someone rewrites history without hoist's commit: its record is gone.
	h.git("reset", "-q", "--hard", base)
	h.commit("rewritten", apiFile("1.0.1"), jane)
	if got := h.holds(cache).Rejected; len(got) != 0 {
		t.Errorf("after the rewrite: %v, want none", got)
	}
}

func TestHoldsLimit(t *testing.T) {
	h := newHistory(t, "1.0.0")
	for i := 0; i < 5; i++ {
		h.commit("work", map[string]string{"README.md": strings.Repeat("x", i+1)}, "")
	}
	rep, err := ReadHolds(context.Background(), h.dir,
		HoldQuery{Files: map[string][]string{"apps:api": {"deploy/api.yaml"}}, Read: readTags}, WithHistoryLimit(3))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "limit of 3 commits") || rep.Commits != 3 {
		t.Errorf("report = %+v, want a warning about the limit", rep)
	}
}

// TestHoldsDeepensShallowClone reads a revert through a depth-1 cached
// clone, inside Update's edit as a pass does.
func TestHoldsDeepensShallowClone(t *testing.T) {
	bare, url := daemonRepo(t)
	work := t.TempDir()
	gittest.Git(t, "", "clone", "-q", bare, work)
	h := &history{t: t, dir: work}
	h.commit("set", apiFile("1.0.0"), "")
	c := h.hoist("1.0.0", "1.1.0")
	h.git("revert", "--no-edit", c)
	for i := 0; i < 150; i++ {
		h.commit("work", nil, "")
	}
	h.git("push", "-q", "origin", "main")

	r := mustOpen(t, url) // depth 1
	var got HoldReport
	_, err := r.Update(context.Background(), func(ctx context.Context, dir string) (Change, error) {
		var err error
		got, err = r.Holds(ctx, HoldQuery{Files: map[string][]string{"apps:api": {"deploy/api.yaml"}}, Read: readTags})
		return Change{}, err
	})
	must(t, err)
	if rs := got.Rejected["apps:api"]; len(rs) != 1 || rs[0].Version != "1.1.0" || rs[0].Reason != "was reverted" {
		t.Errorf("holds = %+v", got)
	}
	// Outside an edit, Holds takes the lock itself.
	again, err := r.Holds(context.Background(), HoldQuery{Files: map[string][]string{"apps:api": {"deploy/api.yaml"}}, Read: readTags})
	must(t, err)
	if diff := cmp.Diff(got, again); diff != "" {
		t.Errorf("second read differs (-first +second):\n%s", diff)
	}
}

func TestMessageNamesRejections(t *testing.T) {
	m, err := parseTemplate(DefaultMessageTemplate, Automation{})
	must(t, err)
	c := sampleChange()
	c.Rejected = map[string][]string{"apps:api": {"1.4.3-bad", "line\nbreak"}}
	msg, err := m.render(c)
	must(t, err)
	for _, want := range []string{
		"apps:api: passed over 1.4.3-bad, \"line\\nbreak\" (rejected)\n",
		"Hoist-To: 1.4.3\nHoist-Rejected: 1.4.3-bad\nHoist-Rejected: \"line\\nbreak\"\nHoist-Policy: apps:web\n",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	e := entries(&object.Commit{Message: msg})
	if len(e) != 2 || !cmp.Equal(e[0].Rejected, []string{"1.4.3-bad", `"line\nbreak"`}) {
		t.Errorf("entries = %+v", e)
	}
}

func TestHistoryShowsRevertsAndReleases(t *testing.T) {
	bare, url := daemonRepo(t)
	w := mustOpen(t, url)
	ctx := context.Background()
	_, err := w.Update(ctx, setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1"))
	must(t, err)
	h := &history{t: t, dir: t.TempDir()}
	gittest.Git(t, "", "clone", "-q", bare, h.dir)
	h.git("revert", "--no-edit", "HEAD")
	h.commit("go on\n\nHoist-Release: apps:web\n", nil, jane)
	h.git("push", "-q", "origin", "main")
	got, err := mustOpen(t, url).History(ctx, 0)
	must(t, err)
	var kinds []string
	for _, e := range got {
		kinds = append(kinds, e.Kind+" "+e.Policy+" "+e.From+"->"+e.To)
	}
	want := []string{"release apps:web ->", "revert apps:web 2.0.1->", " apps:web ->2.0.1"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("history mismatch (-want +got):\n%s", diff)
	}
}

// TestReadHoldsInSubdirectory: files are relative to the directory given,
// inside a larger checkout.
func TestReadHoldsInSubdirectory(t *testing.T) {
	h := newHistory(t, "1.0.0")
	h.hoist("1.0.0", "1.1.0")
	h.commit("pin", apiFile("1.0.5"), jane)
	rep, err := ReadHolds(context.Background(), filepath.Join(h.dir, "deploy"),
		HoldQuery{Files: map[string][]string{"apps:api": {"api.yaml"}}, Read: readTags})
	must(t, err)
	if rs := rep.Rejected["apps:api"]; len(rs) != 1 || rs[0].Reason != "was replaced by 1.0.5" {
		t.Errorf("holds = %+v", rep)
	}
}
