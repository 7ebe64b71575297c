package deploy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/deploy/kubetest"
)

// apiserver is an etcd and kube-apiserver pair on loopback, reached as system:masters.
type apiserver struct {
	kubeconfig string
	cacheDir   string // kubectl's discovery cache; a new one forgets the kinds seen so far
}

// startAPIServer starts etcd and kube-apiserver (kubetest, shared with the
// shard tests); t.Cleanup stops both by PID.
func startAPIServer(t *testing.T) *apiserver {
	t.Helper()
	return &apiserver{kubeconfig: kubetest.Start(t).Kubeconfig, cacheDir: t.TempDir()}
}

func httpOK(c *http.Client, url, token string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// kubectl runs kubectl against the server; stdin may be nil.
func (a *apiserver) kubectl(stdin []byte, args ...string) (stdout, stderr string, err error) {
	return tryRun(stdin, nil, "kubectl", append([]string{"--kubeconfig", a.kubeconfig, "--cache-dir", a.cacheDir}, args...)...)
}

// dryRunNames turns kubectl's "deployment.apps/hoist created (server dry run)" lines into
// "deployment/hoist".
func dryRunNames(out string) []string {
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		ref, _, ok := strings.Cut(line, " ")
		if !ok || !strings.HasSuffix(line, "(server dry run)") {
			continue
		}
		res, name, _ := strings.Cut(ref, "/")
		res, _, _ = strings.Cut(res, ".") // drop the API group
		names = append(names, res+"/"+name)
	}
	slices.Sort(names)
	return names
}

// TestBaseOnAPIServer checks the base against a real kube-apiserver: every object
// passes server-side dry run with strict field validation, and the pod passes
// Pod Security "restricted", which the namespace enforces.
func TestBaseOnAPIServer(t *testing.T) {
	t.Parallel()
	need(t, "kubectl")
	manifests, objs := render(t, "base")
	api := startAPIServer(t)

	// Namespaced objects can only be dry-run in a namespace that exists, so
	// create the Namespace for real first (it carries the Pod Security labels).
	nsJSON, err := json.Marshal(find(t, objs, "Namespace"))
	if err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := api.kubectl(nsJSON, "apply", "-f", "-"); err != nil {
		t.Fatalf("creating the namespace: %v\n%s%s", err, out, errOut)
	}
	t.Run("apply dry run", func(t *testing.T) { testApplyDryRun(t, api, manifests, objs) })
	t.Run("pod security", func(t *testing.T) { testPodSecurity(t, api, find(t, objs, "Deployment")) })
	t.Run("overlays with their CRDs", func(t *testing.T) { testOverlaysWithCRDs(t, api) })
	t.Run("persistent state component", func(t *testing.T) {
		manifests, objs := renderComposed(t, []string{"base"}, []string{"components/persistent-state"})
		testApplyDryRun(t, api, manifests, objs)
	})
	t.Run("alerts component with its CRD", func(t *testing.T) { testAlertsWithCRD(t, api) })
}

// testAlertsWithCRD installs the prometheus-operator PrometheusRule CRD
// (testdata/crds; an earlier subtest may have created it already) and
// applies the base with the alerts component: the PrometheusRule passes
// the CRD's schema under strict field validation.
func testAlertsWithCRD(t *testing.T, api *apiserver) {
	const crd = "prometheusrules.monitoring.coreos.com"
	out, errOut, err := api.kubectl(nil, "create", "-f", "testdata/crds/monitoring.coreos.com_prometheusrules.yaml")
	if err != nil && !strings.Contains(errOut, "AlreadyExists") {
		t.Fatalf("creating the PrometheusRule CRD: %v\n%s%s", err, out, errOut)
	}
	api.waitEstablished(t, crd)
	api.cacheDir = t.TempDir() // discover the new kind
	manifests, objs := renderComposed(t, []string{"base"}, []string{"components/alerts"})
	testApplyDryRun(t, api, manifests, objs)

	// The schema is enforced: a rule with a field it does not know is refused.
	rule := find(t, objs, "PrometheusRule")
	lookup(rule, "spec", "groups", "0", "rules", "0").(map[string]any)["forever"] = true
	bad, err := json.Marshal(rule)
	if err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := api.kubectl(bad, "apply", "--dry-run=server", "--validate=strict", "-f", "-"); err == nil || !strings.Contains(errOut, "forever") {
		t.Errorf("a rule with an unknown field was accepted: err=%v\n%s", err, errOut)
	}
}

func testApplyDryRun(t *testing.T, api *apiserver, manifests []byte, objs []object) {
	out, errOut, err := api.kubectl(manifests, "apply", "--dry-run=server", "--validate=strict", "-f", "-")
	if err != nil {
		t.Fatalf("kubectl apply --dry-run=server: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	var want []string
	for _, o := range objs {
		want = append(want, strings.ToLower(o.kind())+"/"+o.name())
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, dryRunNames(out)); diff != "" {
		t.Errorf("objects the server accepted mismatch (-want +got):\n%s\nstdout:\n%s", diff, out)
	}
	// Warnings include "would violate PodSecurity" for a Deployment whose pods would be rejected.
	if strings.Contains(errOut, "Warning") {
		t.Errorf("kubectl apply --dry-run=server warned:\n%s", errOut)
	}
}

// podFromTemplate returns a Pod with the Deployment's pod template; edit changes its spec.
func podFromTemplate(t *testing.T, dep object, edit func(spec map[string]any)) []byte {
	t.Helper()
	// A JSON round trip gives a deep copy the edit can change freely.
	b, err := json.Marshal(lookup(dep, "spec", "template"))
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(b, &tmpl); err != nil {
		t.Fatal(err)
	}
	meta, _ := tmpl["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
	}
	meta["name"], meta["namespace"] = "hoist-admission-check", dep.namespace()
	spec := tmpl["spec"].(map[string]any)
	edit(spec)
	pod, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
	if err != nil {
		t.Fatal(err)
	}
	return pod
}

// testPodSecurity creates (dry run) a Pod from the Deployment's template in the
// namespace that enforces Pod Security "restricted": the server must admit it,
// and must reject the same Pod once its hardening is removed.
func testPodSecurity(t *testing.T, api *apiserver, dep object) {
	tests := []struct {
		name      string
		edit      func(spec map[string]any)
		wantError string // "" means admitted
	}{
		{"as built", func(map[string]any) {}, ""},
		{"without hardening", func(spec map[string]any) {
			delete(spec, "securityContext")
			for _, c := range spec["containers"].([]any) {
				delete(c.(map[string]any), "securityContext")
			}
		}, `violates PodSecurity "restricted`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := podFromTemplate(t, dep, tc.edit)
			out, errOut, err := api.kubectl(pod, "create", "--dry-run=server", "--validate=strict", "-f", "-")
			switch {
			case tc.wantError == "" && err != nil:
				t.Errorf("the server rejected the pod: %v\n%s%s", err, out, errOut)
			case tc.wantError != "" && (err == nil || !strings.Contains(errOut, tc.wantError)):
				t.Errorf("want rejection containing %q, got err=%v\n%s%s", tc.wantError, err, out, errOut)
			}
		})
	}
}

// testOverlaysWithCRDs installs the real Flux and Argo CD CRDs (testdata/crds)
// and applies each overlay in full with server-side dry run and strict field
// validation, so the GitOps objects are checked against their schemas.
func testOverlaysWithCRDs(t *testing.T, api *apiserver) {
	// create, not apply: the Application CRD is too big for the last-applied annotation.
	if out, errOut, err := api.kubectl(nil, "create", "-f", "testdata/crds"); err != nil {
		t.Fatalf("creating the CRDs: %v\n%s%s", err, out, errOut)
	}
	for _, crd := range []string{"kustomizations.kustomize.toolkit.fluxcd.io",
		"gitrepositories.source.toolkit.fluxcd.io", "applications.argoproj.io"} {
		api.waitEstablished(t, crd)
	}
	api.cacheDir = t.TempDir() // discover the new kinds
	for _, ns := range []string{"flux-system", "argocd"} {
		if out, errOut, err := api.kubectl(nil, "create", "namespace", ns); err != nil {
			t.Fatalf("creating namespace %s: %v\n%s%s", ns, err, out, errOut)
		}
	}
	for _, dir := range []string{"overlays/flux", "overlays/argocd"} {
		t.Run(dir, func(t *testing.T) {
			manifests, objs := render(t, dir)
			testApplyDryRun(t, api, manifests, objs)
		})
	}
}

// waitEstablished polls until a CRD is Established. (kubectl wait fails outright
// while a new CRD has no status.conditions yet.)
func (a *apiserver) waitEstablished(t *testing.T, crd string) {
	t.Helper()
	end := time.Now().Add(60 * time.Second)
	for {
		out, errOut, err := a.kubectl(nil, "get", "crd", crd,
			"-o", `jsonpath={.status.conditions[?(@.type=="Established")].status}`)
		if err == nil && strings.TrimSpace(out) == "True" {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("CRD %s not Established after 60s: %q %v %s", crd, out, err, errOut)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
