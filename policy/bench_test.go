package policy

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchTags makes n tags in a fixed shuffled order; one in ten is noise
// (sha-..., latest-like) that the rule or filter drops.
func benchTags(n int, kind string) []Tag {
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	tags := make([]Tag, n)
	for i := range tags {
		var name string
		switch {
		case i%10 == 9:
			name = fmt.Sprintf("sha-%08x", r.Uint32())
		case kind == "semver" && i%7 == 0:
			name = fmt.Sprintf("%d.%d.%d-rc.%d", i/1000, i%1000/10, i%10, r.IntN(9))
		case kind == "semver":
			name = fmt.Sprintf("v%d.%d.%d", i/1000, i%1000/10, i%10)
		case kind == "numerical":
			name = fmt.Sprintf("%d", 1600000000+i)
		case kind == "extract":
			name = fmt.Sprintf("main-%d-%07x", 1600000000+i, r.Uint32()>>4)
		default:
			name = fmt.Sprintf("rel-%08d", i)
		}
		tags[i] = Tag{Name: name, Created: t0.Add(time.Duration(r.IntN(1<<30)) * time.Second)}
	}
	r.Shuffle(n, func(i, j int) { tags[i], tags[j] = tags[j], tags[i] })
	return tags
}

// BenchmarkSelect selects from 100,000 tags with each rule, and from 10,000
// with semver to show the cost per tag stays flat.
func BenchmarkSelect(b *testing.B) {
	for _, bc := range []struct {
		name string
		n    int
		kind string
		spec Spec
	}{
		{"semver/n=10000", 10_000, "semver", Spec{Rule: "semver", Range: ">=1.0.0 <90.0.0"}},
		{"semver/n=100000", 100_000, "semver", Spec{Rule: "semver", Range: ">=1.0.0 <90.0.0"}},
		{"semver-caret/n=100000", 100_000, "semver", Spec{Rule: "semver", Range: "^42.0"}},
		{"alphabetical/n=100000", 100_000, "alpha", Spec{Rule: "alphabetical", Exclude: []string{"^sha-"}}},
		{"numerical/n=10000", 10_000, "numerical", Spec{Rule: "numerical", Exclude: []string{"^sha-"}}},
		{"numerical/n=100000", 100_000, "numerical", Spec{Rule: "numerical", Exclude: []string{"^sha-"}}},
		{"newestBuild/n=100000", 100_000, "alpha", Spec{Rule: "newestBuild"}},
		{"extract/n=10000", 10_000, "extract", Spec{Rule: "numerical", Pattern: `^main-(?P<ts>[0-9]+)-[a-f0-9]+$`, Extract: "$ts"}},
		{"extract/n=100000", 100_000, "extract", Spec{Rule: "numerical", Pattern: `^main-(?P<ts>[0-9]+)-[a-f0-9]+$`, Extract: "$ts"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bc.spec.Image = "r/x"
			p := mustNew(b, "x", bc.spec)
			tags := map[string][]Tag{"r/x": benchTags(bc.n, bc.kind)}
			ps := []*Policy{p}
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				if d := Select(ps, tags); d[0].Err != nil {
					b.Fatal(d[0].Err)
				}
			}
			reportCPU(b, cpu, bc.n, "ns/tag")
		})
	}
}

// BenchmarkSelectGroup selects for a group of two semver policies with
// 100,000 tags each.
func BenchmarkSelectGroup(b *testing.B) {
	spec := Spec{Rule: "semver", Range: ">=1.0.0", Group: "g"}
	spec.Image = "r/a"
	a := mustNew(b, "a", spec)
	spec.Image = "r/b"
	c := mustNew(b, "b", spec)
	tags := map[string][]Tag{"r/a": benchTags(100_000, "semver"), "r/b": benchTags(100_000, "semver")}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if d := Select([]*Policy{a, c}, tags); d[0].Err != nil {
			b.Fatal(d[0].Err)
		}
	}
	reportCPU(b, cpu, 200_000, "ns/tag")
}

// cpuTime is the CPU time (user and system) the process has used. On a
// shared machine it is a steadier figure than the wall-clock ns/op.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds CPU ns per op and wall ns per item (tag, policy).
func reportCPU(b *testing.B, start time.Duration, items int, unit string) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(items), unit)
}

// BenchmarkLoad loads 1,000 policies (hoist and Flux kinds) from 100 files.
func BenchmarkLoad(b *testing.B) {
	files := map[string]string{}
	for f := range 100 {
		var docs []string
		for i := range 5 {
			name := fmt.Sprintf("p%d-%d", f, i)
			docs = append(docs, hoistDoc(name, "  image: ghcr.io/acme/"+name+"\n  exclude: ['-rc']\n  policy:\n    semver: {range: '>=1.0.0 <2.0.0'}\n"),
				fmt.Sprintf("apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r%s}\nspec: {image: ghcr.io/acme/%s}\n---\n"+
					"apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: f%s}\nspec:\n  imageRepositoryRef: {name: r%s}\n  policy: {numerical: {}}\n",
					name, name, name, name))
		}
		files[fmt.Sprintf("dir%d/policies%d.yaml", f%10, f)] = strings.Join(docs, "---\n")
	}
	dir := writeTree(b, files)
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		set, err := Load(dir)
		if err != nil || len(set.Policies) != 1000 || len(set.Problems) != 0 {
			b.Fatalf("Load: %v, %d policies, problems %v", err, len(set.Policies), set.Problems)
		}
	}
	reportCPU(b, cpu, 1000, "ns/policy")
}

// fleetTree writes the fleet benchmark's layout: 300 apps of 33 files each
// (9,900 files), each app a kustomization of its policies, a Deployment
// and ConfigMaps. The files are an hour old, as in a worktree between
// pushes.
func fleetTree(b testing.TB) string {
	files := map[string]string{}
	for a := range 300 {
		dir, ns := fmt.Sprintf("apps/app-%03d/", a), fmt.Sprintf("app-%03d", a)
		files[dir+"policies.yaml"] = hoistDoc("svc", "  image: registry.local/svc-"+ns+"\n  policy:\n    semver: {range: '>=1.0.0'}\n")
		files[dir+"deployment.yaml"] = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + ns + "}\nspec:\n  template:\n    spec:\n      containers:\n" +
			"      - name: svc\n        image: registry.local/svc-" + ns + ":1.0.0 # {\"$imagepolicy\": \"apps:svc\"}\n"
		kust := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: " + ns + "\nresources:\n  - policies.yaml\n  - deployment.yaml\n"
		for k := range 30 {
			name := fmt.Sprintf("config-%02d.yaml", k)
			files[dir+name] = fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-%02d\ndata:\n  LOG_LEVEL: info\n  FEATURE_%02d: \"on\"\n", ns, k, k)
			kust += "  - " + name + "\n"
		}
		files[dir+"kustomization.yaml"] = kust
	}
	dir := writeTree(b, files)
	age(b, dir)
	return dir
}

// BenchmarkLoadCached loads the fleet tree without a cache, with a warm
// cache, and with a warm cache after one file of one app changed; walk is
// the floor: Load's walk of the tree alone (a directory listing and an
// lstat per file).
func BenchmarkLoadCached(b *testing.B) {
	dir := fleetTree(b)
	b.Run("walk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := os.OpenRoot(dir)
			if err != nil {
				b.Fatal(err)
			}
			l := newLoader(&options{log: discard()}, r.FS())
			if _, _, err := l.walk(r.FS(), "."); err != nil {
				b.Fatal(err)
			}
			r.Close()
		}
	})
	load := func(b *testing.B, opts ...Option) {
		set, err := Load(dir, opts...)
		if err != nil || len(set.Policies) != 300 || len(set.Problems) != 0 {
			b.Fatalf("Load: %v, %d policies, problems %v", err, len(set.Policies), set.Problems)
		}
	}
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			load(b)
		}
	})
	c := NewCache()
	load(b, WithCache(c))
	b.Run("warm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			load(b, WithCache(c))
		}
	})
	edited := filepath.Join(dir, "apps", "app-007", "deployment.yaml")
	b.Run("warm-one-edit", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			if err := os.WriteFile(edited, fmt.Appendf(nil, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: edit-%d}\n", i), 0o644); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			load(b, WithCache(c))
		}
	})
}
