package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// baseTransport is the TLS (or plain) HTTP transport of one host.
func baseTransport(c HostConfig) (*http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(c.MaxConcurrent, 2)
	if c.Insecure {
		return tr, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", c.CAFile)
		}
		cfg.RootCAs = pool
	}
	if c.CertFile != "" || c.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading client certificate %s: %w", c.CertFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	tr.TLSClientConfig = cfg
	return tr, nil
}

// countTransport records every request that reached the network.
type countTransport struct {
	inner http.RoundTripper
	stats *statsRecorder
}

func (t *countTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.inner.RoundTrip(req)
	status := 0
	if err == nil {
		status = resp.StatusCode
	}
	t.stats.request(req.URL.Host, status)
	return resp, err
}

// limitTransport holds requests to the host's rate and concurrency limits,
// and pauses them all while the host asked to wait (Retry-After).
type limitTransport struct {
	inner   http.RoundTripper
	limiter *rate.Limiter
	slots   chan struct{}
	stats   *statsRecorder

	mu          sync.Mutex // protects pausedUntil
	pausedUntil time.Time
}

func newLimitTransport(inner http.RoundTripper, c HostConfig, stats *statsRecorder) *limitTransport {
	limit := rate.Limit(c.RPS)
	if c.RPS < 0 {
		limit = rate.Inf
	}
	return &limitTransport{inner: inner, limiter: rate.NewLimiter(limit, max(c.Burst, 1)),
		slots: make(chan struct{}, max(c.MaxConcurrent, 1)), stats: stats}
}

// pause holds every request until t.
func (t *limitTransport) pause(until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if until.After(t.pausedUntil) {
		t.pausedUntil = until
	}
}

func (t *limitTransport) wait(ctx context.Context) error {
	start := time.Now()
	t.mu.Lock()
	until := t.pausedUntil
	t.mu.Unlock()
	if d := time.Until(until); d > 0 {
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	if err := t.limiter.Wait(ctx); err != nil {
		return err
	}
	select {
	case t.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if waited := time.Since(start); waited > time.Millisecond {
		t.stats.waited(waited)
	}
	return nil
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.wait(req.Context()); err != nil {
		return nil, err
	}
	release := sync.OnceFunc(func() { <-t.slots })
	resp, err := t.inner.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &hookBody{ReadCloser: resp.Body, done: release}
	return resp, nil
}

// hookBody calls done once when the body is closed.
type hookBody struct {
	io.ReadCloser
	done func()
}

func (b *hookBody) Close() error {
	err := b.ReadCloser.Close()
	b.done()
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
