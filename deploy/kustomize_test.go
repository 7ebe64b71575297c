package deploy_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ids(objs []object) []string {
	var out []string
	for _, o := range objs {
		id := o.id()
		if o.kind() == "ConfigMap" { // the generated name ends in a content hash
			id = id[:strings.LastIndex(id, "-")+1] + "<hash>"
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func TestKustomizeBuildsEveryKustomization(t *testing.T) {
	base := []string{
		"ConfigMap/hoist-system/hoist-config-<hash>",
		"Deployment/hoist-system/hoist",
		"Namespace//hoist-system",
		"Service/hoist-system/hoist",
		"ServiceAccount/hoist-system/hoist",
	}
	tests := []struct {
		dir  string
		want []string
	}{
		{"base", base},
		{"overlays/flux", append(slices.Clone(base), "GitRepository/flux-system/hoist", "Kustomization/flux-system/hoist")},
		{"overlays/argocd", append(slices.Clone(base), "Application/argocd/hoist")},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			_, objs := render(t, tc.dir)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if diff := cmp.Diff(want, ids(objs)); diff != "" {
				t.Errorf("kustomize %s objects mismatch (-want +got):\n%s", tc.dir, diff)
			}
		})
	}
}

// baseImageTag reads the tag base/kustomization.yaml sets with `images:`.
func baseImageTag(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("base/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decodeAll(b)
	if err != nil || len(objs) != 1 {
		t.Fatalf("decoding base/kustomization.yaml: %v", err)
	}
	images, _ := lookup(objs[0], "images").([]any)
	for _, im := range images {
		if lookup(im, "name") == "ghcr.io/hoist-dev/hoist" {
			if tag, _ := lookup(im, "newTag").(string); tag != "" {
				return tag
			}
		}
	}
	t.Fatal("base/kustomization.yaml sets no newTag for ghcr.io/hoist-dev/hoist")
	return ""
}

func TestDeploymentIsHardened(t *testing.T) {
	_, objs := render(t, "base")
	dep := find(t, objs, "Deployment")
	pod := lookup(dep, "spec", "template", "spec")
	ctr := lookup(pod, "containers", "0")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"one container", len(lookup(pod, "containers").([]any)), 1},
		{"image", lookup(ctr, "image"), "ghcr.io/hoist-dev/hoist:" + baseImageTag(t)},
		{"args", lookup(ctr, "args"), []any{"run", "--config", "/etc/hoist/config.yaml", "--state-dir", "/var/lib/hoist"}},
		{"pod runAsNonRoot", lookup(pod, "securityContext", "runAsNonRoot"), true},
		{"pod seccomp", lookup(pod, "securityContext", "seccompProfile", "type"), "RuntimeDefault"},
		{"no service account token", lookup(pod, "automountServiceAccountToken"), false},
		{"service account", lookup(pod, "serviceAccountName"), "hoist"},
		{"runAsNonRoot", lookup(ctr, "securityContext", "runAsNonRoot"), true},
		{"readOnlyRootFilesystem", lookup(ctr, "securityContext", "readOnlyRootFilesystem"), true},
		{"allowPrivilegeEscalation", lookup(ctr, "securityContext", "allowPrivilegeEscalation"), false},
		{"capabilities", lookup(ctr, "securityContext", "capabilities"), map[string]any{"drop": []any{"ALL"}}},
		{"seccomp", lookup(ctr, "securityContext", "seccompProfile", "type"), "RuntimeDefault"},
		{"port", lookup(ctr, "ports"), []any{map[string]any{"name": "http", "containerPort": 8080, "protocol": "TCP"}}},
		{"liveness path", lookup(ctr, "livenessProbe", "httpGet", "path"), "/healthz"},
		{"liveness port", lookup(ctr, "livenessProbe", "httpGet", "port"), "http"},
		{"readiness path", lookup(ctr, "readinessProbe", "httpGet", "path"), "/readyz"},
		{"readiness port", lookup(ctr, "readinessProbe", "httpGet", "port"), "http"},
		{"resource kinds", resourceKeys(lookup(ctr, "resources")), []string{"limits.cpu", "limits.memory", "requests.cpu", "requests.memory"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("Deployment %s mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
}

// resourceKeys lists the set requests and limits as "requests.cpu" and so on.
func resourceKeys(res any) []string {
	var keys []string
	for _, k := range []string{"requests", "limits"} {
		m, _ := lookup(res, k).(map[string]any)
		for r, v := range m {
			if v != nil && v != "" {
				keys = append(keys, k+"."+r)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// mountSources maps each mount path of the container to the kind of volume behind
// it and whether it is read-only, e.g. "secret ro".
func mountSources(t *testing.T, pod, ctr any) map[string]string {
	t.Helper()
	volumes := map[string]map[string]any{}
	vs, _ := lookup(pod, "volumes").([]any)
	for _, v := range vs {
		vm := v.(map[string]any)
		volumes[vm["name"].(string)] = vm
	}
	got := map[string]string{}
	ms, _ := lookup(ctr, "volumeMounts").([]any)
	for _, m := range ms {
		vol := volumes[lookup(m, "name").(string)]
		kind := "missing volume"
		for _, k := range []string{"configMap", "secret", "emptyDir", "persistentVolumeClaim"} {
			if _, ok := vol[k]; ok {
				kind = k
			}
		}
		if lookup(m, "readOnly") == true {
			kind += " ro"
		}
		got[lookup(m, "mountPath").(string)] = kind
	}
	return got
}

func TestDeploymentMounts(t *testing.T) {
	_, objs := render(t, "base")
	dep := find(t, objs, "Deployment")
	pod := lookup(dep, "spec", "template", "spec")
	ctr := lookup(pod, "containers", "0")
	want := map[string]string{
		"/etc/hoist/config.yaml":      "configMap ro",
		"/etc/hoist/secrets/git":      "secret ro",
		"/etc/hoist/secrets/registry": "secret ro",
		"/etc/hoist/secrets/webhook":  "secret ro",
		"/var/lib/hoist":              "emptyDir",
		"/tmp":                        "emptyDir",
	}
	if diff := cmp.Diff(want, mountSources(t, pod, ctr)); diff != "" {
		t.Errorf("Deployment mounts mismatch (-want +got):\n%s", diff)
	}

	// The config mount must name the generated ConfigMap and a key it holds.
	cm := find(t, objs, "ConfigMap")
	var cmName, subPath string
	for _, v := range lookup(pod, "volumes").([]any) {
		if n, ok := lookup(v, "configMap", "name").(string); ok {
			cmName = n
		}
	}
	for _, m := range lookup(ctr, "volumeMounts").([]any) {
		if lookup(m, "mountPath") == "/etc/hoist/config.yaml" {
			subPath, _ = lookup(m, "subPath").(string)
		}
	}
	if cmName != cm.name() {
		t.Errorf("config volume names ConfigMap %q, the build has %q", cmName, cm.name())
	}
	if s, _ := lookup(cm, "data", subPath).(string); !strings.Contains(s, "kind: Config") {
		t.Errorf("ConfigMap %s key %q = %q, want the hoist service config", cm.name(), subPath, s)
	}
}

func TestServiceSelectsThePod(t *testing.T) {
	_, objs := render(t, "base")
	dep, svc := find(t, objs, "Deployment"), find(t, objs, "Service")
	podLabels, _ := lookup(dep, "spec", "template", "metadata", "labels").(map[string]any)
	sel, _ := lookup(svc, "spec", "selector").(map[string]any)
	if len(sel) == 0 {
		t.Fatal("Service has no selector")
	}
	for k, v := range sel {
		if podLabels[k] != v {
			t.Errorf("Service selects %s=%v, pod template has %v", k, v, podLabels[k])
		}
	}
	for k, v := range lookup(dep, "spec", "selector", "matchLabels").(map[string]any) {
		if podLabels[k] != v {
			t.Errorf("Deployment selects %s=%v, pod template has %v", k, v, podLabels[k])
		}
	}
	want := []any{map[string]any{"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}}
	if diff := cmp.Diff(want, lookup(svc, "spec", "ports")); diff != "" {
		t.Errorf("Service ports mismatch (-want +got):\n%s", diff)
	}
}

// TestOverlaysKeepTheBase checks that each overlay renders the base objects
// unchanged, and that its GitOps object points at a path holding the base.
func TestOverlaysKeepTheBase(t *testing.T) {
	_, base := render(t, "base")
	ns := find(t, base, "Namespace").name()
	tests := []struct {
		dir    string
		checks func(t *testing.T, extra []object) (path string)
	}{
		{"overlays/flux", func(t *testing.T, extra []object) string { return checkFlux(t, extra) }},
		{"overlays/argocd", func(t *testing.T, extra []object) string { return checkArgo(t, extra, ns) }},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			_, objs := render(t, tc.dir)
			var kept, extra []object
			for _, o := range objs {
				if o.namespace() == ns || o.id() == "Namespace//"+ns {
					kept = append(kept, o)
				} else {
					extra = append(extra, o)
				}
			}
			if diff := cmp.Diff(base, kept); diff != "" {
				t.Errorf("%s changes the base (-base +overlay):\n%s", tc.dir, diff)
			}
			path := tc.checks(t, extra)
			if _, err := os.Stat(filepath.Join(repoRoot, path, "kustomization.yaml")); err != nil {
				t.Errorf("%s points at %q, which holds no kustomization: %v", tc.dir, path, err)
			}
		})
	}
}

func checkFlux(t *testing.T, extra []object) string {
	t.Helper()
	ks, src := find(t, extra, "Kustomization"), find(t, extra, "GitRepository")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"Kustomization apiVersion", lookup(ks, "apiVersion"), "kustomize.toolkit.fluxcd.io/v1"},
		{"GitRepository apiVersion", lookup(src, "apiVersion"), "source.toolkit.fluxcd.io/v1"},
		{"sourceRef", lookup(ks, "spec", "sourceRef"), map[string]any{"kind": "GitRepository", "name": src.name()}},
		{"source namespace", src.namespace(), ks.namespace()},
		{"prune", lookup(ks, "spec", "prune"), true},
		{"has interval", lookup(ks, "spec", "interval") != nil && lookup(src, "spec", "interval") != nil, true},
		{"has url", lookup(src, "spec", "url") != nil, true},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("flux %s mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
	path, _ := lookup(ks, "spec", "path").(string)
	return path
}

func checkArgo(t *testing.T, extra []object, ns string) string {
	t.Helper()
	app := find(t, extra, "Application")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"apiVersion", lookup(app, "apiVersion"), "argoproj.io/v1alpha1"},
		{"destination namespace", lookup(app, "spec", "destination", "namespace"), ns},
		{"destination server", lookup(app, "spec", "destination", "server"), "https://kubernetes.default.svc"},
		{"project", lookup(app, "spec", "project"), "default"},
		{"automated sync", lookup(app, "spec", "syncPolicy", "automated"), map[string]any{"prune": true, "selfHeal": true}},
		{"has repoURL", lookup(app, "spec", "source", "repoURL") != nil, true},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("argocd %s mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
	path, _ := lookup(app, "spec", "source", "path").(string)
	return path
}

// renderComposed renders a throwaway kustomization with the given resources and
// components (paths relative to this directory), as a user's overlay would.
func renderComposed(t *testing.T, resources, components []string) ([]byte, []object) {
	t.Helper()
	dir := t.TempDir()
	rel := func(paths []string) string {
		var out []string
		for _, p := range paths {
			abs, err := filepath.Abs(p)
			if err != nil {
				t.Fatal(err)
			}
			r, err := filepath.Rel(dir, abs) // kustomize refuses absolute roots
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, strconv.Quote(r))
		}
		return "[" + strings.Join(out, ", ") + "]"
	}
	writeFile(t, filepath.Join(dir, "kustomization.yaml"),
		"resources: "+rel(resources)+"\ncomponents: "+rel(components)+"\n")
	return render(t, dir)
}

func TestPersistentStateComponent(t *testing.T) {
	_, base := render(t, "base")
	_, objs := renderComposed(t, []string{"base"}, []string{"components/persistent-state"})
	dep, pvc := find(t, objs, "Deployment"), find(t, objs, "PersistentVolumeClaim")
	pod := lookup(dep, "spec", "template", "spec")
	want := mountSources(t, lookup(find(t, base, "Deployment"), "spec", "template", "spec"),
		lookup(find(t, base, "Deployment"), "spec", "template", "spec", "containers", "0"))
	want["/var/lib/hoist"] = "persistentVolumeClaim"
	if diff := cmp.Diff(want, mountSources(t, pod, lookup(pod, "containers", "0"))); diff != "" {
		t.Errorf("mounts with persistent state mismatch (-want +got):\n%s", diff)
	}
	for _, v := range lookup(pod, "volumes").([]any) {
		if lookup(v, "name") == "state" && lookup(v, "persistentVolumeClaim", "claimName") != pvc.name() {
			t.Errorf("state volume claims %v, the build has PersistentVolumeClaim %s",
				lookup(v, "persistentVolumeClaim", "claimName"), pvc.name())
		}
	}
	if pvc.namespace() != dep.namespace() {
		t.Errorf("PersistentVolumeClaim in namespace %q, Deployment in %q", pvc.namespace(), dep.namespace())
	}
	if lookup(dep, "spec", "strategy", "type") != "Recreate" {
		t.Error("a ReadWriteOnce claim needs the Recreate strategy")
	}
}
