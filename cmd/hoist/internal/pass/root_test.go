package pass

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/demo"
	"github.com/hoist-dev/hoist/registry"
)

func TestRoot(t *testing.T) {
	wt := t.TempDir()
	outside := t.TempDir()
	writeFiles(t, wt, map[string]string{"apps/prod/a.yaml": "a: 1\n", "file.yaml": "x: 1\n"})
	writeFiles(t, outside, map[string]string{"prod/a.yaml": "a: 1\n"})
	for link, target := range map[string]string{
		"clusters":   outside,                   // absolute link out
		"up":         "..",                      // relative link out
		"apps/inner": "prod",                    // link that stays inside
		"loop":       filepath.Join(wt, "apps"), // absolute link back inside
	} {
		if err := os.Symlink(target, filepath.Join(wt, link)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		path    string
		want    string // relative to wt; "" means an error
		outside bool
	}{
		{path: "", want: "."},
		{path: "apps/prod", want: "apps/prod"},
		{path: "apps/inner", want: "apps/prod"},
		{path: "loop/prod", want: "apps/prod"},
		{path: "clusters/prod", outside: true},
		{path: "clusters", outside: true},
		{path: "up", outside: true},
		{path: "../" + filepath.Base(outside), outside: true},
		{path: "apps/../../x"},
		{path: "/etc"},
		{path: "missing"},
		{path: "file.yaml"},
	} {
		got, err := Root(wt, tc.path)
		if tc.want == "" {
			if err == nil {
				t.Errorf("Root(%q) = %q, want an error", tc.path, got)
			} else if errors.Is(err, ErrOutsideWorktree) != tc.outside {
				t.Errorf("Root(%q) error %v: outside = %v, want %v", tc.path, err, !tc.outside, tc.outside)
			}
			continue
		}
		base, _ := filepath.EvalSymlinks(wt)
		if err != nil || got != filepath.Join(base, tc.want) {
			t.Errorf("Root(%q) = %q, %v; want %q", tc.path, got, err, filepath.Join(base, tc.want))
		}
	}
}

// TestRunRefusesPathThroughSymlink is the hardening issue's repro: a
// repository holding only "clusters -> /outside" and a pass with path
// clusters/prod must fail, loading and rewriting nothing outside.
func TestRunRefusesPathThroughSymlink(t *testing.T) {
	ctx := context.Background()
	reg := demo.StartRegistry()
	defer reg.Close()
	if err := reg.Push(ctx, "acme/app", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	img := reg.Host() + "/acme/app"
	outside := t.TempDir()
	victim := "image: " + img + ":1.0.0 # {\"$imagepolicy\": \"app\"}\n"
	writeFiles(t, outside, map[string]string{
		"prod/policy.yaml": strings.ReplaceAll(policyFile("app", "Never"), "IMG", img),
		"prod/deploy.yaml": victim,
	})
	wt := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(wt, "clusters")); err != nil {
		t.Fatal(err)
	}
	sc, err := registry.New(registry.WithHost(reg.Host(), registry.HostConfig{Insecure: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	_, err = Run(ctx, wt, sc, Options{Path: "clusters/prod"})
	if !errors.Is(err, ErrOutsideWorktree) {
		t.Fatalf("Run through a symlink out of the worktree: err = %v, want ErrOutsideWorktree", err)
	}
	got, _ := os.ReadFile(filepath.Join(outside, "prod/deploy.yaml"))
	if string(got) != victim {
		t.Errorf("the file outside the worktree was rewritten:\n%s", got)
	}
}
