package yamlpatch_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/yamlpatch"
	"github.com/hoist-dev/hoist/yamlpatch/internal/benchgen"
)

// BenchmarkApplyInProcess runs Apply in the test process on 1,000 fully
// marked files in dry-run (no writes), for profiling (-cpuprofile, -memprofile) and allocation
// counts (-benchmem).
func BenchmarkApplyInProcess(b *testing.B) {
	for range b.N {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "repo")
		if _, err := benchgen.Generate(dir, 1000, 100); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := yamlpatch.Apply(dir, benchgen.Refs(), yamlpatch.WithDryRun()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLargeFile runs Apply (dry-run) on one 4 MiB file of Deployments
// with one marker, and reports the bytes allocated per byte of input
// (alloc-B/B), with the default verification and with WithFullVerify (a
// second full parse).
func BenchmarkLargeFile(b *testing.B) {
	dir := b.TempDir()
	doc := `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%d
  namespace: apps
  labels: {app: app-%d, tier: backend}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: app
        image: ghcr.io/acme/app:1.0.%d
        args: ["--port", "8080", "--verbose"]
        env:
        - name: MODE
          value: "production"
`
	var sb strings.Builder
	sb.WriteString("image: ghcr.io/acme/api:1.4.2 # {\"$imagepolicy\": \"apps:api\"}\n")
	for i := 0; sb.Len() < 4<<20; i++ {
		fmt.Fprintf(&sb, doc, i, i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "big.yaml"), []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	refs := map[string]yamlpatch.Ref{"apps:api": {Name: "ghcr.io/acme/api", Tag: "1.5.0"}}
	for _, full := range []bool{false, true} {
		b.Run(fmt.Sprintf("fullVerify=%v", full), func(b *testing.B) {
			opts := []yamlpatch.Option{yamlpatch.WithDryRun()}
			if full {
				opts = append(opts, yamlpatch.WithFullVerify())
			}
			b.SetBytes(int64(sb.Len()))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range b.N {
				res, err := yamlpatch.Apply(dir, refs, opts...)
				if err != nil || len(res.Changes) != 1 {
					b.Fatalf("Apply = %v, %v", res, err)
				}
			}
			runtime.ReadMemStats(&after)
			perOp := float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N)
			b.ReportMetric(perOp/float64(sb.Len()), "alloc-B/B")
		})
	}
}

// BenchmarkApplyHeap runs Apply in the test process, writing in place, on
// 10,000 fully marked files, and reports the heap: peak-heap-B (the most
// heap objects held at any time during Apply, sampled every millisecond)
// and retained-B (heap objects still held, after a GC, while the Result
// is live, over the heap before Apply). Use -benchtime=1x.
func BenchmarkApplyHeap(b *testing.B) {
	for _, diff := range []bool{true, false} {
		b.Run(fmt.Sprintf("diff=%v", diff), func(b *testing.B) {
			opts := []yamlpatch.Option{yamlpatch.WithInPlaceWrites()}
			if !diff {
				opts = append(opts, yamlpatch.WithoutDiff())
			}
			var peak, retained uint64
			for range b.N {
				b.StopTimer()
				dir := filepath.Join(b.TempDir(), "repo")
				want, err := benchgen.Generate(dir, 10000, 100)
				if err != nil {
					b.Fatal(err)
				}
				p, r := applyHeap(b, dir, want, opts)
				peak, retained = max(peak, p), max(retained, r)
			}
			b.ReportMetric(float64(peak), "peak-heap-B")
			b.ReportMetric(float64(retained), "retained-B")
		})
	}
}

// applyHeap runs one Apply and returns the peak heap objects during it and
// the heap it retains (after a GC, with the Result live).
func applyHeap(b *testing.B, dir string, want int, opts []yamlpatch.Option) (peak, retained uint64) {
	runtime.GC()
	base := heapObjects()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var p uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			p = max(p, heapObjects())
			select {
			case <-stop:
				done <- p
				return
			case <-t.C:
			}
		}
	}()
	b.StartTimer()
	res, err := yamlpatch.Apply(dir, benchgen.Refs(), opts...)
	b.StopTimer()
	close(stop)
	peak = <-done
	if err != nil || len(res.Changes) != want {
		b.Fatalf("Apply = %d changes, %v; want %d", len(res.Changes), err, want)
	}
	runtime.GC()
	retained = heapObjects() - base
	runtime.KeepAlive(res)
	return peak - base, retained
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
