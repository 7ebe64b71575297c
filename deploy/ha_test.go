package deploy_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// renderHA renders the base with the ha component, as a user's overlay would.
func renderHA(t *testing.T) ([]byte, []object) {
	t.Helper()
	return renderComposed(t, []string{"base"}, []string{"components/ha"})
}

func TestHAComponent(t *testing.T) {
	_, objs := renderHA(t)
	dep, pdb := find(t, objs, "Deployment"), find(t, objs, "PodDisruptionBudget")
	role, binding, sa := find(t, objs, "Role"), find(t, objs, "RoleBinding"), find(t, objs, "ServiceAccount")
	pod := lookup(dep, "spec", "template", "spec")
	ctr := lookup(pod, "containers", "0")
	podLabels, _ := lookup(dep, "spec", "template", "metadata", "labels").(map[string]any)
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"replicas", lookup(dep, "spec", "replicas"), 3},
		{"strategy", lookup(dep, "spec", "strategy", "type"), "RollingUpdate"},
		{"args", lookup(ctr, "args"), []any{"run", "--config", "/etc/hoist/config.yaml", "--state-dir", "/var/lib/hoist",
			"--shard-namespace=$(POD_NAMESPACE)"}},
		{"POD_NAMESPACE", envField(ctr, "POD_NAMESPACE"), "metadata.namespace"},
		{"POD_NAME", envField(ctr, "POD_NAME"), "metadata.name"},
		{"service account token", lookup(pod, "automountServiceAccountToken"), true},
		{"anti-affinity selects the pods", selects(lookup(pod, "affinity", "podAntiAffinity",
			"preferredDuringSchedulingIgnoredDuringExecution", "0", "podAffinityTerm", "labelSelector", "matchLabels"), podLabels), true},
		{"anti-affinity per node", lookup(pod, "affinity", "podAntiAffinity",
			"preferredDuringSchedulingIgnoredDuringExecution", "0", "podAffinityTerm", "topologyKey"), "kubernetes.io/hostname"},
		{"PDB selects the pods", selects(lookup(pdb, "spec", "selector", "matchLabels"), podLabels), true},
		{"PDB allows one down", lookup(pdb, "spec", "maxUnavailable"), 1},
		{"Role: leases only", lookup(role, "rules"), []any{map[string]any{
			"apiGroups": []any{"coordination.k8s.io"}, "resources": []any{"leases"},
			"verbs": []any{"get", "list", "watch", "create", "update", "patch", "delete"}}}},
		{"RoleBinding role", lookup(binding, "roleRef", "name"), role.name()},
		{"RoleBinding subject", lookup(binding, "subjects"), []any{map[string]any{
			"kind": "ServiceAccount", "name": sa.name(), "namespace": sa.namespace()}}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("ha %s mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
	for _, o := range []object{pdb, role, binding} {
		if o.namespace() != dep.namespace() {
			t.Errorf("%s in namespace %q, Deployment in %q", o.id(), o.namespace(), dep.namespace())
		}
	}
}

// envField returns the fieldRef path an env var of the container reads.
func envField(ctr any, name string) any {
	env, _ := lookup(ctr, "env").([]any)
	for _, e := range env {
		if lookup(e, "name") == name {
			return lookup(e, "valueFrom", "fieldRef", "fieldPath")
		}
	}
	return nil
}

// selects reports whether a matchLabels selector is non-empty and matches labels.
func selects(sel any, labels map[string]any) bool {
	m, _ := sel.(map[string]any)
	for k, v := range m {
		if labels[k] != v {
			return false
		}
	}
	return len(m) > 0
}

// TestHAComponentOnAPIServer applies the base with the ha component to a real
// kube-apiserver (server-side dry run, strict validation, Pod Security
// "restricted"), then creates its RBAC for real and asks the server what
// hoist's service account may do: Leases in its namespace, nothing else.
func TestHAComponentOnAPIServer(t *testing.T) {
	t.Parallel()
	need(t, "kubectl")
	manifests, objs := renderHA(t)
	api := startAPIServer(t)
	// The Namespace first, for real: it carries the Pod Security labels.
	nsObj := find(t, objs, "Namespace")
	ns := nsObj.name()
	nsJSON, err := json.Marshal(nsObj)
	if err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := api.kubectl(nsJSON, "apply", "-f", "-"); err != nil {
		t.Fatalf("creating the namespace: %v\n%s%s", err, out, errOut)
	}
	t.Run("apply dry run", func(t *testing.T) { testApplyDryRun(t, api, manifests, objs) })
	t.Run("pod security", func(t *testing.T) { testPodSecurity(t, api, find(t, objs, "Deployment")) })
	t.Run("rbac", func(t *testing.T) { testHARBAC(t, api, objs, ns) })
}

func testHARBAC(t *testing.T, api *apiserver, objs []object, ns string) {
	var rbac []string
	for _, o := range objs {
		switch o.kind() {
		case "ServiceAccount", "Role", "RoleBinding":
			b, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			rbac = append(rbac, string(b))
		}
	}
	list := `{"apiVersion": "v1", "kind": "List", "items": [` + strings.Join(rbac, ",") + `]}`
	if out, errOut, err := api.kubectl([]byte(list), "create", "-f", "-"); err != nil {
		t.Fatalf("creating the RBAC objects: %v\n%s%s", err, out, errOut)
	}
	as := "--as=system:serviceaccount:" + ns + ":" + find(t, objs, "ServiceAccount").name()
	verbs := []string{"get", "list", "watch", "create", "update", "patch", "delete"}
	var allowed, denied []string
	check := func(verb, resource, namespace string) {
		out, _, _ := api.kubectl(nil, "auth", "can-i", verb, resource, "-n", namespace, as)
		what := verb + " " + resource + " in " + namespace
		if strings.TrimSpace(out) == "yes" {
			allowed = append(allowed, what)
		} else {
			denied = append(denied, what)
		}
	}
	var want []string
	for _, v := range verbs {
		check(v, "leases.coordination.k8s.io", ns)
		want = append(want, v+" leases.coordination.k8s.io in "+ns)
		check(v, "leases.coordination.k8s.io", "default")
	}
	for _, r := range []string{"secrets", "configmaps", "pods", "deployments.apps"} {
		check("get", r, ns)
	}
	slices.Sort(allowed)
	slices.Sort(want)
	if diff := cmp.Diff(want, allowed); diff != "" {
		t.Errorf("what hoist's service account may do mismatch (-want +got):\n%s\ndenied: %v", diff, denied)
	}
}
