package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// markdown renders the run's parameters and figures.
func markdown(f benchFlags, l fleetLayout, r *results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### hoist run at fleet scale\n\n")
	kust := ""
	if l.noKust {
		kust = " (no kustomization.yaml)"
	}
	fmt.Fprintf(&b, "%d image repositories, %d tags (every 10th repository has 10x the tags), %d config repositor%s, "+
		"%d apps%s, %d files, %d policies (semver), schedule %q, --debounce %s; %s, %d CPUs, load before/after: %s\n\n",
		l.repos, r.totalTags, l.config, plural(l.config, "y", "ies"), l.apps, kust, l.files, l.repos, f.schedule, f.debounce,
		runtime.Version(), runtime.NumCPU(), r.loadBefore+" / "+loadAvg())
	b.WriteString("| figure | measured | target |\n|---|---|---|\n")
	row := func(name, got, target string) { fmt.Fprintf(&b, "| %s | %s | %s |\n", name, got, target) }
	row("first full scan (start to /readyz)", fmt.Sprintf("%.1f s (pass %.1f s, %d requests)", r.firstScan.Seconds(), r.firstPass, r.firstReqs), "")
	for k, c := range r.cycles {
		row(fmt.Sprintf("cycle %d: CPU per scan cycle, nothing new", k+1), fmt.Sprintf("%.2f CPU-s, of which ~%.2f for the bench's %d /metrics scrapes (pass %.2f s, cycle %.0f s)",
			c.cpu, float64(c.scrapes)*r.scrapeCPU, c.scrapes, c.passSecs, c.wall.Seconds()), "")
		row(fmt.Sprintf("cycle %d: registry requests", k+1), fmt.Sprintf("%d (%d tag list pages)", c.requests, c.lists), fmt.Sprintf("%d (repositories + extra pages)", r.expected))
	}
	row("one /metrics scrape", fmt.Sprintf("%.0f CPU-ms, %d KiB", r.scrapeCPU*1000, r.scrapeBytes>>10), "")
	row("RSS, steady state (after last cycle / most seen)", fmt.Sprintf("%s / %s", mib(r.rss), mib(r.maxRSS)), "< 100 MB at 2M tags")
	row("Go heap in use (after last cycle / most seen)", fmt.Sprintf("%s / %s", mib(r.heap), mib(r.maxHeap)), "")
	hookRows(&b, f, r, row)
	fmt.Fprintf(&b, "\ncommits %.0f, failed passes %.0f; config generation %s.\n", r.commits, r.passErrors, r.genTime.Round(time.Millisecond))
	return b.String()
}

func hookRows(b *strings.Builder, f benchFlags, r *results, row func(name, got, target string)) {
	if r.hookSkipped {
		return
	}
	ds, missed := latencies(r.events)
	row(fmt.Sprintf("push→commit, %d webhooks at %g/s: p50 / p99 / max", len(r.events), f.rate),
		fmt.Sprintf("%s / %s / %s", ms(quantile(ds, 0.5)), ms(quantile(ds, 0.99)), ms(quantile(ds, 1))), "p99 < 300 ms")
	row("webhooks not committed within "+f.hookTimeout.String(), fmt.Sprint(missed), "0")
	row("commits that carried them", fmt.Sprint(landings(r.events)), "")
	row("RSS after the webhooks", mib(r.hookRSS), "< 100 MB")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func mib(v float64) string { return fmt.Sprintf("%.0f MiB", v/(1<<20)) }

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

// loadAvg is the 1, 5 and 15 minute load averages, as uptime shows them.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
