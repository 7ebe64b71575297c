package benchgen

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	tests := []struct {
		files, pct, wantMarkers int
	}{
		{files: 8, pct: 100, wantMarkers: 22}, // 3+3+3+2 per four files
		{files: 8, pct: 50, wantMarkers: 12},  // files 0, 2, 4, 6: (deployment + kustomization) ×2
		{files: 200, pct: 1, wantMarkers: 6},  // files 0 and 100 are deployments
	}
	for _, tc := range tests {
		dir := t.TempDir()
		got, err := Generate(dir, tc.files, tc.pct)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return err
		})
		if got != tc.wantMarkers || n != tc.files {
			t.Errorf("Generate(%d files, %d%%) = %d markers in %d files; want %d in %d", tc.files, tc.pct, got, n, tc.wantMarkers, tc.files)
		}
	}
	for _, pct := range []int{0, 101} {
		if _, err := Generate(t.TempDir(), 4, pct); err == nil {
			t.Errorf("Generate(pct=%d) error = nil, want one", pct)
		}
	}
}

func TestRefsAreNewer(t *testing.T) {
	refs := Refs()
	if len(refs) != Policies {
		t.Fatalf("Refs() has %d policies, want %d", len(refs), Policies)
	}
	for id, r := range refs {
		if r.Tag == "1.0.0" || strings.Contains(r.Name, "legacy") || !strings.HasPrefix(r.Digest, "sha256:") {
			t.Errorf("Refs()[%s] = %+v is not newer than the generated files", id, r)
		}
	}
}
