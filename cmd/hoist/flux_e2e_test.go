package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// TestOnceFollowsFluxAutomations is the Flux migration's promise: `hoist
// once --repo URL` with no other flag, on a repository laid out for Flux,
// updates what Flux's image automation would, with each automation's
// branch, push branch, author and message template, and leaves alone what
// Flux would (a suspended automation, markers outside an automation's path
// or of policies it does not select). No registry flag either: the
// registry is on loopback.
func TestOnceFollowsFluxAutomations(t *testing.T) {
	w := newWorldFrom(t, "../../testdata/flux-e2e", nil)
	w.push(t, "acme/podinfo", "6.0.0", "6.0.3", "6.1.0-rc.1")
	before := w.remoteHead(t)

	out, errOut, err := w.hoist(t, "once", "--repo", w.url)
	if err != nil {
		t.Fatalf("hoist once: %v\n%s%s", err, out, errOut)
	}
	if !strings.Contains(out, "automation flux-system:paused: suspended, not run") {
		t.Errorf("stdout does not say the suspended automation did not run:\n%s", out)
	}
	if strings.Count(errOut, "warning: ") != 2 || strings.Count(errOut, "is deprecated and no longer served by Flux") != 2 || strings.Contains(errOut, "problem: ") {
		t.Errorf("want two warnings (old API versions), once each, and no problems on stderr:\n%s", errOut)
	}
	img := w.reg.Repo("acme/podinfo")

	// prod: one commit on main, Flux's v1 template, only clusters/prod.
	main := w.remoteHead(t)
	if parent := strings.TrimSpace(gittest.Git(t, w.bare, "rev-parse", main+"^")); parent != before {
		t.Fatalf("main's new head %s is not one commit on %s", main, before)
	}
	w.checkCommit(t, main, "fluxcdbot <fluxcdbot@users.noreply.github.com>", []string{"clusters/prod/podinfo.yaml"})
	msg := gittest.Git(t, w.bare, "log", "-1", "--format=%B", main)
	wantMsg := "Automated image update\n\nAutomation name: flux-system/prod\n\nFiles:\n- podinfo.yaml\nObjects:\n" +
		"- Deployment podinfo\n  Changes:\n    - " + img + ":6.0.0 -> " + img + ":6.0.3\n"
	if !strings.HasPrefix(msg, wantMsg) || !strings.Contains(msg, "\nHoist-Policy: flux-system:podinfo-prod\n") {
		t.Errorf("prod commit message:\n%s\nwant it to start with:\n%s", msg, wantMsg)
	}
	w.checkFile(t, main, "clusters/prod/podinfo.yaml", img+":6.0.0 ", img+":6.0.3 ")

	// staging: one commit on image-updates, on top of the new main.
	staging := strings.TrimSpace(gittest.Git(t, w.bare, "rev-parse", "refs/heads/image-updates"))
	if parent := strings.TrimSpace(gittest.Git(t, w.bare, "rev-parse", staging+"^")); parent != main {
		t.Errorf("image-updates %s is not one commit on main %s", staging, main)
	}
	w.checkCommit(t, staging, "Staging Bot <staging-bot@example.com>", []string{"clusters/staging/podinfo.yaml"})
	msg = gittest.Git(t, w.bare, "log", "-1", "--format=%B", staging)
	if want := "[ci skip] Update staging (platform)\n\n- " + img + ":6.1.0-rc.1\n"; !strings.HasPrefix(msg, want) {
		t.Errorf("staging commit message:\n%s\nwant it to start with:\n%s", msg, want)
	}
	w.checkFile(t, staging, "clusters/staging/podinfo.yaml", img+":6.0.0 ", img+":6.1.0-rc.1 ", `"6.0.0"`, `"6.1.0-rc.1"`)

	// A second run finds everything done.
	out, errOut, err = w.hoist(t, "once", "--repo", w.url)
	if err != nil || strings.Count(out, "no changes") != 1 || !strings.Contains(out, "no new commit: image-updates already holds") {
		t.Errorf("second once = %v:\n%s%s", err, out, errOut)
	}
	if head := w.remoteHead(t); head != main {
		t.Errorf("second once moved main from %s to %s", main, head)
	}
}

// checkCommit checks a commit's author and the files it changed.
func (w *world) checkCommit(t *testing.T, rev, author string, files []string) {
	t.Helper()
	if got := strings.TrimSpace(gittest.Git(t, w.bare, "log", "-1", "--format=%an <%ae>", rev)); got != author {
		t.Errorf("author of %s = %q, want %q", rev, got, author)
	}
	changed := strings.Fields(gittest.Git(t, w.bare, "diff", "--name-only", rev+"^", rev))
	if diff := cmp.Diff(files, changed); diff != "" {
		t.Errorf("files changed by %s (-want +got):\n%s", rev, diff)
	}
}

// checkFile checks that path at rev is the seeded file with each old value
// (pairs of old, new) replaced once, and nothing else changed.
func (w *world) checkFile(t *testing.T, rev, path string, oldNew ...string) {
	t.Helper()
	want := w.files[path]
	for i := 0; i+1 < len(oldNew); i += 2 {
		want = strings.Replace(want, oldNew[i], oldNew[i+1], 1)
	}
	if want == w.files[path] {
		t.Fatalf("test bug: no replacement applies to %s", path)
	}
	if diff := cmp.Diff(want, w.showFile(t, rev, path)); diff != "" {
		t.Errorf("%s at %s (-want +got):\n%s", path, rev, diff)
	}
}
