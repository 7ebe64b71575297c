package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// work delivers a destination's queue until Close closes it.
func (n *Notifier) work(ctx context.Context, d *destination) {
	for env := range d.queue {
		if ctx.Err() != nil {
			d.m.dropped(reasonClosed)
			continue
		}
		n.deliver(ctx, d, env)
	}
}

// deliver posts one event, retrying until it is sent, refused for good, out
// of attempts or cut short by ctx; every ending is counted.
func (n *Notifier) deliver(ctx context.Context, d *destination, env envelope) {
	body, ctype, err := encode(d.Kind, env)
	if err != nil {
		d.m.dropped(reasonGaveUp)
		n.o.log.Error("encoding notification", "destination", d.Name, "kind", d.Kind, "event", env.event.Type(), "error", err)
		return
	}
	log := n.o.log.With("destination", d.Name, "kind", d.Kind, "event", env.event.Type(), "id", env.id)
	for attempt := 1; ; attempt++ {
		err := n.post(ctx, d, body, ctype)
		if err == nil {
			d.m.sent.Inc()
			log.Debug("notification sent", "attempt", attempt)
			return
		}
		d.m.failed.Inc()
		var de *deliveryError
		errors.As(err, &de)
		switch {
		case ctx.Err() != nil:
			d.m.dropped(reasonClosed)
			log.Warn("notification dropped: shutting down", "attempt", attempt, "error", err)
			return
		case !de.temporary() || attempt >= n.o.attempts:
			d.m.dropped(reasonGaveUp)
			log.Warn("notification dropped", "attempt", attempt, "error", err)
			return
		}
		wait := n.backoff(attempt, de.retryAfter)
		log.Info("notification failed, retrying", "attempt", attempt, "wait", wait, "error", err)
		if !sleep(ctx, wait) {
			d.m.dropped(reasonClosed)
			return
		}
	}
}

// sleep waits for d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff is the wait before attempt+1: the doubling backoff with up to 10%
// jitter, or the receiver's Retry-After (capped) when that is longer.
func (n *Notifier) backoff(attempt int, retryAfter time.Duration) time.Duration {
	wait := n.o.maxBackoff
	if attempt < 32 {
		wait = min(n.o.minBackoff<<(attempt-1), n.o.maxBackoff)
	}
	wait += rand.N(wait/10 + 1)
	return max(wait, min(retryAfter, n.o.maxWait))
}

// post makes one attempt. Its error never holds the URL or the key.
func (n *Notifier) post(ctx context.Context, d *destination, body []byte, ctype string) error {
	ctx, cancel := context.WithTimeout(ctx, n.o.timeout)
	defer cancel()
	fail := func(status int, err error) *deliveryError {
		return &deliveryError{destination: d.Name, kind: d.Kind, status: status, err: err}
	}
	raw, err := d.URL()
	if err != nil {
		return fail(0, fmt.Errorf("reading URL: %w", err))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail(-1, errors.New("URL is not an absolute http or https URL")) // url.Parse's error quotes the URL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://placeholder/", bytes.NewReader(body))
	if err != nil {
		return fail(-1, errors.New("building request"))
	}
	req.URL, req.Host = u, u.Host
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "hoist")
	if d.Secret != nil {
		key, err := d.Secret()
		if err != nil {
			return fail(0, fmt.Errorf("reading secret: %w", err))
		}
		req.Header.Set(SignatureHeader, Sign([]byte(key), body))
	}
	resp, err := n.o.client.Do(req)
	if err != nil {
		return fail(0, cause(err, raw, u))
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	de := fail(resp.StatusCode, nil)
	de.body = sanitize(snippet, secretsOf(raw, u)...)
	de.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), n.o.now())
	return de
}

// deliveryError is a failed attempt. It names the destination and never its
// URL or key.
type deliveryError struct {
	destination string
	kind        Kind
	status      int    // the HTTP status; 0 when there was no answer, -1 when there can be none
	body        string // the start of the answer, sanitised
	retryAfter  time.Duration
	err         error
}

func (e *deliveryError) Error() string {
	prefix := fmt.Sprintf("posting to %s destination %q", e.kind, e.destination)
	switch {
	case e.err != nil:
		return prefix + ": " + e.err.Error()
	case e.body != "":
		return fmt.Sprintf("%s: HTTP %d: %s", prefix, e.status, e.body)
	default:
		return fmt.Sprintf("%s: HTTP %d", prefix, e.status)
	}
}

func (e *deliveryError) Unwrap() error { return e.err }

// temporary reports whether another attempt may succeed: no answer, a
// timeout, throttling or a server error. Other answers (400, 401, 403, 404,
// a redirect) mean the request or the URL is wrong.
func (e *deliveryError) temporary() bool {
	if e == nil {
		return false
	}
	switch s := e.status; {
	case s == 0, s == http.StatusRequestTimeout, s == http.StatusTooEarly, s == http.StatusTooManyRequests:
		return true
	default:
		return s >= 500
	}
}

// cause returns a transport error without the URL: net/http quotes it whole
// (with any token in its path), and dial errors name the host.
func cause(err error, raw string, u *url.URL) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errors.New("timed out")
	case errors.Is(err, context.Canceled):
		return errors.New("canceled")
	}
	return errors.New(sanitize([]byte(err.Error()), secretsOf(raw, u)...))
}

// secretsOf lists the parts of a URL that must not be shown.
func secretsOf(raw string, u *url.URL) []string {
	s := []string{raw, u.String(), u.Host, u.Hostname(), u.RawQuery, u.Fragment}
	if len(u.Path) > 1 {
		s = append(s, u.Path, u.EscapedPath())
	}
	if u.User != nil {
		p, _ := u.User.Password()
		s = append(s, u.User.Username(), p)
	}
	return s
}

// maxRetryAfter bounds what parseRetryAfter returns; WithMaxRetryAfter
// caps the wait further.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
// Anything else, or a time in the past, is 0; waits are cut to a day.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return min(time.Duration(secs)*time.Second, maxRetryAfter)
	}
	t, err := http.ParseTime(v)
	if err != nil || !t.After(now) {
		return 0
	}
	return min(t.Sub(now), maxRetryAfter)
}
