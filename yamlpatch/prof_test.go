package yamlpatch_test

import (
	"path/filepath"
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
