package yamlpatch_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

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
