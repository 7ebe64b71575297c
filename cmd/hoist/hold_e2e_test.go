package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// clone is a person's clone of the world's config repository.
type clone struct {
	t   *testing.T
	dir string
}

func (w *world) clone(t *testing.T) *clone {
	t.Helper()
	dir := t.TempDir()
	gittest.Git(t, "", "clone", "-q", w.bare, dir)
	return &clone{t: t, dir: dir}
}

// git runs git in the clone as Jane.
func (c *clone) git(args ...string) string {
	c.t.Helper()
	cmd := gittest.GitCmd(c.dir, args...)
	cmd.Env = append(cmd.Env, "GIT_AUTHOR_NAME=Jane", "GIT_AUTHOR_EMAIL=jane@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// edit replaces old with new in file, commits it with msg and pushes.
func (c *clone) edit(file, old, new, msg string) {
	c.t.Helper()
	c.git("pull", "-q", "--ff-only")
	p := filepath.Join(c.dir, filepath.FromSlash(file))
	b, err := os.ReadFile(p)
	if err != nil {
		c.t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		c.t.Fatalf("%s lacks %q", file, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		c.t.Fatal(err)
	}
	c.git("commit", "-q", "-am", msg)
	c.git("push", "-q", "origin", "main")
}

// TestHoldsEndToEnd walks a rollback through real git and registry
// processes: hoist updates api, an operator reverts it with `git revert`,
// hoist leaves api alone (other policies still update, with a fresh state
// dir too) until a newer version ships; then a hand pin, a release and a
// suspension.
func TestHoldsEndToEnd(t *testing.T) {
	w := newWorld(t, nil)
	w.push(t, "acme/api", "1.0.0", "1.1.0")
	w.push(t, "acme/web", "1.0.0")
	w.push(t, "acme/worker", "main-1700000000-0a1b2c3")
	const apiFile = "apps/api/deployment.yaml"
	api := w.reg.Repo("acme/api")
	once := func(state string) (string, string) {
		t.Helper()
		out, errOut, err := w.hoist(t, "once", "--repo", w.url, "--state-dir", state, "--insecure-registry", w.reg.Host)
		if err != nil {
			t.Fatalf("hoist once: %v", err)
		}
		return out, errOut
	}
	apiTag := func() string {
		t.Helper()
		f := w.showFile(t, "main", apiFile)
		i := strings.Index(f, api+":")
		return strings.Fields(f[i+len(api)+1:])[0]
	}

	once(w.stateDir)
	if got := apiTag(); got != "1.1.0" {
		t.Fatalf("api = %s after the first pass, want 1.1.0", got)
	}
	hoisted := w.remoteHead(t)

	// The operator reverts hoist's commit.
	c := w.clone(t)
	c.git("revert", "--no-edit", hoisted)
	c.git("push", "-q", "origin", "main")
	revert := c.git("rev-parse", "--short=7", "HEAD")
	held := "held: 1.1.0 was reverted in " + revert + " by Jane <jane@example.com> on "

	// Another policy updates; api stays reverted, and the pass says why.
	w.push(t, "acme/web", "1.0.1")
	out, errOut := once(w.stateDir)
	if got := apiTag(); got != "1.0.0" {
		t.Errorf("api = %s after the revert, want 1.0.0 (not re-applied)", got)
	}
	if !strings.Contains(w.showFile(t, "main", "apps/web/kustomization.yaml"), `newTag: "1.0.1"`) {
		t.Errorf("web was not updated while api is held:\n%s", out)
	}
	if !strings.Contains(errOut, held) || !strings.Contains(errOut, "waiting for a version above 1.1.0") {
		t.Errorf("once does not explain the hold %q:\n%s", held, errOut)
	}

	// A fresh replica (empty state dir) decides the same, and so do tags and plan.
	head := w.remoteHead(t)
	if out, _ := once(t.TempDir()); !strings.Contains(out, "no changes") || w.remoteHead(t) != head {
		t.Errorf("a fresh state dir changed something:\n%s", out)
	}
	c.git("pull", "-q", "--ff-only")
	// A held policy is not a failure: tags exits 0. --repo with a fresh
	// state dir deepens its own shallow clone to find the revert.
	for _, where := range [][]string{{"--dir", c.dir}, {"--repo", w.url, "--state-dir", t.TempDir()}} {
		args := append([]string{"tags", "--insecure-registry", w.reg.Host, "--policy", "apps:api"}, where...)
		if tags, _, err := w.hoist(t, args...); err != nil || !strings.Contains(tags, held) {
			t.Errorf("tags %s does not show the hold, or fails (%v):\n%s", where[0], err, tags)
		}
	}
	_, planErr, err := w.hoist(t, "plan", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host)
	if err != nil || !strings.Contains(planErr, held) {
		t.Errorf("plan does not show the hold (%v):\n%s", err, planErr)
	}
	hist, _, err := w.hoist(t, "history", "--repo", w.url, "--state-dir", w.stateDir)
	if err != nil || !strings.Contains(hist, "1.1.0 -> 1.0.0  reverted "+hoisted[:12]+" by Jane") ||
		!strings.Contains(hist, "held: apps:api: 1.1.0 was reverted in "+revert+" by Jane") {
		t.Errorf("history does not show the revert and the hold (%v):\n%s", err, hist)
	}

	// A newer version ships: hoist moves on and names what it passed over.
	w.push(t, "acme/api", "1.2.0")
	once(w.stateDir)
	if got := apiTag(); got != "1.2.0" {
		t.Errorf("api = %s after 1.2.0 shipped, want 1.2.0", got)
	}
	msg := gittest.Git(t, w.bare, "log", "-1", "--format=%B", "main")
	if !strings.Contains(msg, "Hoist-Rejected: 1.1.0") || !strings.Contains(msg, "passed over 1.1.0") {
		t.Errorf("update message does not name the hold it passed over:\n%s", msg)
	}

	// A hand pin holds 1.2.0 out.
	w.push(t, "acme/api", "1.0.5")
	c.edit(apiFile, api+":1.2.0", api+":1.0.5", "pin api to 1.0.5")
	_, errOut = once(w.stateDir)
	if got := apiTag(); got != "1.0.5" {
		t.Errorf("api = %s after the hand pin, want 1.0.5", got)
	}
	if !strings.Contains(errOut, "held: 1.2.0 was replaced by 1.0.5 in ") {
		t.Errorf("once does not explain the pin:\n%s", errOut)
	}

	// A release trailer lets hoist select 1.2.0 again.
	c.git("pull", "-q", "--ff-only")
	c.git("commit", "-q", "--allow-empty", "-m", "let api move again\n\nHoist-Release: apps:api")
	c.git("push", "-q", "origin", "main")
	once(w.stateDir)
	if got := apiTag(); got != "1.2.0" {
		t.Errorf("api = %s after the release, want 1.2.0", got)
	}

	// suspend: true stops the policy's updates.
	c.edit("policies/api.yaml", "  policy:\n", "  suspend: true\n  policy:\n", "suspend api")
	w.push(t, "acme/api", "1.3.0")
	_, errOut = once(w.stateDir)
	if got := apiTag(); got != "1.2.0" {
		t.Errorf("api = %s while suspended, want 1.2.0", got)
	}
	if !strings.Contains(errOut, "held: policy apps:api is suspended") {
		t.Errorf("once does not say api is suspended:\n%s", errOut)
	}
}
