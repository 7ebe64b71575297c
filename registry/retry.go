package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxBackoff caps the exponential backoff between retries.
const maxBackoff = 30 * time.Second

// retryTransport retries idempotent requests on 429, 5xx, timeouts and
// dropped connections, and gives every attempt a deadline.
type retryTransport struct {
	inner   http.RoundTripper
	limits  *limitTransport // paused on Retry-After
	stats   *statsRecorder
	retries int
	backoff time.Duration
	maxWait time.Duration
	timeout time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	retryable := (req.Method == http.MethodGet || req.Method == http.MethodHead) && req.Body == nil
	for attempt := 0; ; attempt++ {
		resp, err := t.attempt(req)
		if !retryable || attempt >= t.retries || !shouldRetry(req.Context(), resp, err) {
			return resp, err
		}
		wait, err := t.delay(attempt, resp)
		if resp != nil {
			drain(resp.Body)
		}
		if err != nil {
			return nil, err
		}
		t.stats.retried()
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// attempt sends req once with a deadline that ends when its body is closed.
func (t *retryTransport) attempt(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.inner.RoundTrip(req.Clone(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &hookBody{ReadCloser: resp.Body, done: sync.OnceFunc(cancel)}
	return resp, nil
}

func shouldRetry(ctx context.Context, resp *http.Response, err error) bool {
	if ctx.Err() != nil {
		return false // the caller gave up, not the server
	}
	if err != nil {
		var ne net.Error
		return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) ||
			errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) || errors.Is(err, net.ErrClosed) ||
			isReset(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func isReset(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe)
}

// delay is how long to wait before the next attempt: the server's
// Retry-After on 429 and 503, otherwise exponential backoff with full jitter.
func (t *retryTransport) delay(attempt int, resp *http.Response) (time.Duration, error) {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if d > t.maxWait {
				return 0, fmt.Errorf("%s asks to retry after %s, more than the %s allowed", resp.Request.URL.Host, d, t.maxWait)
			}
			t.limits.pause(time.Now().Add(d))
			return d, nil
		}
	}
	ceiling := min(t.backoff<<attempt, maxBackoff)
	return time.Duration(rand.Int64N(int64(ceiling)) + 1), nil
}

// retryAfter parses a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}
