package ui

import (
	"log/slog"
	"time"
)

// Option configures the [Handler].
type Option func(*options)

type options struct {
	log     *slog.Logger
	timeout time.Duration
	refresh time.Duration
}

func makeOptions(opts []Option) options {
	o := options{log: slog.New(slog.DiscardHandler), timeout: 5 * time.Second, refresh: 30 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLogger sets the logger for errors rendering the page. The default
// discards logs.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// WithTimeout bounds how long a request waits for the Source's status; a
// non-positive d keeps the default. The default is 5s.
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithRefresh makes the page reload itself every d (with a meta refresh:
// no script), rounded to whole seconds; d <= 0 turns reloading off.
// The default is 30s.
func WithRefresh(d time.Duration) Option {
	return func(o *options) { o.refresh = max(d, 0) }
}
