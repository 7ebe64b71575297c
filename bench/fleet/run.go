package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// cycle is what one steady-state scan cycle cost.
type cycle struct {
	cpu      float64 // process CPU seconds
	requests int64   // registry requests served
	lists    int64   // of which tag list pages
	passSecs float64 // mean pass duration
	wall     time.Duration
	scrapes  int // /metrics scrapes by the bench during the cycle
}

// results are the figures of one run.
type results struct {
	genTime     time.Duration
	firstScan   time.Duration // start to /readyz
	firstPass   float64       // hoist_pass_duration_seconds of the first passes
	firstReqs   int64
	expected    int // repositories + extra pages
	cycles      []cycle
	rss, heap   float64 // after the last cycle
	maxRSS      float64 // the most seen while measuring
	maxHeap     float64
	events      []*pushEvent
	hookRSS     float64 // after the webhook phase
	commits     float64
	passErrors  float64
	totalTags   int
	hookSkipped bool
	loadBefore  string  // uptime's load averages at the start
	scrapeCPU   float64 // CPU seconds of one /metrics scrape
	scrapeBytes int     // size of one /metrics answer
}

func run(ctx context.Context, f benchFlags) error {
	dir, err := os.MkdirTemp("", "hoist-bench-fleet-")
	if err != nil {
		return fmt.Errorf("creating work dir: %w", err)
	}
	if f.keep {
		fmt.Fprintln(os.Stderr, "work dir:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	reg := newFakeRegistry(f.repos, f.tags)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	srv := &http.Server{Handler: reg, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	l := fleetLayout{host: ln.Addr().String(), reg: reg, repos: f.repos, apps: f.apps, files: f.files, config: f.configs, noKust: f.noKust}
	if f.cpuProfile != "" {
		return profileScan(ctx, l, dir, f.cpuProfile, !f.noCache)
	}
	res := &results{totalTags: reg.totalTags(), expected: expectedRequests(reg), loadBefore: loadAvg()}
	t0 := time.Now()
	bares, err := l.writeConfigRepos(ctx, dir)
	if err != nil {
		return err
	}
	res.genTime = time.Since(t0)
	progress("generated %d config repositories in %s", len(bares), res.genTime.Round(time.Millisecond))
	bin, err := hoistBinary(ctx, f.hoistBin, dir)
	if err != nil {
		return err
	}
	if err := measure(ctx, f, l, bares, bin, dir, res); err != nil {
		return err
	}
	report := markdown(f, l, res)
	fmt.Print(report)
	if f.out != "" {
		return os.WriteFile(f.out, []byte(report), 0o644)
	}
	return nil
}

// measure runs the daemon and fills res.
func measure(ctx context.Context, f benchFlags, l fleetLayout, bares []string, bin, dir string, res *results) error {
	secret := []byte("fleet-bench-webhook-secret")
	secretFile := filepath.Join(dir, "hook-secret")
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(secretFile, secret, 0o600); err != nil {
		return fmt.Errorf("writing secret: %w", err)
	}
	if err := os.WriteFile(config, []byte(serviceConfig(bares, l.host, f.schedule, secretFile)), 0o600); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	before := l.reg.requests()
	h, err := startHoist(ctx, bin, dir, config, f.debounce, f.pprofDir != "")
	if err != nil {
		return err
	}
	defer h.stop()
	rec, err := newPerfRecorder(f.perfDir, h.cmd.Process.Pid)
	if err != nil {
		return err
	}
	defer rec.stop()
	s := &sampler{h: h, res: res, every: 500 * time.Millisecond}
	m, err := s.waitFirst(ctx, len(bares))
	if err != nil {
		return err
	}
	res.firstScan = time.Since(h.start)
	res.firstPass = m["hoist_pass_duration_seconds_sum"]
	res.firstReqs = l.reg.requests() - before
	res.rss, res.heap = m["process_resident_memory_bytes"], m["go_memstats_heap_inuse_bytes"] // until a cycle ends
	progress("first passes done in %s (%d registry requests)", res.firstScan.Round(time.Millisecond), res.firstReqs)
	// Scrape like Prometheus would (every 15 s or so), not much more: a
	// scrape of thousands of per-image series costs CPU of its own.
	s.every = 2 * time.Second
	if err := rec.start("cycles"); err != nil {
		return err
	}
	if err := s.cycles(ctx, l.reg, m, f.cycles, len(bares)); err != nil {
		return err
	}
	rec.stop()
	if err := h.saveHeap(f.pprofDir, "cycles.heap"); err != nil {
		return err
	}
	if err := s.scrapeCost(); err != nil {
		return err
	}
	if f.webhooks > 0 {
		w := &webhookRun{l: l, bares: bares, url: h.base + "/hooks/generic", secret: secret}
		if err := rec.start("webhooks"); err != nil {
			return err
		}
		res.events, err = w.run(ctx, f.webhooks, f.rate, f.hookTimeout)
		rec.stop()
		if err != nil {
			return err
		}
		if err := h.saveHeap(f.pprofDir, "webhooks.heap"); err != nil {
			return err
		}
	} else {
		res.hookSkipped = true
	}
	end, err := s.settle(ctx, landings(res.events))
	if err != nil {
		return err
	}
	res.hookRSS = end["process_resident_memory_bytes"]
	res.commits, res.passErrors = end["hoist_commits_total"], end["hoist_errors_total"]
	return nil
}

// sampler follows the daemon's metrics while the bench waits on it.
type sampler struct {
	h       *hoistd
	res     *results
	every   time.Duration // between scrapes
	scrapes int           // scrapes so far
}

// poll scrapes the metrics, noting the most RSS and heap seen.
func (s *sampler) poll() (map[string]float64, error) {
	m, err := s.h.metrics()
	if err != nil {
		return nil, err
	}
	s.scrapes++
	s.res.maxRSS = max(s.res.maxRSS, m["process_resident_memory_bytes"])
	s.res.maxHeap = max(s.res.maxHeap, m["go_memstats_heap_inuse_bytes"])
	return m, nil
}

// waitPasses polls every s.every until hoist_passes_total reaches want.
func (s *sampler) waitPasses(ctx context.Context, want float64) (map[string]float64, error) {
	for {
		m, err := s.poll()
		if err != nil {
			return nil, err
		}
		if m["hoist_passes_total"] >= want {
			return m, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case err := <-s.h.done:
			return nil, fmt.Errorf("hoist exited: %v", err)
		case <-time.After(s.every):
		}
	}
}

// waitFirst waits for the first pass of every config repository.
func (s *sampler) waitFirst(ctx context.Context, repos int) (map[string]float64, error) {
	m, err := s.waitPasses(ctx, float64(repos))
	if err != nil {
		return nil, err
	}
	for !s.h.ready() {
		time.Sleep(50 * time.Millisecond)
	}
	return m, nil
}

// cycles measures n scheduled cycles (a pass of every config repository)
// from the snapshot m taken at the end of the previous one.
func (s *sampler) cycles(ctx context.Context, reg *fakeRegistry, m map[string]float64, n, repos int) error {
	prevReqs, prevLists, prevAt, prevScrapes := reg.requests(), reg.lists.Load(), time.Now(), s.scrapes
	for k := range n {
		next, err := s.waitPasses(ctx, m["hoist_passes_total"]+float64(repos))
		if err != nil {
			return err
		}
		reqs, lists, at := reg.requests(), reg.lists.Load(), time.Now()
		c := cycle{cpu: next["process_cpu_seconds_total"] - m["process_cpu_seconds_total"],
			requests: reqs - prevReqs, lists: lists - prevLists, wall: at.Sub(prevAt), scrapes: s.scrapes - prevScrapes}
		if dn := next["hoist_pass_duration_seconds_count"] - m["hoist_pass_duration_seconds_count"]; dn > 0 {
			c.passSecs = (next["hoist_pass_duration_seconds_sum"] - m["hoist_pass_duration_seconds_sum"]) / dn
		}
		s.res.cycles = append(s.res.cycles, c)
		s.res.rss, s.res.heap = next["process_resident_memory_bytes"], next["go_memstats_heap_inuse_bytes"]
		progress("cycle %d: %.2f CPU-s, %d requests, pass %.2fs", k+1, c.cpu, c.requests, c.passSecs)
		m, prevReqs, prevLists, prevAt, prevScrapes = next, reqs, lists, at, s.scrapes
	}
	return nil
}

// settle scrapes the metrics once the daemon has counted the commits seen
// on the branches (it counts a pass after its push lands), or after 10 s.
func (s *sampler) settle(ctx context.Context, commits int) (map[string]float64, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := s.h.metrics()
		if err != nil || m["hoist_commits_total"] >= float64(commits) || time.Now().After(deadline) {
			return m, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// scrapeCost measures the CPU of one /metrics scrape (20 in a row, between
// two more), as the figures per cycle include the bench's own scrapes.
func (s *sampler) scrapeCost() error {
	const n = 20
	first, err := s.h.metrics()
	if err != nil {
		return err
	}
	for range n {
		if _, err := s.h.metrics(); err != nil {
			return err
		}
	}
	last, err := s.h.metrics()
	if err != nil {
		return err
	}
	s.res.scrapeCPU = (last["process_cpu_seconds_total"] - first["process_cpu_seconds_total"]) / (n + 1)
	s.res.scrapeBytes, err = s.h.metricsSize()
	return err
}

// expectedRequests is what a cycle should cost: a page per 1,000 tags of
// each repository (hoist asks n=1000; distribution's default maximum).
func expectedRequests(reg *fakeRegistry) int {
	reg.mu.RLock()
	defer reg.mu.RUnlock()
	n := 0
	for _, c := range reg.counts {
		n += (c + reg.maxPage - 1) / reg.maxPage
	}
	return n
}

// hoistBinary returns bin, or builds ./cmd/hoist of the module the bench
// runs in.
func hoistBinary(ctx context.Context, bin, dir string) (string, error) {
	if bin != "" {
		return bin, nil
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" || strings.TrimSpace(string(out)) == os.DevNull {
		return "", errors.New("not inside the hoist module: run from its root or pass -hoist")
	}
	bin = filepath.Join(dir, "hoist")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/hoist")
	build.Dir = filepath.Dir(strings.TrimSpace(string(out)))
	if msg, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building hoist: %w: %s", err, msg)
	}
	return bin, nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
