package yamlpatch

import (
	"errors"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"
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
	targets  targetCache
	strs     interner // one copy of the strings changes repeat
	// bufs holds *[]byte read buffers: a file without the marker token,
	// most files of most trees, is read into one and let go.
	bufs    sync.Pool
	euid    int
	egid    int
	maxSize int64 // files bigger than this are not parsed
	inPlace bool  // write changed files in place rather than by rename
	// fullVerify re-parses every edited file, even when the edits are
	// proven safe without it.
	fullVerify bool
	noDiff     bool // build no diff (WithoutDiff)
	// write writes a changed file; a seam for tests (writeFile).
	write func(path string, data []byte, meta fileMeta, w writeOpts) error
	// onParse, when set, is called each time a file's text is parsed
	// (the original, or an edit's result to verify it); a seam for tests.
	onParse func(rel string)
	// cache, when set, knows unmarked files by their stat data.
	cache *Cache
	// now tells the time files are read at (time.Now); onRead, when set,
	// is called before each file is read. Seams for tests.
	now    func() time.Time
	onRead func(rel string)
}

func makeOptions(opts ...Option) (*options, error) {
	o := &options{
		logger:  slog.New(slog.DiscardHandler),
		jobs:    runtime.GOMAXPROCS(0),
		euid:    os.Geteuid(),
		egid:    os.Getegid(),
		maxSize: defaultMaxFileSize,
		write:   writeFile,
		now:     time.Now,
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

// WithMaxFileSize sets the size in bytes above which a file is not parsed:
// parsing costs many times a file's size in memory. A bigger file that
// holds a marker is reported as a [Problem] ("file too large to rewrite")
// and left alone; one without a marker is skipped. The default is 8 MiB.
func WithMaxFileSize(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return errors.New("max file size must be positive")
		}
		o.maxSize = n
		return nil
	}
}

// WithInPlaceWrites makes [Apply] write each changed file in place
// (truncate and write: mode and owner stay with the inode) rather than
// write a temp file and rename it over the original. It saves two system
// calls of the costliest kind per file, but a failure (a full disk, a
// crash) can leave a file truncated, and readers can see it half written.
// Use it only in a tree that is thrown away or reset after any failure,
// such as a cached clone that is reset from git before each pass; keep the
// default, atomic temp and rename, in a tree someone else reads or owns
// (a user's checkout, a shared volume). A file with more than one hard
// link is always replaced by rename, so the other names never change.
func WithInPlaceWrites() Option {
	return func(o *options) error {
		o.inPlace = true
		return nil
	}
}

// WithFullVerify makes [Apply] re-parse every edited file and compare it
// node by node with the original. By default that is done only for edits
// not proven safe without it: an edit that replaces a single-line scalar
// with one of the same quoting style, whose new text is known to read back
// as exactly the new string (see verifyQuick), cannot change anything
// else in the file. Tests and fuzzing use this to check that proof.
func WithFullVerify() Option {
	return func(o *options) error {
		o.fullVerify = true
		return nil
	}
}

// WithoutDiff makes [Apply] leave [Result.Diff] empty: no diff text is
// built for any file, which saves its memory (about a third of a big
// tree's Result) and the time to build it. Everything else in the Result,
// and every file written, is the same as without it. Use it where no one
// reads the diff (a daemon's pass); `hoist plan` shows it and must not.
func WithoutDiff() Option {
	return func(o *options) error {
		o.noDiff = true
		return nil
	}
}
