package yamlpatch

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*/expected and problems.txt from the current output")

// goldenRefs are the chosen references every golden case is applied with.
var goldenRefs = map[string]Ref{
	"apps:api":    {Name: "ghcr.io/acme/api", Tag: "1.5.0"},
	"apps:web":    {Name: "ghcr.io/acme/web", Tag: "2.0.1", Digest: "sha256:" + strings.Repeat("b", 64)},
	"worker":      {Name: "docker.io/acme/worker", Tag: "1.10"},
	"ops:cron":    {Name: "quay.io/ops/cron", Tag: "true"},
	"apps:quoted": {Name: "ghcr.io/acme/it's", Tag: `v"2"`},
	"apps:nodig":  {Name: "ghcr.io/acme/nodig", Tag: "3.0.0"},
}

// TestGolden applies goldenRefs to testdata/<case>/original in a temporary
// copy and compares the tree with testdata/<case>/expected byte for byte,
// and the problems with testdata/<case>/problems.txt (absent: none).
func TestGolden(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() || c.Name() == "fuzz" { // testdata/fuzz is the fuzz corpus
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", c.Name())
			work := t.TempDir()
			copyTree(t, filepath.Join(dir, "original"), work)
			res, err := Apply(work, goldenRefs)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			var probs strings.Builder
			for _, p := range res.Problems {
				probs.WriteString(p.Error() + "\n")
			}
			if *update {
				os.RemoveAll(filepath.Join(dir, "expected"))
				copyTree(t, work, filepath.Join(dir, "expected"))
				writeOrRemove(t, filepath.Join(dir, "problems.txt"), probs.String())
				return
			}
			if diff := cmp.Diff(readTree(t, filepath.Join(dir, "expected")), readTree(t, work)); diff != "" {
				t.Errorf("tree mismatch (-want +got):\n%s", diff)
			}
			wantProbs, _ := os.ReadFile(filepath.Join(dir, "problems.txt"))
			if diff := cmp.Diff(string(wantProbs), probs.String()); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func writeOrRemove(t *testing.T, path, s string) {
	t.Helper()
	if s == "" {
		os.Remove(path)
		return
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies regular files (keeping permission bits) and symlinks.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(dst, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, dst)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copying %s: %v", from, err)
	}
}

// readTree maps slash paths to contents ("-> target" for symlinks, plus the
// mode for files that are not 0644).
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.Type()&fs.ModeSymlink != 0 {
			link, err := os.Readlink(path)
			out[rel] = "-> " + link
			return err
		}
		data, err := os.ReadFile(path)
		if info, _ := d.Info(); info != nil && info.Mode().Perm() != 0o644 {
			rel += " " + info.Mode().Perm().String()
		}
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatalf("reading %s: %v", root, err)
	}
	return out
}

// TestGoldenInputsKeepBOMAndCRLF guards the special golden inputs against
// end-of-line conversion by git (see .gitattributes).
func TestGoldenInputsKeepBOMAndCRLF(t *testing.T) {
	for _, side := range []string{"original", "expected"} {
		for name, want := range map[string][2]bool{"bom-crlf.yaml": {true, true}, "crlf-noeol.yml": {false, true}, "bom.yaml": {true, false}} {
			b, err := os.ReadFile(filepath.Join("testdata", "crlf-bom", side, name))
			if err != nil {
				t.Fatal(err)
			}
			got := [2]bool{bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")), bytes.Contains(b, []byte("\r\n"))}
			if got != want {
				t.Errorf("%s/%s: (BOM, CRLF) = %v, want %v", side, name, got, want)
			}
		}
	}
}
