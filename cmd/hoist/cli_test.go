package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/demo"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/notify"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// The CLI tests run commands in process against go-containerregistry's
// in-process registry and local repositories.

func hoistCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd(&out, &errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// demoDir writes the sample repository, pointed at a fresh in-process
// registry holding the demo's first tags, into a temp dir.
func demoDir(t *testing.T, extra map[string]string) (dir string, reg *demo.Registry) {
	t.Helper()
	reg = demo.StartRegistry()
	t.Cleanup(reg.Close)
	files := demoFiles(t, reg, extra)
	dir = t.TempDir()
	gittest.WriteFiles(t, dir, files)
	return dir, reg
}

// demoRepo makes a bare repository in dir from the sample repository,
// pointed at a fresh in-process registry holding the demo's first tags.
func demoRepo(t *testing.T, dir string) (url string, reg *demo.Registry) {
	t.Helper()
	reg = demo.StartRegistry()
	t.Cleanup(reg.Close)
	files := demoFiles(t, reg, nil)
	url, err := demo.NewBareRepo(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	return url, reg
}

// demoFiles pushes the demo's first tags to reg and returns the sample
// repository's files pointed at it, plus extra.
func demoFiles(t *testing.T, reg *demo.Registry, extra map[string]string) map[string]string {
	t.Helper()
	for repo, tags := range demoRounds[0] {
		if err := reg.Push(context.Background(), repo, tags...); err != nil {
			t.Fatal(err)
		}
	}
	files, err := demo.Files("../../testdata/demo", reg.Host())
	if err != nil {
		t.Fatal(err)
	}
	for p, c := range extra {
		files[p] = c
	}
	return files
}

func TestTagsJSONShape(t *testing.T) {
	dir, reg := demoDir(t, nil)
	out, errOut, err := hoistCmd(t, "tags", "--dir", dir, "--output", "json", "--insecure-registry", reg.Host())
	if err != nil {
		t.Fatalf("tags: %v\n%s", err, errOut)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		for _, key := range []string{"policy", "image", "selected", "candidates", "excluded", "error"} {
			if _, ok := obj[key]; !ok {
				t.Errorf("line %q lacks %q", line, key)
			}
		}
		sel := obj["selected"].(map[string]any)
		if d, _ := sel["digest"].(string); !strings.HasPrefix(d, "sha256:") {
			t.Errorf("%v: selected.digest = %q, want a sha256 digest", obj["policy"], d)
		}
		got[obj["policy"].(string)] = sel["tag"].(string)
	}
	want := map[string]string{"apps:api": "1.1.0", "apps:web": "1.0.1", "apps:worker": "main-1700000500-9f8e7d6"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("selected tags mismatch (-want +got):\n%s", diff)
	}

	out, _, err = hoistCmd(t, "tags", "--dir", dir, "--policy", "apps:api", "--insecure-registry", reg.Host())
	if err != nil || strings.Count(out, "\n") != 1 || !strings.Contains(out, "apps:api") {
		t.Errorf("tags --policy apps:api = %q, %v; want one text line for apps:api", out, err)
	}
}

func TestValidate(t *testing.T) {
	dir, _ := demoDir(t, nil)
	out, _, err := hoistCmd(t, "validate", "--dir", dir)
	if err != nil || !strings.Contains(out, "\nok: 3 policies, 4 markers") || !strings.Contains(out, "policies/worker-flux.yaml:2: note: ") {
		t.Errorf("validate on the sample repository = %q, %v; want ok with 3 policies and 4 markers, and a note on the Flux interval", out, err)
	}

	bad, _ := demoDir(t, map[string]string{
		"policies/bad.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: bad}\nspec:\n  image: x/y\n  policy: {numerical: {order: sideways}}\n",
		"apps/odd.yaml":     "a: 1 # {\"$imagepolicy\": \"apps:nope\"}\nb:\n  c: d # {\"$imagepolicy\": \"apps:api\"}\nlist: # {\"$imagepolicy\": \"apps:api\"}\n  - x\n",
	})
	out, _, err = hoistCmd(t, "validate", "--dir", bad)
	if err == nil {
		t.Fatalf("validate succeeded on bad input:\n%s", out)
	}
	for _, want := range []string{"apps/odd.yaml:1: ", "apps:nope", "apps/odd.yaml:4: ", "policies/bad.yaml:"} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}
}

func TestValidateConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("apiVersion: hoist.dev/v1alpha1\nkind: Config\nrepositories:\n  - url: https://example.com/acme/config.git\n"), 0o600)
	if out, _, err := hoistCmd(t, "validate", "--config", good); err != nil || !strings.HasPrefix(out, "ok: ") {
		t.Errorf("validate --config good = %q, %v", out, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("apiVersion: hoist.dev/v1alpha1\nkind: Config\nrepositories:\n  - url: https://example.com/acme/config.git\n    schedul: daily\n"), 0o600)
	_, _, err := hoistCmd(t, "validate", "--config", bad)
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:5") || !strings.Contains(err.Error(), "schedul") {
		t.Errorf("validate --config bad = %v, want an error naming bad.yaml:5 and the key", err)
	}
}

func TestHistoryReadsTrailers(t *testing.T) {
	url, reg := demoRepo(t, t.TempDir())
	if _, errOut, err := hoistCmd(t, "once", "--repo", url, "--insecure-registry", reg.Host()); err != nil {
		t.Fatalf("once: %v\n%s", err, errOut)
	}
	out, _, err := hoistCmd(t, "history", "--repo", url, "--output", "json")
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	type entry struct{ Policy, From, To string }
	var got []entry
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("history line %q: %v", line, err)
		}
		got = append(got, e)
	}
	want := []entry{{"apps:api", "1.0.0", "1.1.0"}, {"apps:web", "1.0.0", "1.0.1"},
		{"apps:worker", "main-1700000000-0a1b2c3", "main-1700000500-9f8e7d6"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history mismatch (-want +got):\n%s", diff)
	}
}

func TestPlanAndOnceWithConfig(t *testing.T) {
	tmp := t.TempDir()
	url, reg := demoRepo(t, tmp)
	cfg := filepath.Join(tmp, "config.yaml")
	content := "apiVersion: hoist.dev/v1alpha1\nkind: Config\nrepositories:\n" +
		"  - {name: good, url: " + url + "}\n  - {name: broken, url: 'git://127.0.0.1:1/nothing.git'}\n" +
		"registries:\n  - {host: '" + reg.Host() + "', insecure: true}\n"
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// plan --config --name: the diff of one repository, nothing pushed.
	out, _, err := hoistCmd(t, "plan", "--config", cfg, "--name", "good", "--state-dir", filepath.Join(tmp, "state"))
	if err != nil || !strings.Contains(out, "== good") || strings.Contains(out, "== broken") ||
		!strings.Contains(out, "+          image: "+reg.Host()+"/acme/api:1.1.0") {
		t.Errorf("plan --config --name good = %v:\n%s", err, out)
	}
	if h, _, _ := hoistCmd(t, "history", "--repo", url); h != "" {
		t.Errorf("plan pushed something; history:\n%s", h)
	}

	out, _, err = hoistCmd(t, "once", "--config", cfg, "--state-dir", filepath.Join(tmp, "state"))
	if err == nil || !strings.Contains(err.Error(), "repository broken") || strings.Contains(err.Error(), "repository good") {
		t.Errorf("once --config error = %v, want one naming only the broken repository", err)
	}
	if !strings.Contains(out, "== good") || !strings.Contains(out, "apps:api: 1.0.0 -> 1.1.0") {
		t.Errorf("the good repository was not updated:\n%s", out)
	}
}

// TestTagsUndecidedFails: a policy whose registry cannot be reached makes
// `tags` exit non-zero, prints the cause (not "no tags listed") and gives
// null for its selection in JSON, while the other policies are still shown.
func TestTagsUndecidedFails(t *testing.T) {
	dir, reg := demoDir(t, map[string]string{
		"policies/gone.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: gone, namespace: apps}\n" +
			"spec:\n  image: 127.0.0.1:1/acme/gone\n  policy: {semver: {range: '*'}}\n",
	})
	out, _, err := hoistCmd(t, "tags", "--dir", dir, "--insecure-registry", reg.Host())
	if err == nil || !strings.Contains(err.Error(), "1 of 4 policies could not be decided") {
		t.Errorf("tags with an unreachable registry: err = %v, want 1 of 4 undecided", err)
	}
	gone := ""
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "apps:gone\t") {
			gone = line
		}
	}
	if !strings.Contains(gone, "127.0.0.1:1") || !strings.Contains(gone, "connection refused") || strings.Contains(gone, "no tags listed") {
		t.Errorf("tags line of the unreachable policy = %q, want the cause", gone)
	}
	if !strings.Contains(out, "apps:api\t") {
		t.Errorf("the other policies are missing:\n%s", out)
	}

	out, _, err = hoistCmd(t, "tags", "--dir", dir, "--output", "json", "--policy", "apps:gone", "--insecure-registry", reg.Host())
	var obj map[string]any
	if jerr := json.Unmarshal([]byte(out), &obj); jerr != nil || err == nil {
		t.Fatalf("tags --output json = %q, %v (%v)", out, err, jerr)
	}
	if sel, ok := obj["selected"]; !ok || sel != nil {
		t.Errorf("selected = %v (present %v), want null", sel, ok)
	}
	if e, _ := obj["error"].(string); !strings.Contains(e, "connection refused") {
		t.Errorf("error = %q, want the cause", e)
	}
}

// TestOnceWithPushBranchSaysWhenNothingNew: the second pass with a push
// branch finds the branch already holding its change and does not claim to
// have pushed.
func TestOnceWithPushBranchSaysWhenNothingNew(t *testing.T) {
	url, reg := demoRepo(t, t.TempDir())
	args := []string{"once", "--repo", url, "--push-branch", "hoist/main", "--insecure-registry", reg.Host()}
	out, errOut, err := hoistCmd(t, args...)
	if err != nil || !strings.HasPrefix(out, "pushed ") {
		t.Fatalf("first once = %v:\n%s%s", err, out, errOut)
	}
	out, errOut, err = hoistCmd(t, args...)
	if err != nil || !strings.HasPrefix(out, "no new commit: hoist/main already holds ") {
		t.Errorf("second once = %v:\n%s%s", err, out, errOut)
	}
}

// TestServiceRemovesOldSecrets: earlier versions copied environment
// secrets under <state>/secrets; a service removes what they left.
func TestServiceRemovesOldSecrets(t *testing.T) {
	state := t.TempDir()
	old := filepath.Join(state, "secrets", "env-TOKEN")
	if err := os.MkdirAll(filepath.Dir(old), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := repoFlags{repo: "file:///nowhere", stateDir: state}
	a := &app{out: io.Discard, errOut: io.Discard}
	if err := withService(a, f.config(), state, func(*service) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(state, "secrets")); !os.IsNotExist(err) {
		t.Errorf("old secrets dir still there: %v", err)
	}
}

// TestValidateFlux: warnings (old API versions) and notes do not fail
// validate; a message template every pass would reject does; policies that
// kustomize built are reported with their kustomization.
func TestValidateFlux(t *testing.T) {
	out, _, err := hoistCmd(t, "validate", "--dir", "../../testdata/flux-e2e")
	if err != nil || !strings.Contains(out, "flux-system/images.yaml:24: warning: policy flux-system:podinfo-staging: image.toolkit.fluxcd.io/v1beta1 is deprecated") ||
		!strings.Contains(out, "ok: 3 policies, 6 markers, 3 automations") {
		t.Errorf("validate flux-e2e = %v:\n%s", err, out)
	}
	out, _, err = hoistCmd(t, "validate", "--dir", "../../testdata/flux-kustomize")
	if err != nil || !strings.Contains(out, "clusters/prod/kustomization.yaml: kustomize built 2 policies: apps:api, apps:web\n") {
		t.Errorf("validate flux-kustomize = %v:\n%s", err, out)
	}

	dir := t.TempDir()
	gittest.WriteFiles(t, dir, map[string]string{"automation.yaml": "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageUpdateAutomation\n" +
		"metadata: {name: a, namespace: ns}\nspec:\n  sourceRef: {kind: GitRepository, name: repo}\n" +
		"  git:\n    commit:\n      author: {email: bot@example.com}\n      messageTemplate: '{{ .Changed.Nope }}'\n"})
	out, _, err = hoistCmd(t, "validate", "--dir", dir)
	if err == nil || !strings.Contains(out, "automation.yaml:1: automation ns:a: spec.git.commit.messageTemplate: ") ||
		!strings.Contains(out, "can't evaluate field Nope") {
		t.Errorf("validate with a broken template = %v:\n%s", err, out)
	}
}

// TestPlanSaysProblemsKeptValues: with nothing changed because of a
// problem, plan does not claim every value is up to date.
func TestPlanSaysProblemsKeptValues(t *testing.T) {
	dir := t.TempDir()
	gittest.WriteFiles(t, dir, map[string]string{
		"policy.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: gone}\n" +
			"spec:\n  image: 127.0.0.1:1/acme/gone\n  policy: {semver: {range: '*'}}\n",
		"deploy.yaml": "image: 127.0.0.1:1/acme/gone:1.0.0 # {\"$imagepolicy\": \"gone\"}\n",
	})
	out, errOut, err := hoistCmd(t, "plan", "--dir", dir)
	if err == nil || out != "no changes: 1 policies checked; the problems listed kept some values from being updated\n" ||
		!strings.Contains(errOut, "problem: scanning 127.0.0.1:1/acme/gone") {
		t.Errorf("plan = %v:\n%s%s", err, out, errOut)
	}
}

// TestOnceConfigNotifies: a pass that pushes tells a webhook destination,
// in a signed CloudEvent naming each change; the URL and key come from
// files and appear in no output.
func TestOnceConfigNotifies(t *testing.T) {
	tmp := t.TempDir()
	url, reg := demoRepo(t, tmp)
	got := make(chan *http.Request, 10)
	bodies := make(chan []byte, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	defer rcv.Close()
	files := map[string]string{"hook-url": rcv.URL + "/token-in-path-s3cret", "hook-key": "k3y"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(tmp, "config.yaml")
	content := "apiVersion: hoist.dev/v1alpha1\nkind: Config\nrepositories:\n  - {name: demo, url: " + url + "}\n" +
		"registries:\n  - {host: '" + reg.Host() + "', insecure: true}\n" +
		"notifications:\n  - {name: ops, kind: webhook, urlFile: hook-url, secretFile: hook-key}\n"
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := hoistCmd(t, "once", "--config", cfg, "--log-level", "debug")
	if err != nil {
		t.Fatalf("once --config: %v\n%s%s", err, out, errOut)
	}
	var r *http.Request
	select {
	case r = <-got:
	default:
		t.Fatal("no event was delivered before once returned") // Close drains the queue
	}
	body := <-bodies
	if !notify.Verify([]byte("k3y"), body, r.Header.Get(notify.SignatureHeader)) {
		t.Errorf("signature %q does not verify", r.Header.Get(notify.SignatureHeader))
	}
	var ev struct {
		Type string `json:"type"`
		Data struct {
			Repository string
			Changes    []struct{ Policy, From, To string }
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "dev.hoist.commit" || !strings.Contains(string(body), `"apps:api"`) {
		t.Errorf("event = %s", body)
	}
	if strings.Contains(out+errOut, "s3cret") || strings.Contains(out+errOut, "k3y") {
		t.Errorf("the destination's URL or key reached the output:\n%s%s", out, errOut)
	}
}
