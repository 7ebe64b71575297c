package registry_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// fakeRegistry serves /v2/ (200, or a basic challenge when auth is set) and
// hands every other request to h. It counts the requests that reached it.
func fakeRegistry(t *testing.T, auth bool, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if auth && r.Header.Get("Authorization") == "" {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/v2/" {
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func hostOf(srv *httptest.Server) string { return strings.TrimPrefix(srv.URL, "http://") }

func plainScanner(t *testing.T, opts ...registry.Option) *registry.Scanner {
	t.Helper()
	sc, err := registry.New(append([]registry.Option{registry.WithRetry(0, time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sc.Close() })
	return sc
}

// TestLoopbackPlainHTTPWithoutFlag lists and resolves on a real registry
// speaking plain HTTP on 127.0.0.1 (and as localhost) with no host config.
func TestLoopbackPlainHTTPWithoutFlag(t *testing.T) {
	s := registrytest.Start(t)
	d := registrytest.Push(t, s.Repo("loop/app:1.0.0"), time.Now(), s.RemoteOptions()...)
	_, port, _ := net.SplitHostPort(s.Host)
	for _, host := range []string{s.Host, "localhost:" + port} {
		t.Run(host, func(t *testing.T) {
			sc := plainScanner(t)
			got, err := sc.Tags(context.Background(), host+"/loop/app")
			if err != nil {
				t.Fatalf("Tags: %v", err)
			}
			if diff := cmp.Diff([]string{"1.0.0"}, got); diff != "" {
				t.Errorf("Tags mismatch (-want +got):\n%s", diff)
			}
			dg, err := sc.Digest(context.Background(), host+"/loop/app", "1.0.0", "")
			if err != nil || dg != d.String() {
				t.Errorf("Digest = %q, %v; want %s", dg, err, d)
			}
		})
	}
}

// TestLoopbackTLSStaysTLS checks a TLS registry on 127.0.0.1 is not reached
// over plain HTTP: with its CA it works, without it verification fails.
func TestLoopbackTLSStaysTLS(t *testing.T) {
	s := registrytest.Start(t, registrytest.WithTLS())
	registrytest.Push(t, s.Repo("loop/app:1"), time.Now(), s.RemoteOptions()...)
	withCA := plainScanner(t, registry.WithHost(s.Host, registry.HostConfig{CAFile: s.CAFile}))
	if _, err := withCA.Tags(context.Background(), s.Repo("loop/app")); err != nil {
		t.Errorf("Tags with the CA: %v", err)
	}
	_, err := plainScanner(t).Tags(context.Background(), s.Repo("loop/app"))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Tags without the CA: error %v, want a certificate error", err)
	}
}

// nonLoopbackIP is an address of this machine that is not loopback.
func nonLoopbackIP(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skipf("listing interface addresses: %v", err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP.String()
		}
	}
	t.Skip("no non-loopback IPv4 address")
	return ""
}

// TestAllowInsecure reaches a plain HTTP registry on a non-loopback address:
// refused by default, reached once the host is marked (as a Flux
// ImageRepository with insecure: true asks), even after a failed attempt.
func TestAllowInsecure(t *testing.T) {
	ip := nonLoopbackIP(t)
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("listening on %s: %v", ip, err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/x/tags/list" {
			fmt.Fprint(w, `{"name":"x","tags":["1.0.0"]}`)
		}
	}))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	host := hostOf(srv)

	sc := plainScanner(t)
	var plain tls.RecordHeaderError
	if _, err := sc.Tags(context.Background(), host+"/x"); !errors.As(err, &plain) {
		t.Fatalf("Tags before AllowInsecure: error %v, want HTTPS refused (a non-loopback host never falls back)", err)
	}
	sc.AllowInsecure(host)
	sc.AllowInsecure(host)
	got, err := sc.Tags(context.Background(), host+"/x")
	if err != nil {
		t.Fatalf("Tags after AllowInsecure: %v", err)
	}
	if diff := cmp.Diff([]string{"1.0.0"}, got); diff != "" {
		t.Errorf("Tags mismatch (-want +got):\n%s", diff)
	}
}

// invalidTags are names a hostile registry sent (issue 18, finding 4).
var invalidTags = []string{
	"9.9.9\n  evil: x",
	"9.9.9\n\nHoist-Policy: prod:db\nHoist-Image: evil.example/db:6.6.6",
	"a\x00b", "  1.0.0", "../../../etc/passwd", "9.9.9@sha256:" + strings.Repeat("a", 64),
	"9.9.9:x", strings.Repeat("a", 300), strings.Repeat("b", 129), ".hidden", "-rc", "", "1.0\t", "é1",
}

func TestListTagsDropsInvalidNames(t *testing.T) {
	valid := []string{"1.0.0", "v1_2", "_x", "A-b.c", strings.Repeat("a", 128)}
	tags := append(append([]string{}, invalidTags[:5]...), valid...)
	tags = append(tags, invalidTags[5:]...)
	srv, _ := fakeRegistry(t, false, func(w http.ResponseWriter, r *http.Request) {
		writeTagPage(w, tags)
	})
	var logs bytes.Buffer
	sc := plainScanner(t, registry.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	got, err := sc.ListTags(context.Background(), hostOf(srv)+"/evil/app")
	if err != nil {
		t.Fatalf("ListTags: %v", err)
	}
	want := registry.TagList{Tags: valid, Dropped: len(invalidTags)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListTags mismatch (-want +got):\n%s", diff)
	}
	line := logs.String()
	wantLog := fmt.Sprintf(`level=WARN msg="dropped invalid tag names" registry=%s repository=evil/app dropped=%d example="\"9.9.9\\n  evil: x\""`, hostOf(srv), len(invalidTags))
	if !strings.Contains(line, wantLog) || strings.Count(line, "\n") != 1 {
		t.Errorf("log is\n%s\nwant one line holding\n%s", line, wantLog)
	}
	if cached, _, _ := sc.CachedTags(hostOf(srv) + "/evil/app"); !cmp.Equal(valid, cached) {
		t.Errorf("CachedTags = %q, want the valid tags", cached)
	}
}

// writeTagPage writes a tags/list document holding tags.
func writeTagPage(w http.ResponseWriter, tags []string) {
	_ = json.NewEncoder(w).Encode(map[string]any{"name": "app", "tags": tags})
}

// hugePage serves one page of n tags ("t0000000"...) whatever n and last
// ask, written as it goes, and counts the bytes it managed to send.
func hugePage(n int, sent *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		buf := make([]byte, 0, 32<<10)
		buf = append(buf, `{"name":"big","tags":[`...)
		for i := range n {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `"t`...)
			buf = append(buf, fmt.Sprintf("%07d", i)...)
			buf = append(buf, '"')
			if len(buf) > 30<<10 {
				if _, err := w.Write(buf); err != nil {
					return // the client stopped reading
				}
				sent.Add(int64(len(buf)))
				buf = buf[:0]
			}
		}
		_, _ = w.Write(append(buf, "]}"...))
	}
}

// TestListTagsHugePageBounded serves one page of a million tags (11 MB) to
// a scanner capped at 1000 tags: it reads only the start of the page, keeps
// its allocations far below the page's size and reports the truncation.
func TestListTagsHugePageBounded(t *testing.T) {
	var sent atomic.Int64
	srv, _ := fakeRegistry(t, false, hugePage(1_000_000, &sent))
	sc := plainScanner(t, registry.WithMaxTags(1000))
	repo := hostOf(srv) + "/big/app"
	if _, err := sc.Tags(context.Background(), hostOf(srv)+"/warm/up"); err != nil && !errors.Is(err, registry.ErrTruncated) {
		t.Fatalf("warm-up: %v", err) // ping, connections
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	l, err := sc.ListTags(context.Background(), repo)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("listing a 1,000,000-tag page capped at 1000 allocated %d KB", alloc>>10)
	if !errors.Is(err, registry.ErrTruncated) || !strings.Contains(err.Error(), hostOf(srv)) || !strings.Contains(err.Error(), "big/app") {
		t.Errorf("error %v, want ErrTruncated naming registry and repository", err)
	}
	if len(l.Tags) != 1000 || !l.Truncated || l.Tags[999] != "t0000999" {
		t.Errorf("ListTags = %d tags (truncated %v), want the first 1000 and Truncated", len(l.Tags), l.Truncated)
	}
	// The test server's own writes count too; 11 MB would be read whole.
	if alloc > 4<<20 {
		t.Errorf("listing allocated %d bytes, want < 4 MiB for an 11 MB page", alloc)
	}
	if got, err := sc.Tags(context.Background(), repo); got != nil || !errors.Is(err, registry.ErrTruncated) {
		t.Errorf("Tags = %d tags, %v; want none and ErrTruncated", len(got), err)
	}
}

func BenchmarkListTagsHugePage(b *testing.B) {
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/" {
			hugePage(1_000_000, &sent)(w, r)
		}
	}))
	defer srv.Close()
	sc, err := registry.New(registry.WithMaxTags(1000))
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sc.ListTags(context.Background(), hostOf(srv)+"/big/app"); !errors.Is(err, registry.ErrTruncated) {
			b.Fatal(err)
		}
	}
}

// TestListTagsExactlyAtLimit is not truncated: the cap is only exceeded by
// a tag after it.
func TestListTagsExactlyAtLimit(t *testing.T) {
	srv, _ := fakeRegistry(t, false, func(w http.ResponseWriter, r *http.Request) {
		writeTagPage(w, []string{"1", "2", "3", "3", "bad tag"})
	})
	got, err := plainScanner(t, registry.WithMaxTags(3)).ListTags(context.Background(), hostOf(srv)+"/x")
	if diff := cmp.Diff(registry.TagList{Tags: []string{"1", "2", "3"}, Dropped: 1}, got); diff != "" || err != nil {
		t.Errorf("ListTags error %v, mismatch (-want +got):\n%s", err, diff)
	}
}
