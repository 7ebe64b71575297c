package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

func pushDemoTags(t *testing.T, w *world) {
	t.Helper()
	w.push(t, "acme/api", "1.0.0", "1.1.0", "1.2.0-rc.1", "2.0.0")
	w.push(t, "acme/web", "1.0.0", "1.0.1", "1.1.0-debug")
	w.push(t, "acme/worker", "main-1700000000-0a1b2c3", "main-1700000500-9f8e7d6", "feature-x")
}

func TestOncePushesOneCommitTouchingOnlyMarkedValues(t *testing.T) {
	w := newWorld(t, nil)
	pushDemoTags(t, w)
	before := w.remoteHead(t)

	out, _, err := w.hoist(t, "once", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host,
		"--author-name", "Image Bot", "--author-email", "bot@example.com")
	if err != nil {
		t.Fatalf("hoist once: %v", err)
	}
	if !strings.Contains(out, "pushed ") {
		t.Errorf("stdout does not report a push:\n%s", out)
	}
	after := w.remoteHead(t)
	if parent := strings.TrimSpace(gittest.Git(t, w.bare, "rev-parse", after+"^")); parent != before {
		t.Fatalf("new head's parent = %s, want the old head %s (one commit on top)", parent, before)
	}
	author := strings.TrimSpace(gittest.Git(t, w.bare, "log", "-1", "--format=%an <%ae>", after))
	if author != "Image Bot <bot@example.com>" {
		t.Errorf("author = %q, want %q", author, "Image Bot <bot@example.com>")
	}
	msg := gittest.Git(t, w.bare, "log", "-1", "--format=%B", after)
	for _, want := range []string{"1.0.0 -> 1.1.0", "1.0.0 -> 1.0.1", "main-1700000000-0a1b2c3 -> main-1700000500-9f8e7d6",
		"Hoist-Policy: apps:api", "Hoist-Policy: apps:web", "Hoist-Policy: apps:worker"} {
		if !strings.Contains(msg, want) {
			t.Errorf("commit message lacks %q:\n%s", want, msg)
		}
	}

	// Only the marked values changed: each file equals its original with
	// exactly those values replaced.
	api := w.reg.Repo("acme/api")
	want := map[string]string{
		"apps/api/deployment.yaml": strings.Replace(w.files["apps/api/deployment.yaml"], api+":1.0.0 ", api+":1.1.0 ", 1),
		"apps/web/kustomization.yaml": strings.Replace(w.files["apps/web/kustomization.yaml"],
			`newTag: "1.0.0"`, `newTag: "1.0.1"`, 1),
		"apps/worker/values.yaml": strings.Replace(w.files["apps/worker/values.yaml"],
			"main-1700000000-0a1b2c3", "main-1700000500-9f8e7d6", 1),
	}
	changed := strings.Fields(gittest.Git(t, w.bare, "diff", "--name-only", before, after))
	if diff := cmp.Diff([]string{"apps/api/deployment.yaml", "apps/web/kustomization.yaml", "apps/worker/values.yaml"}, changed); diff != "" {
		t.Errorf("changed files mismatch (-want +got):\n%s", diff)
	}
	for path, content := range want {
		if content == w.files[path] {
			t.Fatalf("test bug: expected content of %s equals the original", path)
		}
		if diff := cmp.Diff(content, w.showFile(t, after, path)); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
		}
	}

	// A second pass with nothing new makes no commit and says so.
	out, _, err = w.hoist(t, "once", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host)
	if err != nil {
		t.Fatalf("second hoist once: %v", err)
	}
	if !strings.Contains(out, "no changes") {
		t.Errorf("second pass does not say it had nothing to do:\n%s", out)
	}
	if head := w.remoteHead(t); head != after {
		t.Errorf("second pass moved the remote head from %s to %s", after, head)
	}

	// A newer tag is picked up by the next pass.
	w.push(t, "acme/api", "1.2.0")
	if _, _, err := w.hoist(t, "once", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host); err != nil {
		t.Fatalf("third hoist once: %v", err)
	}
	if got := w.showFile(t, "main", "apps/api/deployment.yaml"); !strings.Contains(got, api+":1.2.0 ") {
		t.Errorf("api not moved to 1.2.0:\n%s", got)
	}
}

func TestPlanPrintsDiffAndPushesNothing(t *testing.T) {
	w := newWorld(t, nil)
	pushDemoTags(t, w)
	before := w.remoteHead(t)
	out, _, err := w.hoist(t, "plan", "--repo", w.url, "--insecure-registry", w.reg.Host)
	if err != nil {
		t.Fatalf("hoist plan: %v", err)
	}
	for _, want := range []string{"--- a/apps/api/deployment.yaml", "+++ b/apps/api/deployment.yaml",
		"-          image: " + w.reg.Repo("acme/api") + ":1.0.0", "+          image: " + w.reg.Repo("acme/api") + ":1.1.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q", want)
		}
	}
	if head := w.remoteHead(t); head != before {
		t.Errorf("plan moved the remote head from %s to %s", before, head)
	}
}

func TestBadInputIsReportedAndTheRestLands(t *testing.T) {
	w := newWorld(t, map[string]string{
		"policies/broken.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: broken\nspec:\n  image: x/y\n  policy:\n    semver: {range: 'not a range'}\n",
		"policies/gone.yaml":   "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: gone\nspec:\n  image: 127.0.0.1:1/acme/gone\n  policy:\n    semver: {range: '*'}\n",
		"apps/gone.yaml": "image: 127.0.0.1:1/acme/gone:1.0.0 # {\"$imagepolicy\": \"gone\"}\n" +
			"other: 127.0.0.1:1/acme/x:1.0.0 # {\"$imagepolicy\": \"apps:nosuch\"}\n",
	})
	pushDemoTags(t, w)
	before := w.remoteHead(t)
	_, errOut, err := w.hoist(t, "once", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host)
	if err == nil {
		t.Fatal("hoist once succeeded despite bad input; want a non-zero exit")
	}
	for _, want := range []string{"policies/broken.yaml:", "127.0.0.1:1/acme/gone", `apps/gone.yaml:2: `, "nosuch"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	// The good policies still landed, in one commit.
	after := w.remoteHead(t)
	if after == before {
		t.Fatal("nothing was pushed; the good policies should still land")
	}
	if got := w.showFile(t, after, "apps/api/deployment.yaml"); !strings.Contains(got, w.reg.Repo("acme/api")+":1.1.0 ") {
		t.Errorf("api not updated despite being fine:\n%s", got)
	}
	if got := w.showFile(t, after, "apps/gone.yaml"); got != w.files["apps/gone.yaml"] {
		t.Errorf("apps/gone.yaml changed though its registry is unreachable:\n%s", got)
	}
}

func TestUnreachableRemoteFailsWithOneLine(t *testing.T) {
	w := &world{}
	_, errOut, err := w.hoist(t, "once", "--repo", "git://127.0.0.1:1/nothing.git", "--state-dir", t.TempDir())
	if err == nil {
		t.Fatal("hoist once against an unreachable remote succeeded")
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "hoist: ") || !strings.Contains(last, "127.0.0.1:1") {
		t.Errorf("last stderr line = %q, want a one-line reason naming the remote", last)
	}
}
