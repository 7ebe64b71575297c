package yamlpatch_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/yamlpatch"
	"github.com/hoist-dev/hoist/yamlpatch/internal/benchgen"
)

// childRootEnv, when set, makes the test binary run one Apply on that root
// and exit: BenchmarkApply measures CPU time and peak memory of Apply alone
// from the child's rusage.
const (
	childRootEnv   = "YAMLPATCH_BENCH_CHILD_ROOT"
	childDryRunEnv = "YAMLPATCH_BENCH_CHILD_DRYRUN" // "1": Apply with WithDryRun
	// "1": no Apply; read every file under the root with os.ReadFile (the
	// I/O floor BenchmarkFloor compares Apply with).
	childReadEnv = "YAMLPATCH_BENCH_CHILD_READ"
	// "1" (set it when running the benchmark; children inherit it): Apply
	// with WithInPlaceWrites.
	childInPlaceEnv = "YAMLPATCH_BENCH_INPLACE"
	// "1" (likewise): Apply with WithoutDiff.
	childNoDiffEnv = "YAMLPATCH_BENCH_NODIFF"
)

func TestMain(m *testing.M) {
	if root := os.Getenv(childRootEnv); root != "" && os.Getenv(childReadEnv) == "1" {
		os.Exit(readAllFiles(root))
	}
	if root := os.Getenv(childRootEnv); root != "" {
		var opts []yamlpatch.Option
		if os.Getenv(childDryRunEnv) == "1" {
			opts = append(opts, yamlpatch.WithDryRun())
		}
		if os.Getenv(childInPlaceEnv) == "1" {
			opts = append(opts, yamlpatch.WithInPlaceWrites())
		}
		if os.Getenv(childNoDiffEnv) == "1" {
			opts = append(opts, yamlpatch.WithoutDiff())
		}
		res, err := yamlpatch.Apply(root, benchgen.Refs(), opts...)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		json.NewEncoder(os.Stdout).Encode(map[string]int{"changes": len(res.Changes), "problems": len(res.Problems)})
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// readAllFiles reads every regular file under root, printing the count as
// the child's output, and returns the exit code.
func readAllFiles(root string) int {
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		n++
		_, err = os.ReadFile(path)
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	json.NewEncoder(os.Stdout).Encode(map[string]int{"files": n})
	return 0
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
// of 1,000 and 10,000 files with 1% and 100% of them marked, writing files
// and (dry-run) not writing them. Besides ns/op (wall time including the
// child's start), it reports the child's CPU time (user+system, and each),
// its peak RSS, and the peak RSS of a child applying to an empty tree (the
// process baseline).
func BenchmarkApply(b *testing.B) {
	base := runChild(b, b.TempDir(), false)
	for _, files := range []int{1000, 10000} {
		for _, pct := range []int{1, 100} {
			for _, dry := range []bool{false, true} {
				name := fmt.Sprintf("files=%d/marked=%d%%/write", files, pct)
				if dry {
					name = strings.TrimSuffix(name, "write") + "dry-run"
				}
				b.Run(name, func(b *testing.B) { benchApply(b, files, pct, dry, base) })
			}
		}
	}
}

func benchApply(b *testing.B, files, pct int, dry bool, base childUsage) {
	var sum childUsage
	for range b.N {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "repo")
		want, err := benchgen.Generate(dir, files, pct)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		u := runChild(b, dir, dry)
		b.StopTimer()
		if u.changes != want || u.problems != 0 {
			b.Fatalf("child made %d changes, %d problems; want %d, 0", u.changes, u.problems, want)
		}
		sum.user += u.user
		sum.sys += u.sys
		sum.maxRSS = max(sum.maxRSS, u.maxRSS)
		sum.changes = u.changes
	}
	n := float64(b.N)
	b.ReportMetric((sum.user+sum.sys).Seconds()/n, "cpu-s/op")
	b.ReportMetric(sum.user.Seconds()/n, "user-s/op")
	b.ReportMetric(sum.sys.Seconds()/n, "sys-s/op")
	b.ReportMetric(float64(sum.maxRSS)/(1<<20), "peak-MB")
	b.ReportMetric(float64(base.maxRSS)/(1<<20), "base-MB")
	b.ReportMetric(float64(sum.changes), "changes")
}

type childUsage struct {
	user, sys         time.Duration
	maxRSS            int64 // bytes
	changes, problems int
	files             int // files read (the read child)
}

func runChild(b *testing.B, root string, dry bool, env ...string) childUsage {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childRootEnv+"="+root)
	if dry {
		cmd.Env = append(cmd.Env, childDryRunEnv+"=1")
	}
	cmd.Env = append(cmd.Env, env...)
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
		user:    time.Duration(syscall.TimevalToNsec(ru.Utime)),
		sys:     time.Duration(syscall.TimevalToNsec(ru.Stime)),
		maxRSS:  ru.Maxrss * 1024, // Linux reports KiB
		changes: counts["changes"], problems: counts["problems"], files: counts["files"],
	}
}

// BenchmarkFloor compares Apply with the I/O floor on a generated tree of
// 10,000 files with 1% of them marked: a child that only reads every file
// (read), and children that Apply in dry-run and writing (in place with
// YAMLPATCH_BENCH_INPLACE=1). It reports each child's CPU time and, for
// Apply, cpu-x-read: its CPU time over the read child's in the same run.
func BenchmarkFloor(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "repo")
	if _, err := benchgen.Generate(dir, 10000, 1); err != nil {
		b.Fatal(err)
	}
	var floor time.Duration
	b.Run("read", func(b *testing.B) {
		var sum childUsage
		for range b.N {
			u := runChild(b, dir, false, childReadEnv+"=1")
			if u.files < 10000 {
				b.Fatalf("child read %d files, want 10000", u.files)
			}
			sum.user, sum.sys = sum.user+u.user, sum.sys+u.sys
		}
		floor = (sum.user + sum.sys) / time.Duration(b.N)
		reportCPU(b, sum)
	})
	for _, dry := range []bool{true, false} {
		name := map[bool]string{true: "apply-dry-run", false: "apply-write"}[dry]
		b.Run(name, func(b *testing.B) {
			var sum childUsage
			for range b.N {
				b.StopTimer()
				work := filepath.Join(b.TempDir(), "repo")
				want, err := benchgen.Generate(work, 10000, 1)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				u := runChild(b, work, dry)
				if u.changes != want || u.problems != 0 {
					b.Fatalf("child made %d changes, %d problems; want %d, 0", u.changes, u.problems, want)
				}
				sum.user, sum.sys = sum.user+u.user, sum.sys+u.sys
			}
			reportCPU(b, sum)
			if floor > 0 {
				b.ReportMetric(float64(sum.user+sum.sys)/float64(b.N)/float64(floor), "cpu-x-read")
			}
		})
	}
}

func reportCPU(b *testing.B, sum childUsage) {
	n := float64(b.N)
	b.ReportMetric((sum.user+sum.sys).Seconds()/n, "cpu-s/op")
	b.ReportMetric(sum.user.Seconds()/n, "user-s/op")
	b.ReportMetric(sum.sys.Seconds()/n, "sys-s/op")
}
