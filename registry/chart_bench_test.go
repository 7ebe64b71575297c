package registry_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/registry"
)

// bigIndex writes an index.yaml as Helm does of charts x versions with long
// descriptions and URLs (about 40 MB for 2,000 x 60).
func bigIndex(charts, versions int) []byte {
	var b bytes.Buffer
	b.WriteString("apiVersion: v1\nentries:\n")
	for c := range charts {
		fmt.Fprintf(&b, "  chart-%04d:\n", c)
		for v := range versions {
			fmt.Fprintf(&b, "  - apiVersion: v2\n    appVersion: %d.%d.0\n    created: \"2025-06-01T10:%02d:%02d.123456789Z\"\n"+
				"    description: A long chart description of chart %04d that goes on for a while.\n"+
				"    digest: %064x\n    name: chart-%04d\n"+
				"    urls:\n    - https://charts.example.com/releases/download/chart-%04d-%d.%d.0/chart-%04d-%d.%d.0.tgz\n"+
				"    version: %d.%d.0\n",
				v/10, v%10, v%60, c%60, c, c*1000+v, c, c, v/10, v%10, c, v/10, v%10, v/10, v%10)
		}
	}
	b.WriteString("generated: \"2025-06-01T10:00:00Z\"\n")
	return b.Bytes()
}

// peakHeap samples the heap every millisecond until stop is called; stop
// returns the highest value seen above the starting one (garbage not yet
// collected included) and, after a GC, what is still live above it.
func peakHeap() (stop func() (peak, retained uint64)) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
				peak.Store(m.HeapAlloc - base)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		<-finished
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return peak.Load(), max(m.HeapAlloc, base) - base
	}
}

// BenchmarkChartIndex parses a 40 MB index once per iteration (a new
// scanner each time), then revalidates it (304 Not Modified).
func BenchmarkChartIndex(b *testing.B) {
	index := bigIndex(2000, 60)
	modified := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"big"`)
		http.ServeContent(w, r, "index.yaml", modified, bytes.NewReader(index))
	}))
	defer srv.Close()
	newSc := func() *registry.Scanner {
		sc, err := registry.New(registry.WithDefaults(registry.HostConfig{RPS: -1}), registry.WithRequestTimeout(5*time.Minute))
		if err != nil {
			b.Fatal(err)
		}
		return sc
	}
	check := func(sc *registry.Scanner) {
		l, err := sc.ChartVersions(context.Background(), srv.URL, "chart-1999")
		if err != nil || len(l.Versions) != 60 {
			b.Fatalf("ChartVersions: %d versions, %v", len(l.Versions), err)
		}
	}
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(index)))
		b.ReportAllocs()
		var peak, retained uint64
		for b.Loop() {
			sc := newSc()
			stop := peakHeap()
			check(sc)
			p, r := stop()
			peak, retained = max(peak, p), max(retained, r)
			_ = sc.Close()
		}
		b.ReportMetric(float64(len(index))/(1<<20), "index-MiB")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(retained)/(1<<20), "cached-MiB")
	})
	b.Run("not-modified", func(b *testing.B) {
		sc := newSc()
		defer sc.Close()
		check(sc)
		b.ReportAllocs()
		for b.Loop() {
			check(sc)
		}
		if st := sc.Stats(); st.ChartIndexFetches != 1 {
			b.Fatalf("fetched %d times, want 1", st.ChartIndexFetches)
		}
	})
}
