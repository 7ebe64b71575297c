package policy

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// setOpts compare whole Sets, unexported fields too; errors by text.
var setOpts = []cmp.Option{
	cmp.Exporter(func(reflect.Type) bool { return true }),
	cmp.Comparer(sameError),
	cmp.Comparer(func(a, b *regexp.Regexp) bool {
		return (a == nil) == (b == nil) && (a == nil || a.String() == b.String())
	}),
}

// cacheStep changes the tree, then the test loads it with and without the
// cache; decodes and builds, when not -1, are what the cached Load must
// redo; with noOpens it must open no file.
type cacheStep struct {
	name            string
	change          func(t *testing.T, root string)
	decodes, builds int
	noOpens         bool
}

// checkCached runs steps on the tree at root, first aged out of the racy
// window (so that the cache may trust the stamps of the files no step
// changes): after each, Load with the cache must equal Load without.
func checkCached(t *testing.T, root string, steps []cacheStep) {
	t.Helper()
	age(t, root)
	c := NewCache()
	for _, s := range steps {
		if s.change != nil {
			s.change(t, root)
		}
		want, err := Load(root)
		if err != nil {
			t.Fatal(err)
		}
		before := c.counts()
		got, err := Load(root, WithCache(c))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, setOpts...); diff != "" {
			t.Errorf("%s: Load with the cache mismatch (-uncached +cached):\n%s", s.name, diff)
		}
		after := c.counts()
		if d := after.decodes - before.decodes; s.decodes >= 0 && d != s.decodes {
			t.Errorf("%s: %d files decoded, want %d", s.name, d, s.decodes)
		}
		if b := after.builds - before.builds; s.builds >= 0 && b != s.builds {
			t.Errorf("%s: %d kustomizations built, want %d", s.name, b, s.builds)
		}
		if o := after.opens - before.opens; s.noOpens && o != 0 {
			t.Errorf("%s: %d files opened, want none", s.name, o)
		}
	}
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func write(name, content string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		t.Helper()
		writeFiles(t, root, map[string]string{name: content})
	}
}

func appendTo(name, content string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		old, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(old, content...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func replaceIn(name, old, new string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.WriteFile(p, replaced(t, p, old, new), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// replaced is the content of file p with its first old replaced by new.
func replaced(t *testing.T, p, old, new string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not hold %q", p, old)
	}
	return []byte(strings.Replace(string(b), old, new, 1))
}

func remove(name string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		t.Helper()
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
}

// firstPolicyFile is the first YAML file under root holding an ImagePolicy.
func firstPolicyFile(t *testing.T, root string) string {
	t.Helper()
	var found string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || found != "" || d.IsDir() || !isYAML(p) {
			return err
		}
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), "kind: ImagePolicy") {
			found, _ = filepath.Rel(root, p)
		}
		return nil
	})
	if err != nil || found == "" {
		t.Fatalf("no policy file under %s: %v", root, err)
	}
	return filepath.ToSlash(found)
}

// TestLoadCachedTestdata loads each sample repository with a cache, cold,
// warm and after each kind of edit: always what Load without it gives.
func TestLoadCachedTestdata(t *testing.T) {
	for _, tree := range []string{"charts", "demo", "flux-automations", "flux-e2e", "flux-kustomize", "promotion"} {
		t.Run(tree, func(t *testing.T) {
			root := copyTree(t, filepath.Join("..", "testdata", tree))
			file := firstPolicyFile(t, root)
			checkCached(t, root, []cacheStep{
				{name: "cold", decodes: -1, builds: -1},
				{name: "warm", decodes: 0, builds: 0, noOpens: true},
				{name: "edit a file", change: appendTo(file, "\n---\n"+hoistDoc("added", goodSpec)), decodes: -1, builds: -1},
				{name: "break a file", change: appendTo(file, "\n---\n"+hoistDoc("Bad_Name", goodSpec)), decodes: -1, builds: -1},
				{name: "add a file", change: write("added/new.yaml", hoistDoc("new", goodSpec)), decodes: 1, builds: 0},
				{name: "delete a file", change: remove(file), decodes: -1, builds: -1},
				{name: "warm again", decodes: 0, builds: 0},
			})
		})
	}
}

// TestLoadCachedKustomize edits what kustomize builds: a base, a patch, a
// resource, a symlink, a kustomization file that appears beside another.
func TestLoadCachedKustomize(t *testing.T) {
	root := copyTree(t, filepath.Join("..", "testdata", "flux-kustomize"))
	const prod, base = "clusters/prod/", "apps/base/"
	checkCached(t, root, []cacheStep{
		{name: "cold", decodes: -1, builds: 1},
		{name: "warm", decodes: 0, builds: 0, noOpens: true},
		{name: "edit the base", change: replaceIn(base+"kustomization.yaml", "namespace: apps", "namespace: apps2"), decodes: 1, builds: 1},
		{name: "edit a patch", change: replaceIn(prod+"api-label.yaml", "prod", "staging"), decodes: 1, builds: 1},
		{name: "edit a resource", change: replaceIn(base+"web.yaml", "name: web\n", "name: web2\n"), decodes: 1, builds: 1},
		{name: "edit an unrendered file", change: replaceIn(base+"deployment.yaml", "apps/v1", "apps/v1 "), decodes: 0, builds: 1},
		{name: "second kustomization file", change: write(base+"kustomization.yml", "resources: [api.yaml]\n"), decodes: -1, builds: 2},
		{name: "remove it", change: remove(base + "kustomization.yml"), decodes: -1, builds: 1},
		{name: "break the overlay", change: replaceIn(prod+"kustomization.yaml", "automation.yaml", "missing.yaml"), decodes: -1, builds: -1},
		{name: "warm broken", decodes: 0, builds: 0},
		{name: "mend the overlay", change: replaceIn(prod+"kustomization.yaml", "missing.yaml", "automation.yaml"), decodes: -1, builds: -1},
		{name: "new root", change: write("infra/kustomization.yaml", "namespace: infra2\nresources: [tools.yaml]\n"), decodes: 1, builds: 1},
		{name: "warm at the end", decodes: 0, builds: 0},
	})
}

// TestLoadCachedSymlink: a symlink a build follows turns to another file
// with the same bytes; the claimed file changes, so the build is redone
// (and p.yaml, no longer claimed, loads as it stands).
func TestLoadCachedSymlink(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"apps/kustomization.yaml": "namespace: apps\nresources: [p.yaml, r.yaml]\n",
		"apps/p.yaml":             "-> ../shared/p.yaml",
		"apps/r.yaml":             kustRepo,
		"shared/p.yaml":           kustPolicy,
		"shared/q.yaml":           kustPolicy,
	})
	checkCached(t, root, []cacheStep{
		{name: "cold", decodes: -1, builds: 1},
		{name: "warm", decodes: 0, builds: 0},
		{name: "retarget", change: func(t *testing.T, root string) {
			remove("apps/p.yaml")(t, root)
			write("apps/p.yaml", "-> ../shared/q.yaml")(t, root)
		}, decodes: -1, builds: 1},
		{name: "warm", decodes: 0, builds: 0},
	})
}

// TestLoadCachedLabelsNotShared: a caller changing a policy's labels does
// not change what the next Load returns.
func TestLoadCachedLabelsNotShared(t *testing.T) {
	root := writeTree(t, map[string]string{"p.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: p, labels: {env: prod}}\nspec:\n" + goodSpec})
	c := NewCache()
	for i := range 2 {
		set, err := Load(root, WithCache(c))
		if err != nil || len(set.Policies) != 1 {
			t.Fatalf("Load: %v, %v", err, set)
		}
		if got := set.Policies[0].Labels["env"]; got != "prod" {
			t.Errorf("Load %d: label env = %q, want prod", i, got)
		}
		set.Policies[0].Labels["env"] = "changed"
	}
}

// TestLoadCachedEvicts: after a Load, the cache holds only what it used.
func TestLoadCachedEvicts(t *testing.T) {
	root := copyTree(t, filepath.Join("..", "testdata", "flux-kustomize"))
	c := NewCache()
	if _, err := Load(root, WithCache(c)); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "clusters")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root, WithCache(c)); err != nil {
		t.Fatal(err)
	}
	var files, builds []string
	for k := range c.files {
		files = append(files, k.file+" "+k.kust)
	}
	for k := range c.builds {
		builds = append(builds, k)
	}
	slices.Sort(files)
	const base = "apps/base/kustomization.yaml"
	want := []string{"apps/base/extra.yaml ", base + " " + base, "infra/tools.yaml "}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files cached after removing the overlay (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{base}, builds); diff != "" {
		t.Errorf("builds cached after removing the overlay (-want +got):\n%s", diff)
	}
}

func TestWithCacheNil(t *testing.T) {
	if _, err := Load(t.TempDir(), WithCache(nil)); err == nil {
		t.Error("WithCache(nil): no error")
	}
}

// age sets the modification time of every file under root an hour back,
// out of the racy window: a Cache may then trust their stamps.
func age(t testing.TB, root string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		return os.Chtimes(p, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// keepMtime runs change on the file name, then sets its modification
// time back to what it was: only its ctime (and perhaps inode) tells.
func keepMtime(name string, change func(*testing.T, string)) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		change(t, root)
		if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
}

// renameOver replaces the file name by a new file of the same size and
// modification time, renamed over it.
func renameOver(name, old, new string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, replaced(t, p, old, new), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, p); err != nil {
			t.Fatal(err)
		}
	}
}

func symlinkOver(name, target string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		t.Helper()
		remove(name)(t, root)
		write(name, "-> "+target)(t, root)
	}
}

func chmod(mode os.FileMode, names ...string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		t.Helper()
		for _, n := range names {
			if err := os.Chmod(filepath.Join(root, filepath.FromSlash(n)), mode); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func both(fs ...func(*testing.T, string)) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		t.Helper()
		for _, f := range fs {
			f(t, root)
		}
	}
}

// TestLoadCachedStamps changes files in ways that keep some of their
// stat: the same size with the modification time set back, a rewrite in
// the same second, a rename over the file, a symlink in its place,
// permissions. Files loaded directly and files a kustomization reads.
func TestLoadCachedStamps(t *testing.T) {
	const (
		p, q     = "direct/p.yaml", "direct/q.yaml"
		pol, rep = "app/policy.yaml", "app/repo.yaml"
	)
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		p:                        hoistDoc("p", goodSpec),
		q:                        hoistDoc("q", goodSpec),
		"app/kustomization.yaml": "namespace: apps\nresources: [policy.yaml, repo.yaml]\n",
		pol:                      kustPolicy,
		rep:                      kustRepo,
		"shared/other.yaml":      strings.Replace(kustPolicy, "name: p}", "name: o}", 1),
	})
	var mtimes []time.Time // of q and rep after "write now"
	writeNow := func(t *testing.T, root string) {
		replaceIn(q, "name: q", "name: x")(t, root)
		replaceIn(rep, "acme/r", "acme/s")(t, root)
		mtimes = nil
		for _, n := range []string{q, rep} {
			fi, err := os.Stat(filepath.Join(root, n))
			if err != nil {
				t.Fatal(err)
			}
			mtimes = append(mtimes, fi.ModTime())
		}
	}
	sameTick := func(t *testing.T, root string) {
		replaceIn(q, "name: x", "name: y")(t, root)
		replaceIn(rep, "acme/s", "acme/t")(t, root)
		for i, n := range []string{q, rep} {
			if err := os.Chtimes(filepath.Join(root, n), mtimes[i], mtimes[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if os.Geteuid() == 0 {
		t.Log("running as root: the unreadable files can be read all the same")
	}
	checkCached(t, root, []cacheStep{
		{name: "cold", decodes: -1, builds: 1},
		{name: "warm", decodes: 0, builds: 0, noOpens: true},
		{name: "same size, mtime set back", change: keepMtime(p, replaceIn(p, "acme/api", "acme/apj")), decodes: 1, builds: 0},
		{name: "same size, mtime set back, in a build", change: keepMtime(pol, replaceIn(pol, ">=1.0.0", ">=2.0.0")), decodes: 1, builds: 1},
		{name: "warm after", decodes: 0, builds: 0, noOpens: true},
		{name: "write now", change: writeNow, decodes: 2, builds: 1},
		{name: "same size in the same tick", change: sameTick, decodes: 2, builds: 1},
		{name: "renamed over", change: both(renameOver(p, "acme/apj", "acme/apk"), renameOver(pol, ">=2.0.0", ">=3.0.0")), decodes: 2, builds: 1},
		{name: "symlink in place", change: both(symlinkOver(p, "../shared/other.yaml"), symlinkOver(pol, "../shared/other.yaml")), decodes: -1, builds: 1},
		{name: "unreadable", change: chmod(0, q, rep), decodes: -1, builds: -1},
		{name: "readable again", change: chmod(0o644, q, rep), decodes: -1, builds: -1},
		{name: "aged", change: func(t *testing.T, root string) { age(t, root) }, decodes: -1, builds: -1},
		{name: "warm at the end", decodes: 0, builds: 0, noOpens: true},
	})
}

// TestLoadCachedOpensNoFile: a warm Load of a tree whose files are old
// enough opens none of them; of a tree written just now, it reads every
// file again, since a write in the same timestamp tick could have kept
// each one's stat.
func TestLoadCachedOpensNoFile(t *testing.T) {
	for _, tree := range []string{"charts", "demo", "flux-automations", "flux-e2e", "flux-kustomize", "promotion"} {
		t.Run(tree, func(t *testing.T) {
			root := copyTree(t, filepath.Join("..", "testdata", tree))
			c := NewCache()
			opens := func() int {
				t.Helper()
				before := c.counts().opens
				if _, err := Load(root, WithCache(c)); err != nil {
					t.Fatal(err)
				}
				return c.counts().opens - before
			}
			cold := opens()
			if cold == 0 {
				t.Fatal("cold Load opened no file")
			}
			if got := opens(); got != cold {
				t.Errorf("warm Load of files written just now opened %d files, want %d (all, again)", got, cold)
			}
			age(t, root)
			opens() // stamps changed: read again, now old enough
			if got := opens(); got != 0 {
				t.Errorf("warm Load of old files opened %d files, want 0", got)
			}
		})
	}
}
