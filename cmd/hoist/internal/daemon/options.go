package daemon

import (
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
