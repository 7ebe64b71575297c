package policy

import (
	"errors"
	"log/slog"
)

// Option configures Load.
type Option func(*options) error

type options struct {
	log     *slog.Logger
	maxFile int64
	cache   *Cache // nil for none
}

// WithLogger sets the logger Load reports skipped files and notes to.
// The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("logger must not be nil")
		}
		o.log = l
		return nil
	}
}

// WithMaxFileSize sets the size above which a YAML file is not read but
// reported as a Problem. The default is 16 MiB.
func WithMaxFileSize(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return errors.New("max file size must be positive")
		}
		o.maxFile = n
		return nil
	}
}

func makeOptions(opts []Option) (*options, error) {
	o := &options{log: slog.New(slog.DiscardHandler), maxFile: 16 << 20}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}
