package registry

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// rssMB reads a memory figure (VmRSS, VmHWM) of this process in MB.
func rssMB(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}

func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

// fillStore puts 1,000 repositories x 1,000 tags (names like real ones),
// 16 repositories at a time as a pass does.
func fillStore(b *testing.B, st store) {
	var g errgroup.Group
	g.SetLimit(16)
	for r := range 1000 {
		g.Go(func() error {
			tags := make([]string, 1000)
			for i := range tags {
				tags[i] = fmt.Sprintf("1.%d.%d-build.%d", r%50, i, r*1000+i)
			}
			return st.PutTags(fmt.Sprintf("ghcr.io/org%02d/service-%04d", r%40, r), tags, time.Now())
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCacheMemory reports heap and RSS of the cache holding 1,000
// repositories x 1,000 tags: in memory, and in bbolt after a restart with
// every list read back once.
func BenchmarkCacheMemory(b *testing.B) {
	for _, kind := range []string{"memory", "bbolt"} {
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				base := heapMB()
				path := filepath.Join(b.TempDir(), "cache.db")
				st := openStore(b, kind, path)
				fillStore(b, st)
				if kind == "bbolt" {
					_ = st.Close()
					st = openStore(b, kind, path) // a restarted process
					base = heapMB()
					readAllTags(b, st)
				}
				b.ReportMetric(heapMB()-base, "heap-MB")
				b.ReportMetric(rssMB("VmRSS"), "rss-MB")
				b.ReportMetric(rssMB("VmHWM"), "peak-rss-MB")
				runtime.KeepAlive(st)
				_ = st.Close()
			}
		})
	}
}

func openStore(b *testing.B, kind, path string) store {
	if kind == "memory" {
		return newMemStore()
	}
	st, err := openBoltStore(path, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	return st
}

func readAllTags(b *testing.B, st store) {
	for r := range 1000 {
		tags, _, ok := st.Tags(fmt.Sprintf("ghcr.io/org%02d/service-%04d", r%40, r))
		if !ok || len(tags) != 1000 {
			b.Fatalf("repository %d: %d tags, %v", r, len(tags), ok)
		}
	}
}
