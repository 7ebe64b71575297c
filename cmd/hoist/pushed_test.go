package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hoist-dev/hoist/registry"
)

// TestPushedScannerListsOnlyPushedImages: a webhook's pass lists the pushed
// image afresh, takes a cached image's tags from the cache (missing what was
// pushed since, until a full pass) and lists an image the cache lacks.
func TestPushedScannerListsOnlyPushedImages(t *testing.T) {
	w := newWorld(t, nil)
	pushDemoTags(t, w)
	sc, err := registry.New(registry.WithHost(w.reg.Host, registry.HostConfig{Insecure: true}),
		registry.WithCache(filepath.Join(t.TempDir(), "cache.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	ctx := context.Background()
	api, web, worker := w.reg.Repo("acme/api"), w.reg.Repo("acme/web"), w.reg.Repo("acme/worker")
	for _, img := range []string{api, web} {
		if _, err := sc.ListTags(ctx, img); err != nil {
			t.Fatal(err)
		}
	}
	w.push(t, "acme/api", "9.0.0")
	w.push(t, "acme/web", "9.0.0")

	ps := newPushedScanner(sc, []string{api})
	for img, want := range map[string]bool{api: true, web: false, worker: false} {
		l, err := ps.ListTags(ctx, img)
		if err != nil {
			t.Fatalf("ListTags(%s): %v", img, err)
		}
		if got := slices.Contains(l.Tags, "9.0.0"); got != want {
			t.Errorf("%s: has the new tag = %v, want %v (tags %v)", img, got, want, l.Tags)
		}
		if img == worker && len(l.Tags) != 3 {
			t.Errorf("%s (not cached) tags = %v, want its 3 tags listed", img, l.Tags)
		}
	}
	if n := sc.Stats().TagLists; n != 4 {
		t.Errorf("tag lists fetched = %d, want 4 (2 to fill the cache, then api and the uncached worker)", n)
	}
}
