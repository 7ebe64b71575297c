package notify

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// request is what a receiver got.
type request struct {
	header http.Header
	body   []byte
	path   string
	at     time.Time
}

// receiver is a loopback HTTP server standing in for Slack, Teams or a
// webhook consumer. Each request goes to got; answer decides the reply.
type receiver struct {
	*httptest.Server
	got chan request
}

func newReceiver(t *testing.T, answer http.HandlerFunc) *receiver {
	t.Helper()
	r := &receiver{got: make(chan request, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.got <- request{header: req.Header.Clone(), body: body, path: req.URL.RequestURI(), at: time.Now()}
		if answer != nil {
			answer(w, req)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

// requests returns what the receiver has got so far.
func (r *receiver) requests() []request {
	var out []request
	for {
		select {
		case req := <-r.got:
			out = append(out, req)
		default:
			return out
		}
	}
}

// syncBuffer is a log sink safe for the workers' concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex // protects buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixedNow is the time the tests' events are stamped with.
var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func withNow(now time.Time) Option {
	return func(o *options) error { o.now = func() time.Time { return now }; return nil }
}

// harness is a Notifier with its registry and captured logs.
type harness struct {
	*Notifier
	reg  *prometheus.Registry
	logs *syncBuffer
}

// fast are options that keep retries in the milliseconds.
func fast() []Option {
	return []Option{WithBackoff(time.Millisecond, 5*time.Millisecond), WithTimeout(2 * time.Second), withNow(fixedNow)}
}

func start(t *testing.T, dests []Destination, opts ...Option) *harness {
	t.Helper()
	h := &harness{reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	n, err := New(dests, append([]Option{WithRegisterer(h.reg), WithLogger(log)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.Notifier = n
	t.Cleanup(func() { _ = n.Close(context.Background()) })
	return h
}

// close drains the notifier: after it, every outcome is counted.
func (h *harness) close(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// counts returns a destination's counters as "sent", "failed" and
// "dropped/<reason>".
func (h *harness) counts(t *testing.T, dest string) map[string]float64 {
	t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["destination"] != dest || m.GetCounter().GetValue() == 0 {
				continue
			}
			got[metricKey(mf.GetName(), labels)] = m.GetCounter().GetValue()
		}
	}
	return got
}

func metricKey(name string, labels map[string]string) string {
	switch name {
	case "hoist_notifications_sent_total":
		return "sent"
	case "hoist_notifications_failed_total":
		return "failed"
	default:
		return "dropped/" + labels["reason"]
	}
}
