package notify

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Option configures a Notifier.
type Option func(*options) error

type options struct {
	log        *slog.Logger
	registerer prometheus.Registerer
	client     *http.Client
	queue      int
	attempts   int
	timeout    time.Duration
	minBackoff time.Duration
	maxBackoff time.Duration
	maxWait    time.Duration
	now        func() time.Time
}

func makeOptions(opts []Option) (options, error) {
	o := options{
		log:        slog.New(slog.DiscardHandler),
		client:     defaultClient(),
		queue:      100,
		attempts:   5,
		timeout:    10 * time.Second,
		minBackoff: time.Second,
		maxBackoff: time.Minute,
		maxWait:    5 * time.Minute,
		now:        time.Now,
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return options{}, err
		}
	}
	if o.minBackoff > o.maxBackoff {
		return options{}, fmt.Errorf("backoff minimum %v above its maximum %v", o.minBackoff, o.maxBackoff)
	}
	return o, nil
}

// WithLogger sets the logger. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("nil logger")
		}
		o.log = l
		return nil
	}
}

// WithRegisterer registers the Notifier's metrics (see the package
// documentation) with r. The default registers none.
func WithRegisterer(r prometheus.Registerer) Option {
	return func(o *options) error { o.registerer = r; return nil }
}

// WithHTTPClient sets the client deliveries use; its Timeout should be
// zero (WithTimeout bounds each attempt). The default is a client of its
// own that follows no redirects and honours the proxy environment.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error {
		if c == nil {
			return fmt.Errorf("nil HTTP client")
		}
		o.client = c
		return nil
	}
}

// WithQueueSize sets how many events wait per destination before new ones
// are dropped. The default is 100.
func WithQueueSize(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("queue size must be positive, got %d", n)
		}
		o.queue = n
		return nil
	}
}

// WithAttempts sets how many times an event is posted before it is
// dropped. The default is 5.
func WithAttempts(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("attempts must be positive, got %d", n)
		}
		o.attempts = n
		return nil
	}
}

// WithTimeout bounds each attempt, from connecting to reading the answer.
// The default is 10s.
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("timeout must be positive, got %v", d)
		}
		o.timeout = d
		return nil
	}
}

// WithBackoff sets the wait before the first retry, doubled for each next
// one up to max. The defaults are 1s and 1m.
func WithBackoff(minimum, maximum time.Duration) Option {
	return func(o *options) error {
		if minimum <= 0 || maximum <= 0 {
			return fmt.Errorf("backoff must be positive, got %v and %v", minimum, maximum)
		}
		o.minBackoff, o.maxBackoff = minimum, maximum
		return nil
	}
}

// WithMaxRetryAfter caps how long a receiver's Retry-After can make a retry
// wait. The default is 5m.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("max Retry-After must not be negative, got %v", d)
		}
		o.maxWait = d
		return nil
	}
}
