package registry_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// fault answers a request instead of the registry; it returns false to let
// the request through.
type fault func(w http.ResponseWriter, r *http.Request) bool

func status(code int, retryAfter string) fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
		return true
	}
}

func slow(d time.Duration) fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
		return false
	}
}

func drop(w http.ResponseWriter, r *http.Request) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
	return true
}

// faultProxy is a loopback reverse proxy in front of a real registry that
// applies scripted faults to requests other than the ping, in order.
type faultProxy struct {
	srv *httptest.Server
	rp  *httputil.ReverseProxy

	mu          sync.Mutex // protects the fields below
	faults      []fault
	arrivals    []time.Time
	inflight    int
	maxInflight int
}

func newFaultProxy(t *testing.T, target string, faults ...fault) *faultProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{rp: httputil.NewSingleHostReverseProxy(u), faults: faults}
	p.rp.ErrorLog = log.New(io.Discard, "", 0)
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *faultProxy) host() string { return strings.TrimPrefix(p.srv.URL, "http://") }

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var f fault
	p.mu.Lock()
	if r.URL.Path != "/v2/" {
		p.arrivals = append(p.arrivals, time.Now())
		if len(p.faults) > 0 {
			f, p.faults = p.faults[0], p.faults[1:]
		}
	}
	p.inflight++
	p.maxInflight = max(p.maxInflight, p.inflight)
	p.mu.Unlock()
	defer func() { p.mu.Lock(); p.inflight--; p.mu.Unlock() }()
	if f != nil && f(w, r) {
		return
	}
	p.rp.ServeHTTP(w, r)
}

func (p *faultProxy) times() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.arrivals...)
}

func proxiedScanner(t *testing.T, p *faultProxy, c registry.HostConfig, opts ...registry.Option) *registry.Scanner {
	c.Insecure = true
	opts = append([]registry.Option{registry.WithHost(p.host(), c), registry.WithRetry(3, 20*time.Millisecond),
		registry.WithRequestTimeout(300 * time.Millisecond)}, opts...)
	sc, err := registry.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sc.Close() })
	return sc
}

func TestFaultsRecovered(t *testing.T) {
	s := registrytest.Start(t)
	registrytest.Push(t, s.Repo("f/app:1"), time.Now(), s.RemoteOptions()...)
	for name, faults := range map[string][]fault{
		"429 no retry-after": {status(429, ""), status(429, "")},
		"429 retry-after 0":  {status(429, "0")},
		"503 http date":      {status(503, time.Now().UTC().Format(http.TimeFormat))},
		"500s":               {status(500, ""), status(502, ""), status(504, "")},
		"slow":               {slow(2 * time.Second)},
		"dropped":            {drop, drop},
		"mixed":              {drop, status(500, ""), slow(2 * time.Second)},
	} {
		t.Run(name, func(t *testing.T) {
			p := newFaultProxy(t, s.URL(), faults...)
			sc := proxiedScanner(t, p, registry.HostConfig{RPS: -1})
			tags, err := sc.Tags(context.Background(), p.host()+"/f/app")
			if err != nil {
				t.Fatalf("Tags: %v", err)
			}
			if len(tags) != 1 || tags[0] != "1" {
				t.Errorf("Tags = %v, want [1]", tags)
			}
			p.mu.Lock()
			left := len(p.faults)
			p.mu.Unlock()
			if left != 0 {
				t.Errorf("%d faults never reached", left)
			}
			// net/http itself resends a GET once when a reused connection drops.
			if got := sc.Stats().Retries; got < 1 || got > int64(len(faults)) {
				t.Errorf("Retries = %d, want 1..%d", got, len(faults))
			}
		})
	}
}

func TestFaultsBoundedRetries(t *testing.T) {
	s := registrytest.Start(t)
	registrytest.Push(t, s.Repo("f/app:1"), time.Now(), s.RemoteOptions()...)
	faults := make([]fault, 10)
	for i := range faults {
		faults[i] = status(500, "")
	}
	p := newFaultProxy(t, s.URL(), faults...)
	sc := proxiedScanner(t, p, registry.HostConfig{RPS: -1})
	_, err := sc.Tags(context.Background(), p.host()+"/f/app")
	var rerr *registry.Error
	if !errors.As(err, &rerr) || rerr.StatusCode != 500 || !rerr.Temporary() {
		t.Fatalf("Tags error = %v, want a temporary *registry.Error with status 500", err)
	}
	if !strings.Contains(err.Error(), p.host()) || !strings.Contains(err.Error(), "f/app") {
		t.Errorf("error %q does not name host and repository", err)
	}
	if got := len(p.times()); got != 4 {
		t.Errorf("registry saw %d attempts, want 4 (1 + 3 retries)", got)
	}
}

func TestFaultsRetryAfterTooLong(t *testing.T) {
	s := registrytest.Start(t)
	p := newFaultProxy(t, s.URL(), status(429, "3600"))
	sc := proxiedScanner(t, p, registry.HostConfig{RPS: -1}, registry.WithMaxRetryAfter(time.Minute))
	if _, err := sc.Tags(context.Background(), p.host()+"/f/app"); err == nil || !strings.Contains(err.Error(), "retry after") {
		t.Fatalf("Tags error = %v, want one about Retry-After", err)
	}
	if got := len(p.times()); got != 1 {
		t.Errorf("registry saw %d attempts, want 1", got)
	}
}

// TestRetryAfterHonoured checks the next attempt comes no sooner than the
// server asked (a lower bound: a slow machine only makes it later).
func TestRetryAfterHonoured(t *testing.T) {
	s := registrytest.Start(t)
	registrytest.Push(t, s.Repo("f/app:1"), time.Now(), s.RemoteOptions()...)
	p := newFaultProxy(t, s.URL(), status(429, "1"))
	sc := proxiedScanner(t, p, registry.HostConfig{RPS: -1})
	if _, err := sc.Tags(context.Background(), p.host()+"/f/app"); err != nil {
		t.Fatalf("Tags: %v", err)
	}
	ts := p.times()
	if len(ts) != 2 {
		t.Fatalf("registry saw %d attempts, want 2", len(ts))
	}
	if gap := ts[1].Sub(ts[0]); gap < time.Second {
		t.Errorf("retried after %s, before the Retry-After of 1s", gap)
	}
}

// TestRateAndConcurrencyLimits scans many tags' build times through the
// proxy and checks the host never saw more requests at once than
// MaxConcurrent, nor faster than RPS after the burst (lower bound on time).
func TestRateAndConcurrencyLimits(t *testing.T) {
	s := registrytest.Start(t)
	registrytest.Push(t, s.Repo("f/app:1"), time.Now(), s.RemoteOptions()...)
	tags := tagNames("r", 15)
	s.Tag(t, s.Repo("f/app:1"), tags)
	p := newFaultProxy(t, s.URL())
	const rps, burst, conc = 20.0, 2, 2
	sc := proxiedScanner(t, p, registry.HostConfig{RPS: rps, Burst: burst, MaxConcurrent: conc})
	if _, err := sc.BuildTimes(context.Background(), p.host()+"/f/app", tags); err != nil {
		t.Fatalf("BuildTimes: %v", err)
	}
	ts := p.times()
	if p.maxInflight > conc {
		t.Errorf("registry saw %d requests at once, limit %d", p.maxInflight, conc)
	}
	// ping + len(ts) requests went through a limiter with this burst.
	minSpan := time.Duration(float64(len(ts)+1-burst) / rps * float64(time.Second))
	if span := ts[len(ts)-1].Sub(ts[0]); span < minSpan*9/10 {
		t.Errorf("%d requests took %s, faster than %v rps allows (%s)", len(ts), span, rps, minSpan)
	}
	if sc.Stats().RateLimitWaits == 0 {
		t.Error("no request waited for the rate limit")
	}
}

// TestDigestWithoutHeaders resolves digests through a proxy that strips
// Docker-Content-Digest and Content-Type, as some registries do.
func TestDigestWithoutHeaders(t *testing.T) {
	s := registrytest.Start(t)
	idx, plats := registrytest.PushIndex(t, s.Repo("h/app:multi"), time.Now(), []string{"linux/amd64", "linux/arm64"}, s.RemoteOptions()...)
	single := registrytest.Push(t, s.Repo("h/app:single"), time.Now(), s.RemoteOptions()...)
	p := newFaultProxy(t, s.URL())
	p.rp.ModifyResponse = func(resp *http.Response) error {
		resp.Header.Del("Docker-Content-Digest")
		resp.Header.Del("Content-Type")
		return nil
	}
	sc := proxiedScanner(t, p, registry.HostConfig{RPS: -1})
	for _, tc := range []struct{ tag, platform, want string }{
		{"multi", "", idx.String()},
		{"multi", "linux/arm64", plats["linux/arm64"].String()},
		{"single", "", single.String()},
		{"single", "linux/arm64", single.String()},
	} {
		got, err := sc.Digest(context.Background(), p.host()+"/h/app", tc.tag, tc.platform)
		if err != nil || got != tc.want {
			t.Errorf("Digest(%s, %q) = %s, %v; want %s", tc.tag, tc.platform, got, err, tc.want)
		}
	}
}
