package shard

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Option configures a Shard.
type Option func(*options) error

type options struct {
	log      *slog.Logger
	reg      prometheus.Registerer // nil: metrics are kept but not registered
	duration time.Duration
	renew    time.Duration // 0 until makeOptions: duration/3
	repos    []string
	release  time.Duration // how long Run may spend deleting its Lease on the way out
}

func makeOptions(opts []Option) (options, error) {
	o := options{
		log:      slog.New(slog.DiscardHandler),
		duration: 15 * time.Second,
		release:  5 * time.Second,
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	if o.renew == 0 {
		o.renew = o.duration / 3
	}
	if o.renew >= o.duration {
		return o, fmt.Errorf("renew interval %v must be shorter than the lease duration %v", o.renew, o.duration)
	}
	return o, nil
}

// WithLogger sets the logger. The default discards logs.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("nil logger")
		}
		o.log = l
		return nil
	}
}

// WithMetrics registers the shard's metrics (hoist_shard_*) on reg.
// The default registers nothing.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(o *options) error {
		o.reg = reg
		return nil
	}
}

// WithLeaseDuration sets how long a replica's Lease stays valid without a
// renewal: how soon the others take over from a replica that died. It is
// rounded up to whole seconds, as Leases count them. The default is 15s.
func WithLeaseDuration(d time.Duration) Option {
	return func(o *options) error {
		if d < time.Second {
			return fmt.Errorf("lease duration must be at least 1s, got %v", d)
		}
		o.duration = d.Round(time.Second)
		if o.duration < d {
			o.duration += time.Second
		}
		return nil
	}
}

// WithRenewInterval sets how often a replica renews its Lease; it must be
// shorter than the lease duration. The default is a third of it.
func WithRenewInterval(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("renew interval must be positive, got %v", d)
		}
		o.renew = d
		return nil
	}
}

// WithRepositories names the configured repositories, so that the shard can
// count the ones it owns (hoist_shard_repositories), count handovers and log
// them. Ownership itself does not need the list. The default is none.
func WithRepositories(names []string) Option {
	return func(o *options) error {
		o.repos = append([]string(nil), names...)
		return nil
	}
}
