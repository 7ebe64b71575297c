package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/registry"
)

// profileScan profiles, in this process, what a steady-state cycle of
// `hoist run` does for the registry stage (which does not serve pprof): it
// lists every repository's tags through registry.Scanner with the daemon's
// settings (4 at a time, as a pass does, with the tag cache in dir) and selects a tag per policy with
// policy.Select. A first cycle warms up; the second is profiled.
func profileScan(ctx context.Context, l fleetLayout, dir, path string, cache bool) error {
	opts := []registry.Option{registry.WithHost(l.host, registry.HostConfig{Insecure: true, RPS: 100000, Burst: 1000, MaxConcurrent: 16})}
	if cache {
		opts = append(opts, registry.WithCache(filepath.Join(dir, "cache.db")))
	}
	sc, err := registry.New(opts...)
	if err != nil {
		return err
	}
	defer sc.Close()
	ps := make([]*policy.Policy, l.repos)
	for i := range ps {
		if ps[i], err = policy.New(fmt.Sprintf("app:svc-%05d", i), policy.Spec{Image: l.image(i), Rule: "semver", Range: ">=1.0.0"}); err != nil {
			return err
		}
	}
	if _, err := scanCycle(ctx, sc, ps, ""); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating profile: %w", err)
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		return fmt.Errorf("starting profile: %w", err)
	}
	start := time.Now()
	n, err := scanCycle(ctx, sc, ps, path+".heap")
	pprof.StopCPUProfile()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	progress("profiled cycle (tag cache %v): %d tags, %s, heap in use %d MiB; CPU profile in %s, heap profile (all tags held, before selection) in %s.heap",
		cache, n, time.Since(start).Round(time.Millisecond), ms.HeapInuse>>20, path, path)
	return err
}

// scanCycle lists the tags of every policy's image and selects; it returns
// the tags seen. With heapPath set, it writes a heap profile there once
// every tag is held, as a pass holds them before selection.
func scanCycle(ctx context.Context, sc *registry.Scanner, ps []*policy.Policy, heapPath string) (int, error) {
	lists := make([][]string, len(ps))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, p := range ps {
		g.Go(func() error {
			l, err := sc.ListTags(gctx, p.Image)
			lists[i] = l.Tags
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	tags := make(map[string][]policy.Tag, len(ps))
	n := 0
	for i, p := range ps {
		tags[p.Image] = policy.Tags(lists[i]...)
		n += len(lists[i])
	}
	if heapPath != "" {
		if err := writeHeap(heapPath); err != nil {
			return n, err
		}
	}
	for _, d := range policy.Select(ps, tags) {
		if d.Err != nil {
			return n, d.Err
		}
	}
	return n, nil
}

func writeHeap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating heap profile: %w", err)
	}
	defer f.Close()
	runtime.GC()
	return pprof.Lookup("heap").WriteTo(f, 0)
}
