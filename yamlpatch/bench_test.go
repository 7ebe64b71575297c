package yamlpatch_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/yamlpatch"
	"github.com/hoist-dev/hoist/yamlpatch/internal/benchgen"
)

// childRootEnv, when set, makes the test binary run one Apply on that root
// and exit: BenchmarkApply measures CPU time and peak memory of Apply alone
// from the child's rusage.
const childRootEnv = "YAMLPATCH_BENCH_CHILD_ROOT"

func TestMain(m *testing.M) {
	if root := os.Getenv(childRootEnv); root != "" {
		res, err := yamlpatch.Apply(root, benchgen.Refs())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		json.NewEncoder(os.Stdout).Encode(map[string]int{"changes": len(res.Changes), "problems": len(res.Problems)})
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestBenchRepo checks the benchmark's workload: every generated marker is
// found, every one is out of date, and nothing is a problem.
func TestBenchRepo(t *testing.T) {
	for _, pct := range []int{1, 100} {
		dir := t.TempDir()
		n, err := benchgen.Generate(dir, 400, pct)
		if err != nil {
			t.Fatal(err)
		}
		markers, problems, err := yamlpatch.Scan(dir)
		if err != nil || len(problems) != 0 || len(markers) != n || n == 0 {
			t.Fatalf("Scan = %d markers, %v, %v; want %d markers", len(markers), problems, err, n)
		}
		res, err := yamlpatch.Apply(dir, benchgen.Refs())
		if err != nil || len(res.Problems) != 0 || len(res.Changes) != n {
			t.Fatalf("Apply = %d changes, %v, %v; want %d", len(res.Changes), res.Problems, err, n)
		}
	}
}

// BenchmarkApply runs Apply, in a child process, on generated repositories
// of 1,000 and 10,000 files with 1% and 100% of them marked. Besides ns/op
// (wall time including the child's start), it reports the child's CPU time
// (user+system) and peak RSS, and the peak RSS of a child that applies to an
// empty tree (the process baseline).
func BenchmarkApply(b *testing.B) {
	base := runChild(b, b.TempDir())
	for _, files := range []int{1000, 10000} {
		for _, pct := range []int{1, 100} {
			b.Run(fmt.Sprintf("files=%d/marked=%d%%", files, pct), func(b *testing.B) {
				var cpu time.Duration
				var peak int64
				var changes int
				for range b.N {
					b.StopTimer()
					dir := filepath.Join(b.TempDir(), "repo")
					want, err := benchgen.Generate(dir, files, pct)
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					u := runChild(b, dir)
					b.StopTimer()
					if u.changes != want || u.problems != 0 {
						b.Fatalf("child made %d changes, %d problems; want %d, 0", u.changes, u.problems, want)
					}
					cpu += u.cpu
					peak = max(peak, u.maxRSS)
					changes = u.changes
				}
				b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
				b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
				b.ReportMetric(float64(base.maxRSS)/(1<<20), "base-MB")
				b.ReportMetric(float64(changes), "changes")
			})
		}
	}
}

type childUsage struct {
	cpu               time.Duration
	maxRSS            int64 // bytes
	changes, problems int
}

func runChild(b *testing.B, root string) childUsage {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childRootEnv+"="+root)
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	var counts map[string]int
	if err := json.Unmarshal(out, &counts); err != nil {
		b.Fatalf("child output %q: %v", out, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return childUsage{
		cpu:     time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime)),
		maxRSS:  ru.Maxrss * 1024, // Linux reports KiB
		changes: counts["changes"], problems: counts["problems"],
	}
}
