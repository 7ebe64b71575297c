package yamlpatch

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestKustomizeBuildsPatchedImages runs the real kustomize on the patched
// kustomize golden case: the images it renders must be the chosen ones.
func TestKustomizeBuildsPatchedImages(t *testing.T) {
	kustomize := lookPath(t, "kustomize")
	work := t.TempDir()
	copyTree(t, filepath.Join("testdata", "kustomize", "original"), work)
	if _, err := Apply(work, goldenRefs); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(kustomize, "build", filepath.Join(work, "base")).CombinedOutput()
	if err != nil {
		t.Fatalf("kustomize build: %v\n%s", err, out)
	}
	var images []string
	for _, m := range regexp.MustCompile(`(?m)^\s*-?\s*image: (\S+)$`).FindAllSubmatch(out, -1) {
		images = append(images, string(m[1]))
	}
	want := []string{"ghcr.io/acme/api:1.5.0", "ghcr.io/acme/web:2.0.1@" + goldenRefs["apps:web"].Digest}
	if diff := cmp.Diff(want, images); diff != "" {
		t.Errorf("kustomize images mismatch (-want +got):\n%s\n%s", diff, out)
	}
}
