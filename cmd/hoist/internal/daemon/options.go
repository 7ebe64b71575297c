package daemon

import (
	"cmp"
	"fmt"
	"log/slog"
	"time"
)

// Option configures a Daemon.
type Option func(*options) error

type options struct {
	log      *slog.Logger
	metrics  *Metrics
	jitter   time.Duration
	debounce time.Duration
	drain    time.Duration
	backoff  time.Duration
	maxBack  time.Duration
	http     HTTPLimits // zero fields mean defaults: read through orDefaults
	owner    Ownership  // nil: every repository is this daemon's
}

func makeOptions(opts []Option) (options, error) {
	o := options{
		log:      slog.New(slog.DiscardHandler),
		jitter:   10 * time.Second,
		debounce: 200 * time.Millisecond,
		drain:    60 * time.Second,
		backoff:  10 * time.Second,
		maxBack:  10 * time.Minute,
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// WithLogger sets the logger. The default discards logs.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		o.log = l
		return nil
	}
}

// WithMetrics records passes in m. The default records nothing.
func WithMetrics(m *Metrics) Option {
	return func(o *options) error {
		o.metrics = m
		return nil
	}
}

// WithJitter delays each scheduled pass by a random time below d, so many
// repositories on one schedule do not fire together. The default is 10s.
func WithJitter(d time.Duration) Option {
	return func(o *options) error { return setDuration("jitter", d, &o.jitter) }
}

// WithDebounce waits d after a webhook before running the pass, so a burst
// of pushes makes one pass. The default is 200ms.
func WithDebounce(d time.Duration) Option {
	return func(o *options) error { return setDuration("debounce", d, &o.debounce) }
}

// WithDrain bounds how long shutdown waits for in-flight passes before
// cancelling them. The default is 60s.
func WithDrain(d time.Duration) Option {
	return func(o *options) error { return setDuration("drain", d, &o.drain) }
}

func setDuration(name string, d time.Duration, field *time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s must not be negative, got %v", name, d)
	}
	*field = d
	return nil
}

// WithBackoff sets the first wait after a failed pass before the next pass
// of that repository (scheduled or webhook) runs; it doubles per failure up
// to max.
// The defaults are 10s and 10m.
func WithBackoff(first, max time.Duration) Option {
	return func(o *options) error {
		if first < 0 || max < first {
			return fmt.Errorf("backoff: want 0 <= first <= max, got %v and %v", first, max)
		}
		o.backoff, o.maxBack = first, max
		return nil
	}
}

// HTTPLimits bound what the HTTP server (see [Server] and [Handler]) gives
// one client, so that unauthenticated callers cannot hold connections or
// memory. The zero value of each field means its default.
type HTTPLimits struct {
	// ReadHeaderTimeout bounds reading a request's headers.
	// The default is 10s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included: a client
	// that sends its body slowly is cut off. The default is 30s.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response, counted from the end of the
	// request's headers. The default is 30s.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request. The default is 2m.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's headers, request line included.
	// The default is 64 KiB.
	MaxHeaderBytes int
	// MaxHookBody bounds a webhook request's body; a larger one is answered
	// 413. The default is 1 MiB.
	MaxHookBody int64
	// MaxConcurrentHooks bounds the webhook requests handled at once; one
	// more is answered 503 at once. Bodies are read before a request takes
	// one of these slots, by at most twice as many requests at once, each
	// within HookBodyTimeout, so slow senders cannot hold the slots that
	// registries' webhooks need. The default is 16.
	MaxConcurrentHooks int
	// HookBodyTimeout bounds reading one webhook body (and is itself
	// bounded by ReadTimeout). The default is 5s.
	HookBodyTimeout time.Duration
	// RejectLogs is how many rejected webhook requests are logged per
	// RejectLogInterval; the rest are counted, and the first rejection of a
	// later interval logs "dropped rejected-request logs" with their count.
	// The defaults are 10 per minute.
	RejectLogs        int
	RejectLogInterval time.Duration
}

func (l HTTPLimits) orDefaults() HTTPLimits {
	return HTTPLimits{
		ReadHeaderTimeout:  cmp.Or(l.ReadHeaderTimeout, 10*time.Second),
		ReadTimeout:        cmp.Or(l.ReadTimeout, 30*time.Second),
		WriteTimeout:       cmp.Or(l.WriteTimeout, 30*time.Second),
		IdleTimeout:        cmp.Or(l.IdleTimeout, 2*time.Minute),
		MaxHeaderBytes:     cmp.Or(l.MaxHeaderBytes, 64<<10),
		MaxHookBody:        cmp.Or(l.MaxHookBody, 1<<20),
		MaxConcurrentHooks: cmp.Or(l.MaxConcurrentHooks, 16),
		HookBodyTimeout:    min(cmp.Or(l.HookBodyTimeout, 5*time.Second), cmp.Or(l.ReadTimeout, 30*time.Second)),
		RejectLogs:         cmp.Or(l.RejectLogs, 10),
		RejectLogInterval:  cmp.Or(l.RejectLogInterval, time.Minute),
	}
}

// WithHTTPLimits sets the HTTP server's limits; zero fields keep their
// defaults (see [HTTPLimits]).
func WithHTTPLimits(l HTTPLimits) Option {
	return func(o *options) error {
		if l.ReadHeaderTimeout < 0 || l.ReadTimeout < 0 || l.WriteTimeout < 0 || l.IdleTimeout < 0 ||
			l.MaxHeaderBytes < 0 || l.MaxHookBody < 0 || l.MaxConcurrentHooks < 0 || l.HookBodyTimeout < 0 ||
			l.RejectLogs < 0 || l.RejectLogInterval < 0 {
			return fmt.Errorf("http limits must not be negative, got %+v", l)
		}
		o.http = l
		return nil
	}
}
