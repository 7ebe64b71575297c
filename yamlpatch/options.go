package yamlpatch

import (
	"errors"
	"log/slog"
	"os"
	"runtime"
)

// Option configures [Apply] and [Scan].
type Option func(*options) error

type options struct {
	dryRun   bool
	logger   *slog.Logger
	knownIDs map[string]bool // nil means any policy ID is accepted
	jobs     int
	sync     bool       // fsync before rename
	plain    plainCache // per-run cache of plain-scalar checks
	euid     int
	egid     int
}

func makeOptions(opts ...Option) (*options, error) {
	o := &options{
		logger: slog.New(slog.DiscardHandler),
		jobs:   runtime.GOMAXPROCS(0),
		euid:   os.Geteuid(),
		egid:   os.Getegid(),
	}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// WithDryRun makes [Apply] compute its [Result], diff included, without
// writing any file. The default is to write.
func WithDryRun() Option {
	return func(o *options) error {
		o.dryRun = true
		return nil
	}
}

// WithLogger sets the logger. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("nil logger")
		}
		o.logger = l
		return nil
	}
}

// WithKnownPolicies names every policy ID ("ns:name" or "name") that exists.
// A marker naming any other ID is then reported as a [Problem]. The default
// accepts any ID; [Apply] leaves markers of policies not in its refs alone.
func WithKnownPolicies(ids ...string) Option {
	return func(o *options) error {
		if o.knownIDs == nil {
			o.knownIDs = make(map[string]bool, len(ids))
		}
		for _, id := range ids {
			o.knownIDs[id] = true
		}
		return nil
	}
}

// WithJobs sets how many files are processed at once.
// The default is runtime.GOMAXPROCS(0).
func WithJobs(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return errors.New("jobs must be positive")
		}
		o.jobs = n
		return nil
	}
}

// WithSync makes [Apply] flush each rewritten file to disk (fsync) before
// renaming it into place. The default does not: the rename is still atomic
// for readers and the caller commits the result, but after a machine crash
// a rewritten file may be empty. Flushing costs one fsync per changed file.
func WithSync() Option {
	return func(o *options) error {
		o.sync = true
		return nil
	}
}
