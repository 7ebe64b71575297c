package daemon

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HookFunc authenticates and parses a webhook request of one kind and
// returns the image repositories it says were pushed, normalised the way
// Result.Images are. An error is answered with status 400 (or the status of
// an error in its chain with a StatusCode method; 413 for a body over the
// limit).
type HookFunc func(kind string, r *http.Request) ([]string, error)

// Server returns an HTTP server for Handler(d, m, hook) with the timeouts
// and header limit of the daemon's [HTTPLimits] (see [WithHTTPLimits]).
func Server(d *Daemon, m *Metrics, hook HookFunc) *http.Server {
	l := d.o.http.orDefaults()
	return &http.Server{
		Handler:           Handler(d, m, hook),
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

// Handler serves /healthz, /readyz, /metrics and POST /hooks/{kind} (and
// /hooks/{kind}/{secret}, for the registries that put the secret in the URL).
// Unknown kinds are answered 404 and counted as kind "unknown"; webhook
// bodies and concurrent webhook requests are bounded by the daemon's
// [HTTPLimits]. The path's secret is never logged, and rejected requests are
// logged at a bounded rate, with request data quoted and cut.
func Handler(d *Daemon, m *Metrics, hook HookFunc) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !d.Ready() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "first passes still running"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	hooks := newHooks(d, m, hook)
	mux.Handle("POST /hooks/{kind}", hooks)
	// Docker Hub and Quay carry the secret as the last path element.
	mux.Handle("POST /hooks/{kind}/{secret}", hooks)
	return mux
}

// hooks serves the webhook endpoints.
type hooks struct {
	d        *Daemon
	m        *Metrics
	hook     HookFunc
	log      *slog.Logger
	maxBody  int64
	bodyTime time.Duration
	reading  chan struct{} // a token per webhook body being read
	slots    chan struct{} // a token per webhook request being handled
	rejected *rejectLog
}

func newHooks(d *Daemon, m *Metrics, hook HookFunc) *hooks {
	l := d.o.http.orDefaults()
	log := cmp.Or(d.o.log, slog.New(slog.DiscardHandler))
	return &hooks{d: d, m: m, hook: hook, log: log, maxBody: l.MaxHookBody, bodyTime: l.HookBodyTimeout,
		reading: make(chan struct{}, 2*l.MaxConcurrentHooks), slots: make(chan struct{}, l.MaxConcurrentHooks),
		rejected: newRejectLog(log, l)}
}

func (h *hooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("kind")
	kind := hookKind(raw)
	if kind == kindUnknown {
		h.reject(w, raw, kind, http.StatusNotFound, "unknown webhook kind")
		return
	}
	body, err := h.readBody(w, r, kind)
	if err != nil {
		return // answered
	}
	if !h.take(w, kind, h.slots) {
		return
	}
	defer func() { <-h.slots }()
	r.Body = io.NopCloser(bytes.NewReader(body))
	images, err := h.hook(kind, r)
	if err != nil {
		h.reject(w, raw, kind, statusOf(err), quoted(err.Error(), 4*maxLogged))
		return
	}
	h.m.webhook(kind, resultAccepted)
	repos := h.d.Trigger(images)
	h.log.Info("webhook accepted", "kind", kind, "images", images, "triggered", repos)
	writeJSON(w, http.StatusAccepted, map[string]any{"images": images, "triggered": repos})
}

// readBody reads a webhook body, bounded in size, in time and in how many
// are read at once, before the request takes a handling slot. A failure is
// answered here.
func (h *hooks) readBody(w http.ResponseWriter, r *http.Request, kind string) ([]byte, error) {
	if !h.take(w, kind, h.reading) {
		return nil, errBusy
	}
	defer func() { <-h.reading }()
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(h.bodyTime))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		h.reject(w, r.PathValue("kind"), kind, bodyStatus(err), "reading the body: "+quoted(err.Error(), maxLogged))
		return nil, err
	}
	return body, nil
}

var errBusy = errors.New("too many webhook requests")

// take takes a token of pool for the request, or answers 503 at once.
func (h *hooks) take(w http.ResponseWriter, kind string, pool chan struct{}) bool {
	select {
	case pool <- struct{}{}:
		return true
	default:
		w.Header().Set("Retry-After", "1")
		h.m.webhook(kind, resultBusy)
		h.rejected.warn("webhook refused: too many at once", "kind", kind, "limit", cap(pool))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": errBusy.Error()})
		return false
	}
}

// bodyStatus is 413 for a body over the limit, 408 for one too slow.
func bodyStatus(err error) int {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return http.StatusRequestTimeout
	}
	return statusOf(err)
}

// reject answers a rejected webhook request with status and a message
// already safe to show (constant or quoted), counts it and logs it at a
// bounded rate.
func (h *hooks) reject(w http.ResponseWriter, raw, kind string, status int, msg string) {
	h.m.webhook(kind, resultRejected)
	h.rejected.warn("webhook rejected", "kind", quoted(raw, maxLogged), "status", status, "error", msg)
	writeJSON(w, status, map[string]string{"error": msg})
}

func statusOf(err error) int {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	var s interface{ StatusCode() int }
	if errors.As(err, &s) {
		return s.StatusCode()
	}
	return http.StatusBadRequest
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
