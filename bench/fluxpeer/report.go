package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// report renders the results as Markdown.
func report(results []treeResult, f benchFlags, loadBefore, loadAfter string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "## yamlpatch beside Flux-style kyaml setters (%d files per tree, best of %d, %d CPUs, %s)\n\n",
		f.files, f.count, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(&sb, "Load average before: %s; after: %s.\n\n", loadBefore, loadAfter)
	sb.WriteString("| tree | contender | user s | sys s | CPU s | wall s | max RSS MB | VmHWM MB | files changed | values changed |\n")
	sb.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range results {
		for _, c := range contenders {
			u := r.runs[c]
			changed := fmt.Sprint(r.changed[c])
			values := fmt.Sprint(u.report.Changes)
			if c == readFloor {
				changed, values = "—", fmt.Sprintf("(%d files read)", u.report.Files)
			}
			fmt.Fprintf(&sb, "| %d%% marked | %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %s | %s |\n",
				r.pct, c, secs(u.user), secs(u.sys), secs(u.cpu()), secs(u.wall), mb(u.maxRSS), mb(u.hwm), changed, values)
		}
	}
	sb.WriteString("\n")
	for _, r := range results {
		writeRatios(&sb, r)
	}
	for _, r := range results {
		writeDiffs(&sb, r)
	}
	return sb.String()
}

func writeRatios(sb *strings.Builder, r treeResult) {
	fl, ip, at, rd := r.runs[flux], r.runs[hoistInPlace], r.runs[hoistAtomic], r.runs[readFloor]
	fmt.Fprintf(sb, "%d%% marked (%d markers): flux/hoist in place: CPU %.1fx, RSS %.1fx; flux/hoist atomic: CPU %.1fx, RSS %.1fx; "+
		"hoist/read floor CPU: in place %.2fx, atomic %.2fx; wall: in place %.2fx.\n",
		r.pct, r.gen.Markers, ratio(fl.cpu(), ip.cpu()), float64(fl.maxRSS)/float64(ip.maxRSS),
		ratio(fl.cpu(), at.cpu()), float64(fl.maxRSS)/float64(at.maxRSS),
		ratio(ip.cpu(), rd.cpu()), ratio(at.cpu(), rd.cpu()), ratio(ip.wall, rd.wall))
	for _, c := range []string{flux, hoistInPlace, hoistAtomic} {
		if p := r.runs[c].report.Problems; p > 0 {
			fmt.Fprintf(sb, "  %s reported %d problems.\n", c, p)
		}
	}
}

func writeDiffs(sb *strings.Builder, r treeResult) {
	for _, d := range r.diffs {
		fmt.Fprintf(sb, "\n%d%% marked: %s vs %s: %d of %d files differ", r.pct, d.a, d.b, d.differing(), d.files)
		if len(d.kinds) == 0 {
			sb.WriteString(" (byte-identical).\n")
			continue
		}
		fmt.Fprintf(sb, ", in %d kinds (numbers and digests masked):\n", len(d.kinds))
		for _, k := range d.kinds {
			fmt.Fprintf(sb, "- %d files like %s (- %s, + %s):\n\n```diff\n", k.files, k.sample, d.a, d.b)
			for _, l := range k.lines {
				writePrefixed(sb, "-", l.a)
				writePrefixed(sb, "+", l.b)
			}
			sb.WriteString("```\n")
			if why := explain(k); why != "" {
				fmt.Fprintf(sb, "\n  Why: %s\n", why)
			}
		}
	}
}

func writePrefixed(sb *strings.Builder, prefix, text string) {
	for _, line := range strings.SplitAfter(text, "\n") {
		if line != "" {
			sb.WriteString(prefix + strings.TrimSuffix(line, "\n") + "\n")
		}
	}
}

func secs(d time.Duration) float64 { return d.Seconds() }
func mb(b int64) float64           { return float64(b) / (1 << 20) }

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// explain names the cause of a kind of difference it recognises.
func explain(k diffKind) string {
	for _, l := range k.lines {
		if l.b != "" || strings.ReplaceAll(l.a, "(empty line)\n", "") != "" {
			return ""
		}
	}
	return "kyaml's writer, which Flux's approach re-serialises every parsed file with, drops blank lines; " +
		"yamlpatch changes only the bytes of the marked values."
}
