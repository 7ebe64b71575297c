package registry_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/registry/registrytest"
	"golang.org/x/sync/errgroup"
)

// scanPass lists the tags of every repository, 16 at a time, as a pass does.
func scanPass(b *testing.B, sc *registry.Scanner, repos []string, wantTags int) {
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(16)
	for _, r := range repos {
		g.Go(func() error {
			tags, err := sc.Tags(ctx, r)
			if err == nil && len(tags) != wantTags {
				err = fmt.Errorf("%s has %d tags, want %d", r, len(tags), wantTags)
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkScanPass scans 1,000 repositories x 100 tags on a real
// distribution registry, no rate limit. It reports the requests of the first
// pass (with the ping) and of each later pass.
func BenchmarkScanPass(b *testing.B) {
	const nRepos, nTags = 1000, 100
	s := registrytest.Start(b)
	d := registrytest.Push(b, s.Repo("bench/seed:1"), time.Now(), s.RemoteOptions()...)
	repos := make([]string, nRepos)
	tags := tagNames("v", nTags)
	for i := range repos {
		path := fmt.Sprintf("bench/app%04d", i)
		s.SeedTags(b, path, d, tags)
		repos[i] = s.Repo(path)
	}
	sc, err := registry.New(registry.WithHost(s.Host, registry.HostConfig{Insecure: true, RPS: -1, MaxConcurrent: 16}))
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close()
	start := time.Now()
	scanPass(b, sc, repos, nTags)
	firstTime := time.Since(start)
	before := sc.Stats().Total()
	for b.Loop() {
		scanPass(b, sc, repos, nTags)
	}
	b.ReportMetric(float64(before), "first-pass-requests")
	b.ReportMetric(firstTime.Seconds(), "first-pass-s")
	b.ReportMetric(float64(sc.Stats().Total()-before)/float64(b.N), "requests/pass")
}

// BenchmarkBuildTimes reads build times of 100 tags over 10 digests: the
// first call fetches manifests and new configs, later calls hit the cache.
func BenchmarkBuildTimes(b *testing.B) {
	s := registrytest.Start(b)
	var tags []string
	for i := range 10 {
		seed := fmt.Sprintf("seed%d", i)
		registrytest.Push(b, s.Repo("bench/bt:"+seed), time.Now().Add(time.Duration(i)*time.Hour), s.RemoteOptions()...)
		more := tagNames(fmt.Sprintf("d%d-", i), 9)
		s.Tag(b, s.Repo("bench/bt:"+seed), more)
		tags = append(tags, append(more, seed)...)
	}
	sc, err := registry.New(registry.WithHost(s.Host, registry.HostConfig{Insecure: true, RPS: -1}))
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close()
	if _, err := sc.BuildTimes(context.Background(), s.Repo("bench/bt"), tags); err != nil {
		b.Fatal(err)
	}
	st := sc.Stats()
	for b.Loop() {
		if _, err := sc.BuildTimes(context.Background(), s.Repo("bench/bt"), tags); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Total()), "first-call-requests")
	b.ReportMetric(float64(st.BuildTimeFetches), "first-call-config-fetches")
	b.ReportMetric(float64(sc.Stats().Total()-st.Total())/float64(b.N), "requests/call")
}
