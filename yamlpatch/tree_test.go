package yamlpatch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTreeMatchesApply runs every golden case through Load and Tree.Apply
// and checks that the files, the Result and the markers are exactly what
// Apply and Scan give, with and without full verification.
func TestTreeMatchesApply(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() || c.Name() == "fuzz" {
			continue
		}
		for _, full := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/fullVerify=%v", c.Name(), full), func(t *testing.T) {
				var opts []Option
				if full {
					opts = append(opts, WithFullVerify())
				}
				orig := filepath.Join("testdata", c.Name(), "original")
				viaApply, viaTree := t.TempDir(), t.TempDir()
				copyTree(t, orig, viaApply)
				copyTree(t, orig, viaTree)
				wantMarkers, _, err := Scan(viaApply, opts...)
				if err != nil {
					t.Fatal(err)
				}
				want, wantErr := Apply(viaApply, goldenRefs, opts...)
				tree, err := Load(viaTree, opts...)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantMarkers, tree.Markers()); diff != "" {
					t.Errorf("Markers() mismatch with Scan (-want +got):\n%s", diff)
				}
				got, gotErr := tree.Apply(goldenRefs)
				if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
					t.Errorf("Tree.Apply error = %v, want %v", gotErr, wantErr)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Result mismatch with Apply (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(readTree(t, viaApply), readTree(t, viaTree)); diff != "" {
					t.Errorf("files mismatch with Apply (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// parseCounter counts, per file, how often its text was parsed.
type parseCounter struct {
	mu sync.Mutex // protects n
	n  map[string]int
}

func (c *parseCounter) option() Option {
	return func(o *options) error {
		o.onParse = func(rel string) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.n[rel]++
		}
		return nil
	}
}

func (c *parseCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

// TestTreeParsesEachFileOnce: reading a tree's markers and then applying
// references parses each marked file once with a Tree, where Scan then
// Apply parse it twice. Only an edit that is not proven safe parses more:
// the original again (its documents were let go) and the result.
func TestTreeParsesEachFileOnce(t *testing.T) {
	files := map[string]string{
		"plain.yaml":    "x: 1\n",
		"quick.yaml":    "image: ghcr.io/acme/api:1.4.2 # {\"$imagepolicy\": \"apps:api\"}\n",
		"same.yaml":     "image: ghcr.io/acme/api:1.5.0 # {\"$imagepolicy\": \"apps:api\"}\n",
		"other.yaml":    "image: x:1 # {\"$imagepolicy\": \"unknown\"}\n",
		"requote.yaml":  "tag: 1.0 # {\"$imagepolicy\": \"ops:cron:tag\"}\n",
		"sub/tag.yml":   "tag: \"1.4.2\" # {\"$imagepolicy\": \"apps:api:tag\"}\n",
		"broken.yaml":   "a: [ # {\"$imagepolicy\": \"apps:api\"}\n",
		"Kustomization": "images:\n- name: a\n  newTag: 1.4.2 # {\"$imagepolicy\": \"apps:api:tag\"}\n",
	}
	once := map[string]int{"quick.yaml": 1, "same.yaml": 1, "other.yaml": 1, "requote.yaml": 1,
		"sub/tag.yml": 1, "broken.yaml": 1, "Kustomization": 1}
	c := &parseCounter{n: map[string]int{}}

	dir := writeTree(t, files)
	if _, _, err := Scan(dir, c.option()); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(dir, goldenRefs, c.option(), WithDryRun()); err != nil {
		t.Fatal(err)
	}
	twice := map[string]int{}
	for f, n := range once {
		twice[f] = 2 * n
	}
	twice["requote.yaml"]++ // Apply verifies the result by parsing it
	if diff := cmp.Diff(twice, c.take()); diff != "" {
		t.Fatalf("Scan then Apply: parses per file (-want +got):\n%s", diff)
	}

	tree, err := Load(dir, c.option())
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Markers()) != 6 {
		t.Errorf("Markers() = %v, want 6", tree.Markers())
	}
	res, err := tree.Apply(goldenRefs)
	if err != nil || len(res.Changes) != 4 {
		t.Fatalf("Tree.Apply = %+v, %v; want 4 changes", res, err)
	}
	once["requote.yaml"] += 2 // not proven safe: the original again, and the result
	if diff := cmp.Diff(once, c.take()); diff != "" {
		t.Errorf("Load then Tree.Apply: parses per file (-want +got):\n%s", diff)
	}
}

// TestTreeApplyOnce: a tree whose files were written cannot be applied
// again (its text is stale); a dry-run tree can.
func TestTreeApplyOnce(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.yaml": "image: ghcr.io/acme/api:1.4.2 # {\"$imagepolicy\": \"apps:api\"}\n"})
	dry, err := Load(dir, WithDryRun())
	if err != nil {
		t.Fatal(err)
	}
	first, err := dry.Apply(goldenRefs)
	if err != nil {
		t.Fatal(err)
	}
	second, err := dry.Apply(goldenRefs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second); diff != "" || len(first.Changes) != 1 {
		t.Errorf("second dry run (-first +second):\n%s", diff)
	}
	tree, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.Apply(goldenRefs); err != nil {
		t.Fatal(err)
	}
	if _, err := tree.Apply(goldenRefs); !errors.Is(err, ErrApplied) {
		t.Errorf("second Apply error = %v, want ErrApplied", err)
	}
}

func TestLoadBadRoot(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load of a missing root: no error")
	}
}

// TestLoadKeepsEachFilesBytes: files are read into a reused buffer; a Tree
// keeps every marked file's bytes until Apply, so each must be its own copy
// (one worker, so that every file reuses the same buffer).
func TestLoadKeepsEachFilesBytes(t *testing.T) {
	root := t.TempDir()
	marked := "image: ghcr.io/acme/api:1.4.2 # {\"$imagepolicy\": \"apps:api\"}\n"
	want := map[string]string{}
	for i := range 6 {
		name := fmt.Sprintf("f%d.yaml", i)
		text := fmt.Sprintf("# file %d\n%s", i, marked)
		if i%2 == 1 {
			text = fmt.Sprintf("# file %d, no marker, longer than the others %s\nother: x\n", i, strings.Repeat("-", 40))
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		want[name] = strings.Replace(text, "api:1.4.2", "api:1.5.0", 1)
	}
	tree, err := Load(root, WithJobs(1))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tree.Apply(map[string]Ref{"apps:api": {Name: "ghcr.io/acme/api", Tag: "1.5.0"}})
	if err != nil || len(res.Changes) != 3 || len(res.Problems) != 0 {
		t.Fatalf("Apply = %d changes, %v, %v; want 3, none", len(res.Changes), res.Problems, err)
	}
	got := map[string]string{}
	for name := range want {
		b, _ := os.ReadFile(filepath.Join(root, name))
		got[name] = string(b)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files after Load and Apply (-want +got):\n%s", diff)
	}
}
