package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// usage is one child's measured run.
type usage struct {
	user, sys, wall time.Duration
	maxRSS          int64 // bytes, the child's rusage
	hwm             int64 // bytes, the child's own VmHWM
	report          childReport
}

func (u usage) cpu() time.Duration { return u.user + u.sys }

// treeResult is every contender's best run on one tree, and how their
// outputs compare.
type treeResult struct {
	pct     int
	gen     generated
	runs    map[string]usage
	orig    string            // the generated tree
	outputs map[string]string // each contender's tree, after its last run
	changed map[string]int    // files whose bytes the contender changed
	diffs   []comparison
}

func run(ctx context.Context, w io.Writer, f benchFlags) error {
	work := f.workDir
	if work == "" {
		d, err := os.MkdirTemp("", "fluxpeer-")
		if err != nil {
			return err
		}
		work = d
	}
	if !f.keep {
		defer os.RemoveAll(work)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this binary: %w", err)
	}
	if f.hoist == "" {
		if f.hoist, err = hoistRoot(ctx); err != nil {
			return err
		}
	}
	loadBefore := loadAvg()
	// Every run comes before any comparison, which reads whole trees into
	// this process: a child's rusage peak RSS counts its parent's at the
	// fork.
	var results []treeResult
	for _, pct := range f.marked {
		r, err := benchTree(ctx, self, filepath.Join(work, fmt.Sprintf("marked-%d", pct)), f, pct)
		if err != nil {
			return fmt.Errorf("tree with %d%% marked: %w", pct, err)
		}
		results = append(results, r)
	}
	loadAfter := loadAvg()
	for i := range results {
		if err := compareOutputs(&results[i]); err != nil {
			return fmt.Errorf("tree with %d%% marked: %w", results[i].pct, err)
		}
	}
	rep := report(results, f, loadBefore, loadAfter)
	if f.out != "" {
		if err := os.WriteFile(f.out, []byte(rep), 0o644); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, rep)
	return err
}

// benchTree generates one tree under dir and runs every contender f.count
// times on fresh copies of it.
func benchTree(ctx context.Context, self, dir string, f benchFlags, pct int) (treeResult, error) {
	orig, refs := filepath.Join(dir, "generated"), filepath.Join(dir, "refs.json")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return treeResult{}, err
	}
	gen, err := generate(ctx, f.hoist, orig, f.files, pct, refs)
	if err != nil {
		return treeResult{}, err
	}
	res := treeResult{pct: pct, gen: gen, runs: map[string]usage{}, orig: orig,
		outputs: map[string]string{}, changed: map[string]int{}}
	for i := range f.count {
		for _, c := range contenders {
			out := filepath.Join(dir, slug(c))
			u, err := runOnCopy(ctx, self, c, orig, out, refs)
			if err != nil {
				return treeResult{}, fmt.Errorf("%s (run %d): %w", c, i+1, err)
			}
			if best, ok := res.runs[c]; !ok || u.cpu() < best.cpu() {
				res.runs[c] = u
			}
			res.outputs[c] = out
		}
	}
	return res, nil
}

func slug(c string) string { return strings.ReplaceAll(c, " ", "-") }

// runOnCopy copies orig to out (replacing it) and runs contender c on it
// in a child process.
func runOnCopy(ctx context.Context, self, c, orig, out, refs string) (usage, error) {
	if err := os.RemoveAll(out); err != nil {
		return usage{}, err
	}
	if err := copyTree(orig, out); err != nil {
		return usage{}, fmt.Errorf("copying the tree: %w", err)
	}
	return runChild(ctx, self, c, out, refs)
}

func runChild(ctx context.Context, self, c, root, refs string) (usage, error) {
	debug.FreeOSMemory() // see run: the child's peak counts ours
	cmd := exec.CommandContext(ctx, self, childCmd, c, root, refs)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	if err != nil {
		return usage{}, fmt.Errorf("child: %w", err)
	}
	var rep childReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return usage{}, fmt.Errorf("child output %q: %w", out, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return usage{
		user:   time.Duration(syscall.TimevalToNsec(ru.Utime)),
		sys:    time.Duration(syscall.TimevalToNsec(ru.Stime)),
		wall:   wall,
		maxRSS: ru.Maxrss * 1024, // Linux reports KiB
		hwm:    rep.HWMKiB * 1024,
		report: rep,
	}, nil
}

// loadAvg is the first three fields of /proc/loadavg, or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func parsePercents(s string) ([]int, error) {
	var ps []int
	for _, f := range strings.Split(s, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || p < 1 || p > 100 {
			return nil, fmt.Errorf("percent %q: want 1..100", f)
		}
		ps = append(ps, p)
	}
	return ps, nil
}
