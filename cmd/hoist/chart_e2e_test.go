package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// gateStamp is a time as gates print it.
func gateStamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// pushAt pushes an image built at created as repo:tag.
func (w *world) pushAt(t *testing.T, repo, tag string, created time.Time) {
	t.Helper()
	registrytest.Push(t, w.reg.Repo(repo)+":"+tag, created)
}

// datedCommit writes files in the clone and commits them at `at` (author
// and committer dates) with msg, as author ("" for Jane).
func (c *clone) datedCommit(at time.Time, msg, author string, files map[string]string) string {
	c.t.Helper()
	gittest.WriteFiles(c.t, c.dir, files)
	c.git("add", "-A")
	cmd := gittest.GitCmd(c.dir, "commit", "-q", "--allow-empty", "-m", msg)
	date := at.UTC().Format(time.RFC3339)
	cmd.Env = append(cmd.Env, "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date,
		"GIT_AUTHOR_NAME=Jane", "GIT_AUTHOR_EMAIL=jane@example.com")
	if author != "" {
		cmd.Env = append(cmd.Env, "GIT_AUTHOR_NAME="+author, "GIT_AUTHOR_EMAIL=hoist@localhost")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("git commit: %v\n%s", err, out)
	}
	return c.git("rev-parse", "HEAD")
}

// hoistUpdate is the message of hoist's commit updating policy to tag.
func hoistUpdate(policy, image, from, to string) string {
	return fmt.Sprintf("Update images: api %s\n\n%s: %s -> %s\n\nHoist-Policy: %s\nHoist-Image: %s:%s\nHoist-From: %s\nHoist-To: %s\n",
		to, policy, from, to, policy, image, to, from, to)
}

// markedLine is a Deployment's marked image line.
func markedLine(image, tag, policy string) string {
	return fmt.Sprintf("          image: %s:%s # {\"$imagepolicy\": \"%s\"}\n", image, tag, policy)
}

func replaceIn(t *testing.T, content, old, new string) string {
	t.Helper()
	if !strings.Contains(content, old) {
		t.Fatalf("%q not found in:\n%s", old, content)
	}
	return strings.Replace(content, old, new, 1)
}

// TestPromotionEndToEnd: production follows staging across two paths of
// one branch, read from a real git daemon's history with constructed
// dates; web waits for minAge with images of known build times in the
// real registry. Checked through once (the commit message), tags and plan.
func TestPromotionEndToEnd(t *testing.T) {
	w := newWorldFrom(t, "../../testdata/promotion", nil)
	now := time.Now().UTC().Truncate(time.Minute)
	for tag, age := range map[string]time.Duration{"1.0.0": 100 * time.Hour, "1.1.0": 40 * time.Hour, "1.2.0": 3 * time.Hour} {
		w.pushAt(t, "acme/api", tag, now.Add(-age))
	}
	for tag, age := range map[string]time.Duration{"1.0.0": 72 * time.Hour, "1.1.0": 30 * time.Hour, "1.2.0": time.Hour} {
		w.pushAt(t, "acme/web", tag, now.Add(-age))
	}
	api := w.reg.Repo("acme/api")
	const staging = "clusters/staging/api.yaml"
	// hoist moved staging to 1.1.0 30 hours ago and to 1.2.0 two hours ago.
	c := w.clone(t)
	file := w.files[staging]
	a, b := now.Add(-30*time.Hour), now.Add(-2*time.Hour)
	file = replaceIn(t, file, api+":1.0.0", api+":1.1.0")
	c.datedCommit(a, hoistUpdate("apps:api", api, "1.0.0", "1.1.0"), "hoist", map[string]string{staging: file})
	file = replaceIn(t, file, api+":1.1.0", api+":1.2.0")
	c.datedCommit(b, hoistUpdate("apps:api", api, "1.1.0", "1.2.0"), "hoist", map[string]string{staging: file})
	c.git("push", "-q", "origin", "main")

	// tags explains both gates, from a local checkout and from --repo.
	// How long 1.2.0 has been on staging is 2h and the seconds this test
	// has run (shown to the minute under 10h): the check stops at "2h".
	waits := "1.2.0 waits until " + gateStamp(b.Add(6*time.Hour)) + " (on clusters/staging since " + gateStamp(b) + ", 2h"
	for _, where := range [][]string{{"--dir", c.dir}, {"--repo", w.url, "--state-dir", t.TempDir()}} {
		args := append([]string{"tags", "--insecure-registry", w.reg.Host}, where...)
		out, _, err := w.hoist(t, args...)
		if err != nil {
			t.Fatalf("tags %s: %v", where[0], err)
		}
		for _, want := range []string{
			"apps:api-prod\t" + api + "\t1.1.0@sha256:",
			"on clusters/staging since " + gateStamp(a) + ", 28h (until " + gateStamp(b) + "); " + waits,
			" of 6h); 1.0.0 never passes",
			"apps:web\t" + w.reg.Repo("acme/web") + "\t1.1.0@sha256:",
			"built " + gateStamp(now.Add(-30*time.Hour)) + ", 30h old; 1.2.0 waits until " + gateStamp(now.Add(23*time.Hour)),
		} {
			if !strings.Contains(out, want) {
				t.Errorf("tags %s lacks %q", where[0], want)
			}
		}
	}
	out, _, err := w.hoist(t, "tags", "--dir", c.dir, "--insecure-registry", w.reg.Host, "--policy", "apps:api-prod", "-o", "json")
	var line tagsLine
	if err != nil || json.Unmarshal([]byte(out), &line) != nil || len(line.Explanation.Waiting) == 0 ||
		!line.Explanation.Waiting[0].Until.Equal(b.Add(6*time.Hour)) || len(line.Explanation.Gates) != 1 {
		t.Errorf("tags -o json: %v, explanation %+v", err, line.Explanation)
	}

	// plan shows the diff; once commits it and says how each gate passed.
	plan, _, err := w.hoist(t, "plan", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host)
	if err != nil || !strings.Contains(plan, "+"+markedLine(api, "1.1.0", "apps:api-prod")[:len(markedLine(api, "1.1.0", "apps:api-prod"))-1]) {
		t.Errorf("plan (%v) does not move production to 1.1.0:\n%s", err, plan)
	}
	if want := "gate: apps:api-prod 1.1.0: on clusters/staging since " + gateStamp(a); !strings.Contains(plan, want) {
		t.Errorf("plan does not say how the gate passed (%q):\n%s", want, plan)
	}
	if _, _, err := w.hoist(t, "once", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host); err != nil {
		t.Fatalf("once: %v", err)
	}
	if f := w.showFile(t, "main", "clusters/production/api.yaml"); !strings.Contains(f, api+":1.1.0 ") {
		t.Errorf("production was not promoted to 1.1.0:\n%s", f)
	}
	if f := w.showFile(t, "main", staging); !strings.Contains(f, api+":1.2.0 ") {
		t.Errorf("staging changed:\n%s", f)
	}
	msg := gittest.Git(t, w.bare, "log", "-1", "--format=%B", "main")
	for _, want := range []string{
		"apps:api-prod 1.1.0: on clusters/staging since " + gateStamp(a) + ", 28h (until " + gateStamp(b) + ")",
		"apps:web 1.1.0: built " + gateStamp(now.Add(-30*time.Hour)) + ", 30h old",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("commit message lacks %q:\n%s", want, msg)
		}
	}
	// Nothing more passes the gates yet: a second pass changes nothing.
	head := w.remoteHead(t)
	if out, _, err := w.hoist(t, "once", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host); err != nil ||
		w.remoteHead(t) != head || !strings.Contains(out, "no changes") {
		t.Errorf("second pass (%v) changed something:\n%s", err, out)
	}
}

// TestFollowBranchEndToEnd: main follows its own policy on branch
// staging, fetched from a real git daemon; staging's revert of 1.2.0 keeps
// 1.2.0 out of main even though it ran there longer than `after`.
func TestFollowBranchEndToEnd(t *testing.T) {
	const app = "clusters/app/api.yaml"
	policy := func(follow string) string {
		return "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: api\n  namespace: apps\nspec:\n" +
			"  image: demo.registry.invalid/acme/api\n  policy:\n    semver: {range: '>=1.0.0'}\n" + follow
	}
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n" +
		markedLine("demo.registry.invalid/acme/api", "1.0.0", "apps:api")
	w := newWorldFrom(t, sampleWith(t, "", map[string]string{
		"policies/api.yaml": policy("  follow: {path: clusters/app, policy: apps:api, after: 6h, branch: staging}\n"),
		app:                 deploy,
	}), nil)
	api := w.reg.Repo("acme/api")
	w.push(t, "acme/api", "1.0.0", "1.1.0", "1.2.0") // for digests only: a follower scans nothing
	deploy = strings.ReplaceAll(deploy, "demo.registry.invalid", w.reg.Host)
	now := time.Now().UTC().Truncate(time.Minute)
	c := w.clone(t)
	c.git("checkout", "-q", "-b", "staging")
	c.datedCommit(now.Add(-50*time.Hour), "staging scans the registry", "", map[string]string{"policies/api.yaml": strings.ReplaceAll(policy(""), "demo.registry.invalid", w.reg.Host)})
	f11 := replaceIn(t, deploy, api+":1.0.0", api+":1.1.0")
	c.datedCommit(now.Add(-40*time.Hour), hoistUpdate("apps:api", api, "1.0.0", "1.1.0"), "hoist", map[string]string{app: f11})
	up := c.datedCommit(now.Add(-20*time.Hour), hoistUpdate("apps:api", api, "1.1.0", "1.2.0"), "hoist",
		map[string]string{app: replaceIn(t, deploy, api+":1.0.0", api+":1.2.0")})
	revert := c.datedCommit(now.Add(-12*time.Hour), "Revert \"Update images: api 1.2.0\"\n\nThis reverts commit "+up+".\n", "", map[string]string{app: f11})
	c.git("push", "-q", "origin", "staging")

	reverted := "1.2.0 never passes (on clusters/app on branch staging: was reverted in " + revert[:7] + " by Jane <jane@example.com> on " +
		now.Add(-12*time.Hour).Format("2006-01-02") + ")"
	out, _, err := w.hoist(t, "tags", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host)
	if err != nil || !strings.Contains(out, "apps:api\t"+api+"\t1.1.0@sha256:") || !strings.Contains(out, reverted) {
		t.Errorf("tags (%v) does not pick 1.1.0 and say why 1.2.0 is out (%q)", err, reverted)
	}
	if _, _, err := w.hoist(t, "once", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host); err != nil {
		t.Fatalf("once: %v", err)
	}
	if f := w.showFile(t, "main", app); !strings.Contains(f, api+":1.1.0 ") {
		t.Errorf("main was not promoted to 1.1.0:\n%s", f)
	}
	msg := gittest.Git(t, w.bare, "log", "-1", "--format=%B", "main")
	if want := "apps:api 1.1.0: on clusters/app on branch staging since " + gateStamp(now.Add(-12*time.Hour)) + ", 12h"; !strings.Contains(msg, want) {
		t.Errorf("commit message lacks %q:\n%s", want, msg)
	}
}

// TestGateBadInput: a follow of a missing path, of a policy with no
// marker, and a cycle of follows are errors naming file and line; the
// other policies still update.
func TestGateBadInput(t *testing.T) {
	doc := func(name, follow string) string {
		return "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: " + name + "\n  namespace: apps\nspec:\n" +
			"  image: demo.registry.invalid/acme/api\n  policy:\n    semver: {range: '>=1.0.0'}\n" + follow
	}
	w := newWorldFrom(t, sampleWith(t, "../../testdata/promotion", map[string]string{
		"policies/bad.yaml": doc("nopath", "  follow: {path: clusters/nope, policy: apps:api}\n") + "---\n" +
			doc("nomarker", "  follow: {path: clusters/staging, policy: apps:ghost}\n") + "---\n" +
			doc("c1", "  follow: {path: a, policy: apps:c2}\n") + "---\n" + doc("c2", "  follow: {path: b, policy: apps:c1}\n") + "---\n" +
			doc("young", "  minAge: a while\n"),
	}), nil)
	w.pushAt(t, "acme/web", "1.1.0", time.Now().Add(-48*time.Hour))
	_, errOut, err := w.hoist(t, "once", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host)
	if err == nil {
		t.Error("once exits 0 with broken policies")
	}
	for _, want := range []string{
		"policies/bad.yaml:10: policy apps:nopath: follow apps:api in clusters/nope: path not found: clusters/nope at ",
		"policies/bad.yaml:21: policy apps:nomarker: follow apps:ghost in clusters/staging: no marker of the policy apps:ghost under clusters/staging at ",
		"policies/bad.yaml:32: policy apps:c1: spec.follow: a cycle of follows: apps:c1 -> apps:c2 -> apps:c1",
		"policies/bad.yaml:43: policy apps:c2: spec.follow: a cycle of follows: apps:c2 -> apps:c1 -> apps:c2",
		`policies/bad.yaml:54: policy apps:young: spec.minAge: "a while" is not a duration`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("once does not report %q", want)
		}
	}
	if f := w.showFile(t, "main", "clusters/staging/web.yaml"); !strings.Contains(f, "acme/web:1.1.0 ") {
		t.Errorf("web was not updated beside the broken policies:\n%s", f)
	}
}

// sampleWith copies the sample repository (none for "") into a temporary
// directory with extra files added, placeholders and all.
func sampleWith(t *testing.T, sample string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if sample != "" {
		if err := os.CopyFS(dir, os.DirFS(sample)); err != nil {
			t.Fatal(err)
		}
	}
	gittest.WriteFiles(t, dir, extra)
	return dir
}

// chartIndex serves index.yaml as a Helm repository does, with an ETag,
// and counts full and 304 answers.
type chartIndex struct {
	body         []byte
	full, cached atomic.Int32
}

func (c *chartIndex) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/index.yaml" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("If-None-Match") == `"v1"` {
		c.cached.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	c.full.Add(1)
	w.Header().Set("ETag", `"v1"`)
	w.Write(c.body)
}

// TestChartsEndToEnd: chart versions from OCI charts in the real registry
// and from a classic index.yaml over HTTP (through a Flux HelmRepository,
// with minAge on the index's created times), written to a HelmRelease's
// version and an Argo CD Application's targetRevision.
func TestChartsEndToEnd(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	created := func(h int) string { return now.Add(-time.Duration(h) * time.Hour).Format(time.RFC3339) }
	idx := &chartIndex{body: []byte("apiVersion: v1\nentries:\n  web:\n" +
		"  - {name: web, version: 2.0.0, created: '" + created(100) + "'}\n" +
		"  - {name: web, version: 2.1.0, created: '" + created(48) + "'}\n" +
		"  - {name: web, version: 2.2.0, created: '" + created(1) + "'}\n" +
		"  db:\n  - {name: db, version: 0.1.0}\n  - {name: db, version: 0.1.7}\n  - {name: db, version: 0.2.0}\n")}
	srv := httptest.NewServer(idx)
	t.Cleanup(srv.Close)
	extra := map[string]string{}
	b, err := os.ReadFile(filepath.FromSlash("../../testdata/charts/policies/classic.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	extra["policies/classic.yaml"] = strings.ReplaceAll(string(b), "http://charts.invalid", srv.URL)
	w := newWorldFrom(t, "../../testdata/charts", extra)
	for _, tag := range []string{"1.0.0", "1.1.0_build.7", "1.2.0-rc.1", "latest"} {
		w.reg.PushChart(t, w.reg.Repo("charts/api:"+tag))
	}

	out, _, err := w.hoist(t, "tags", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host)
	if err != nil {
		t.Fatalf("tags: %v", err)
	}
	for _, want := range []string{
		"apps:api-chart\toci://" + w.reg.Repo("charts/api") + "\t1.1.0+build.7\t(2 candidates",
		"chart oci://" + w.reg.Repo("charts/api"),
		"apps:web-chart\t" + srv.URL + "#web\t2.1.0\t",
		"chart web from " + srv.URL + " (HelmRepository flux-system:acme)",
		"created " + gateStamp(now.Add(-48*time.Hour)) + ", 48h old; 2.2.0 waits until " + gateStamp(now.Add(23*time.Hour)),
		"apps:db-chart\t" + srv.URL + "#db\t0.1.7\t",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tags lacks %q", want)
		}
	}
	if _, _, err := w.hoist(t, "once", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host); err != nil {
		t.Fatalf("once: %v", err)
	}
	for file, want := range map[string]string{
		"clusters/app/api-release.yaml":     `version: 1.1.0+build.7 # {"$imagepolicy": "apps:api-chart:tag"}`,
		"clusters/app/web-application.yaml": `targetRevision: 2.1.0 # {"$imagepolicy": "apps:web-chart:tag"}`,
		"clusters/app/db-release.yaml":      `version: "0.1.7" # {"$imagepolicy": "apps:db-chart:tag"}`,
	} {
		if f := w.showFile(t, "main", file); !strings.Contains(f, want) {
			t.Errorf("%s lacks %q:\n%s", file, want, f)
		}
	}
	msg := gittest.Git(t, w.bare, "log", "-1", "--format=%B", "main")
	if want := "apps:web-chart 2.1.0: created " + gateStamp(now.Add(-48*time.Hour)) + ", 48h old"; !strings.Contains(msg, want) {
		t.Errorf("commit message lacks %q:\n%s", want, msg)
	}
	// The second pass finds the index unchanged: a 304, no second download.
	if _, _, err := w.hoist(t, "once", "--repo", w.url, "--state-dir", w.stateDir, "--insecure-registry", w.reg.Host); err != nil {
		t.Fatalf("second once: %v", err)
	}
	if idx.cached.Load() == 0 {
		t.Errorf("index.yaml: %d full answers and no 304 over three passes sharing a state dir", idx.full.Load())
	}
}
