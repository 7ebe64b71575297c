package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// fleetLayout says how the generated config repositories are laid out:
// apps spread round-robin over the repositories, image repositories spread
// round-robin over the apps, files spread evenly over the apps.
type fleetLayout struct {
	host   string // the registry host:port images name
	reg    *fakeRegistry
	repos  int // image repositories
	apps   int
	files  int
	config int  // config repositories
	noKust bool // leave kustomization.yaml out (a ConfigMap in its place)
}

// appOf is the app whose policies and markers name image repository i.
func (l fleetLayout) appOf(i int) int { return i % l.apps }

// configOf is the config repository holding app a.
func (l fleetLayout) configOf(a int) int { return a % l.config }

// image is the full name of image repository i.
func (l fleetLayout) image(i int) string { return l.host + "/" + repoName(i) }

// appDir is app a's directory inside its config repository.
func appDir(a int) string { return fmt.Sprintf("apps/app-%03d", a) }

// markedFile is where image repository i's whole-reference marker is.
func (l fleetLayout) markedFile(i int) string { return appDir(l.appOf(i)) + "/deployment.yaml" }

// images returns the image repositories of app a.
func (l fleetLayout) images(a int) []int {
	var out []int
	for i := a; i < l.repos; i += l.apps {
		out = append(out, i)
	}
	return out
}

// filesOf is how many files app a has.
func (l fleetLayout) filesOf(a int) int {
	n := l.files / l.apps
	if a < l.files%l.apps {
		n++
	}
	return n
}

// writeApp writes app a's files under root: policies.yaml (one ImagePolicy
// per image), deployment.yaml (a container per image, each marked),
// values.yaml (a tag marker for the first image), kustomization.yaml, and
// unmarked ConfigMaps up to the app's file count. Markers hold each image's
// newest tag, so a pass over an unchanged registry changes nothing.
func (l fleetLayout) writeApp(root string, a int) error {
	dir := filepath.Join(root, appDir(a))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	ns := fmt.Sprintf("app-%03d", a)
	imgs := l.images(a)
	var pol, dep strings.Builder
	fmt.Fprintf(&dep, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n  replicas: 2\n"+
		"  template:\n    spec:\n      containers:\n", ns, ns)
	for _, i := range imgs {
		fmt.Fprintf(&pol, "---\napiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: svc-%05d\n  namespace: %s\n"+
			"spec:\n  image: %s\n  policy:\n    semver:\n      range: '>=1.0.0'\n", i, ns, l.image(i))
		fmt.Fprintf(&dep, "        - name: svc-%05d\n          image: %s:%s # {\"$imagepolicy\": \"%s:svc-%05d\"}\n"+
			"          resources: {requests: {cpu: 10m, memory: 32Mi}}\n", i, l.image(i), l.reg.latest(i), ns, i)
	}
	files := map[string]string{"policies.yaml": pol.String(), "deployment.yaml": dep.String()}
	if len(imgs) > 0 {
		files["values.yaml"] = fmt.Sprintf("replicaCount: 2\nimage:\n  repository: %s\n  tag: %s # {\"$imagepolicy\": \"%s:svc-%05d:tag\"}\n",
			l.image(imgs[0]), l.reg.latest(imgs[0]), ns, imgs[0])
	}
	res := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n"
	for k := len(files) + 1; k < l.filesOf(a); k++ {
		name := fmt.Sprintf("config-%02d.yaml", k)
		files[name] = fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-%02d\n  namespace: %s\n"+
			"data:\n  LOG_LEVEL: info\n  FEATURE_%02d: \"on\"\n", ns, k, ns, k)
		res += "  - " + name + "\n"
	}
	if l.noKust {
		files["config-00.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + ns + "-00\n"
	} else {
		files["kustomization.yaml"] = res
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}

// writeConfigRepos generates the config repositories as bare repositories
// under dir and returns their paths.
func (l fleetLayout) writeConfigRepos(ctx context.Context, dir string) ([]string, error) {
	bares := make([]string, l.config)
	for c := range l.config {
		work := filepath.Join(dir, fmt.Sprintf("work-%d", c))
		for a := range l.apps {
			if l.configOf(a) != c {
				continue
			}
			if err := l.writeApp(work, a); err != nil {
				return nil, err
			}
		}
		bares[c] = filepath.Join(dir, fmt.Sprintf("config-%d.git", c))
		if err := commitTree(ctx, work, bares[c]); err != nil {
			return nil, err
		}
		if err := os.RemoveAll(work); err != nil {
			return nil, fmt.Errorf("removing %s: %w", work, err)
		}
	}
	return bares, nil
}

// commitTree commits the tree at work on branch main and clones it bare to
// bare.
func commitTree(ctx context.Context, work, bare string) error {
	steps := [][]string{
		{"-C", work, "init", "-q", "-b", "main"},
		{"-C", work, "add", "-A"},
		{"-C", work, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "fleet"},
		{"clone", "-q", "--bare", work, bare},
	}
	for _, args := range steps {
		if out, err := exec.CommandContext(ctx, "git", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %w: %s", args[len(args)-2], err, out)
		}
	}
	return nil
}
