package pass

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/demo"
	"github.com/hoist-dev/hoist/registry"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func policyFile(name, mode string) string {
	return "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: " + name + "}\nspec:\n" +
		"  image: IMG\n  digest: " + mode + "\n  policy: {semver: {range: '*'}}\n"
}

// TestDigestModes: with the tag unchanged but pushed again, IfNotPresent
// keeps the digest the file pins and Always moves to the new one.
func TestDigestModes(t *testing.T) {
	ctx := context.Background()
	reg := demo.StartRegistry()
	defer reg.Close()
	if err := reg.Push(ctx, "acme/app", "1.0.0"); err != nil { // a new random image: a new digest
		t.Fatal(err)
	}
	img := reg.Host() + "/acme/app"
	old := img + ":1.0.0@sha256:" + strings.Repeat("0", 64)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"p/keep.yaml":  strings.ReplaceAll(policyFile("keep", "IfNotPresent"), "IMG", img),
		"p/fresh.yaml": strings.ReplaceAll(policyFile("fresh", "Always"), "IMG", img),
		"m/keep.yaml":  "image: " + old + " # {\"$imagepolicy\": \"keep\"}\n",
		"m/fresh.yaml": "image: " + old + " # {\"$imagepolicy\": \"fresh\"}\n",
		"m/plain.yaml": "image: " + img + ":0.9.0 # {\"$imagepolicy\": \"keep\"}\n",
	})
	sc, err := registry.New(registry.WithHost(reg.Host(), registry.HostConfig{Insecure: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	rep, err := Run(ctx, dir, sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("problems: %v", rep.Problems)
	}
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read("m/keep.yaml"); !strings.Contains(got, old) {
		t.Errorf("IfNotPresent moved the pinned digest of an unchanged tag:\n%s", got)
	}
	fresh := read("m/fresh.yaml")
	if strings.Contains(fresh, old) || !strings.Contains(fresh, img+":1.0.0@sha256:") {
		t.Errorf("Always did not re-pin the re-pushed tag:\n%s", fresh)
	}
	// A marker of the same policy on another tag gets the pinned digest too:
	// one policy, one reference.
	if got := read("m/plain.yaml"); !strings.Contains(got, old) {
		t.Errorf("m/plain.yaml = %q, want the policy's reference %s", got, old)
	}
}
