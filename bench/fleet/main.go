// Command hoist-bench-fleet measures `hoist run` at fleet scale: an
// in-process registry serving many repositories and tags, generated config
// repositories (local bare git repositories) with their policies and
// markers, and the real hoist binary running over them with a webhook
// endpoint. It prints a Markdown table of the figures: RSS and Go heap in
// steady state, CPU seconds and registry requests per scan cycle with
// nothing new, the first full scan's time, and push→commit latency of
// webhooks. It is a benchmark, not a test: nothing here runs under
// `go test`.
//
// Usage (from the module root):
//
//	go run ./bench/fleet            # 5,000 repositories, 2,000,000 tags, 300 apps, 10,000 files
//	go run ./bench/fleet -small     # 500 / 200,000 / 30 / 1,000: under two minutes
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// benchFlags are the run's parameters.
type benchFlags struct {
	repos, tags, apps, files, configs int
	schedule                          string
	cycles                            int
	webhooks                          int
	rate                              float64
	debounce                          time.Duration
	hookTimeout                       time.Duration
	hoistBin                          string
	keep                              bool
	out                               string
	cpuProfile                        string
	noCache                           bool
	perfDir                           string
	noKust                            bool
	pprofDir                          string
}

func (f *benchFlags) bind(fs *flag.FlagSet, small *bool) {
	fs.IntVar(&f.repos, "repos", 5000, "image repositories on the registry")
	fs.IntVar(&f.tags, "tags", 2000000, "tags in all repositories together")
	fs.IntVar(&f.apps, "apps", 300, "apps in the config repositories")
	fs.IntVar(&f.files, "files", 10000, "files in the config repositories")
	fs.IntVar(&f.configs, "config-repos", 1, "config repositories the apps are spread over")
	fs.StringVar(&f.schedule, "schedule", "@every 30s", "schedule of every config repository")
	fs.IntVar(&f.cycles, "cycles", 2, "steady-state scan cycles measured (0: none, for a webhook-only run with a long schedule)")
	fs.IntVar(&f.webhooks, "webhooks", 50, "webhooks sent (0 skips the webhook phase)")
	fs.Float64Var(&f.rate, "rate", 5, "webhooks per second")
	fs.DurationVar(&f.debounce, "debounce", 200*time.Millisecond, "hoist run --debounce (its default is 200ms)")
	fs.DurationVar(&f.hookTimeout, "hook-timeout", 3*time.Minute, "how long the webhook phase waits for commits")
	fs.StringVar(&f.hoistBin, "hoist", "", "hoist binary (default: build ./cmd/hoist)")
	fs.BoolVar(&f.keep, "keep", false, "keep the work directory (repositories, state, hoist.log)")
	fs.StringVar(&f.out, "out", "", "also write the Markdown report to this file")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "instead of the daemon run: profile an in-process scan cycle (tag listing and selection) to this file")
	fs.BoolVar(&f.noCache, "nocache", false, "with -cpuprofile: keep tags in memory instead of the daemon's bbolt tag cache")
	fs.StringVar(&f.perfDir, "perf", "", "record the daemon with Linux perf into this directory: cycles.perf (steady state) and webhooks.perf")
	fs.StringVar(&f.pprofDir, "pprof", "", "run the daemon with --pprof-listen and save its heap profile after the cycles and after the webhooks into this directory (go tool pprof -sample_index=inuse_space DIR/cycles.heap)")
	fs.BoolVar(&f.noKust, "no-kustomizations", false, "apps without kustomization.yaml (hoist then builds no kustomization)")
	fs.BoolVar(small, "small", false, "the README's small run: 500 repositories, 200,000 tags, 30 apps, 1,000 files")
}

// applySmall sets the small run's sizes where no flag set them.
func (f *benchFlags) applySmall(set map[string]bool) {
	for name, p := range map[string]*int{"repos": &f.repos, "tags": &f.tags, "apps": &f.apps, "files": &f.files} {
		if set[name] {
			continue
		}
		*p = map[string]int{"repos": 500, "tags": 200000, "apps": 30, "files": 1000}[name]
	}
}

func (f *benchFlags) check() error {
	switch {
	case f.repos <= 0 || f.apps <= 0 || f.configs <= 0 || f.cycles < 0:
		return fmt.Errorf("repos, apps and config-repos must be positive, cycles not negative")
	case f.tags < f.repos:
		return fmt.Errorf("tags (%d) must be at least repos (%d)", f.tags, f.repos)
	case f.configs > f.apps:
		return fmt.Errorf("config-repos (%d) must not exceed apps (%d)", f.configs, f.apps)
	case f.files < 4*f.apps:
		return fmt.Errorf("files (%d) must be at least 4 per app (%d)", f.files, 4*f.apps)
	case f.rate <= 0:
		return fmt.Errorf("rate must be positive")
	}
	return nil
}

func main() {
	var f benchFlags
	var small bool
	f.bind(flag.CommandLine, &small)
	flag.Parse()
	if small {
		set := map[string]bool{}
		flag.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		f.applySmall(set)
	}
	if err := f.check(); err != nil {
		fmt.Fprintln(os.Stderr, "hoist-bench-fleet:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, f); err != nil {
		fmt.Fprintln(os.Stderr, "hoist-bench-fleet:", err)
		os.Exit(1)
	}
}
