package registry

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Option configures New.
type Option func(*options) error

type options struct {
	logger       *slog.Logger
	cachePath    string
	hosts        map[string]HostConfig
	defaults     HostConfig
	maxTags      int
	maxIndexSize int64
	pageSize     int
	keychain     authn.Keychain
	timeout      time.Duration
	retries      int
	backoff      time.Duration
	maxWait      time.Duration
	userAgent    string
}

func makeOptions(opts []Option) (*options, error) {
	o := &options{
		logger:       slog.New(slog.DiscardHandler),
		hosts:        map[string]HostConfig{},
		maxTags:      100000,
		maxIndexSize: 64 << 20,
		pageSize:     1000,
		keychain:     authn.DefaultKeychain,
		timeout:      30 * time.Second,
		retries:      4,
		backoff:      500 * time.Millisecond,
		maxWait:      2 * time.Minute,
		userAgent:    "hoist",
	}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// WithLogger sets the logger. The default discards logs.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("logger must not be nil")
		}
		o.logger = l
		return nil
	}
}

// WithCache keeps tags, digests and build times in the bbolt file at path,
// so a restarted process does not fetch them again. The default keeps them
// in memory only.
func WithCache(path string) Option {
	return func(o *options) error {
		if path == "" {
			return fmt.Errorf("cache path must not be empty")
		}
		o.cachePath = path
		return nil
	}
}

// WithHost sets the configuration of one registry host ("ghcr.io",
// "docker.io", "127.0.0.1:5000"). Its zero fields come from WithDefaults.
func WithHost(host string, c HostConfig) Option {
	return func(o *options) error {
		if host == "" {
			return fmt.Errorf("registry host must not be empty")
		}
		if err := c.validate(); err != nil {
			return fmt.Errorf("registry %s: %w", host, err)
		}
		o.hosts[normalizeHost(host)] = c
		return nil
	}
}

// WithDefaults sets the configuration of hosts without WithHost. Its zero
// fields take the built-in defaults documented on HostConfig.
func WithDefaults(c HostConfig) Option {
	return func(o *options) error {
		if err := c.validate(); err != nil {
			return fmt.Errorf("registry defaults: %w", err)
		}
		o.defaults = c
		return nil
	}
}

// WithMaxTags caps how many tags are listed per repository, and versions
// per chart: a repository or chart with more is an error wrapping
// ErrTruncated (and a warning in the log), and its page or index entry is
// read no further than the cap. The default is 100000.
func WithMaxTags(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("max tags must be positive, got %d", n)
		}
		o.maxTags = n
		return nil
	}
}

// WithMaxIndexSize caps the size of a chart repository's index.yaml (after
// decompression): a larger one is an error wrapping ErrTooLarge, read no
// further than the cap. The default is 64 MiB.
func WithMaxIndexSize(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("max index size must be positive, got %d", n)
		}
		o.maxIndexSize = n
		return nil
	}
}

// WithPageSize sets how many tags are asked for per page (the n parameter).
// The default is 1000.
func WithPageSize(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("page size must be positive, got %d", n)
		}
		o.pageSize = n
		return nil
	}
}

// WithKeychain sets where credentials of hosts without credential files come
// from. The default is the docker config ($DOCKER_CONFIG or ~/.docker) with
// its credential helpers.
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) error {
		if k == nil {
			return fmt.Errorf("keychain must not be nil")
		}
		o.keychain = k
		return nil
	}
}

// WithRequestTimeout sets the deadline of each HTTP request attempt.
// The default is 30s.
func WithRequestTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("request timeout must be positive, got %s", d)
		}
		o.timeout = d
		return nil
	}
}

// WithRetry sets how many times a failed request is retried (429, 5xx,
// timeouts, dropped connections) and the first backoff, which doubles each
// time (with full jitter, at most 30s). The default is 4 retries from 500ms.
func WithRetry(retries int, backoff time.Duration) Option {
	return func(o *options) error {
		if retries < 0 || backoff <= 0 {
			return fmt.Errorf("retries must be >= 0 and backoff positive, got %d and %s", retries, backoff)
		}
		o.retries, o.backoff = retries, backoff
		return nil
	}
}

// WithMaxRetryAfter sets the longest Retry-After the scanner waits for;
// a longer one fails the request. The default is 2m.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("max retry-after must be positive, got %s", d)
		}
		o.maxWait = d
		return nil
	}
}

// hostConfig is the effective configuration of host.
func (o *options) hostConfig(host string) HostConfig {
	c, ok := o.hosts[host]
	if !ok {
		c = o.defaults
	} else {
		c = c.merge(o.defaults)
	}
	return c.merge(builtinConfig(host))
}
