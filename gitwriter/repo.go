package gitwriter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"text/template"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

const remoteName = "origin"

// Repo is a cached clone of one branch of a remote. Its methods are safe for
// concurrent use; they run one at a time. Several Repos (or processes) may
// share a state dir: each clone directory is locked while in use.
type Repo struct {
	url      string
	redacted string
	ep       *transport.Endpoint
	o        *options
	tmpl     *template.Template
	signer   git.Signer
	log      *slog.Logger
	branch   string // resolved at Open
	dir      string // the clone (worktree root)
	tempDir  string // removed by Close; "" with WithStateDir

	mu      sync.Mutex // Protects the fields below and the clone.
	repo    *git.Repository
	lock    *os.File
	indexAt plumbing.Hash // commit the index matches (worktree too, but for files scan finds); zero if unknown
	clean   bool          // the worktree matches the index exactly, no scan needed
}

// Open prepares a cached clone of url: it resolves the branch, reuses the
// clone in the state dir when it is intact and on the same remote, and
// clones otherwise.
func Open(ctx context.Context, url string, opts ...Option) (*Repo, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	r := &Repo{url: url, redacted: redactURL(url), o: o, log: o.log}
	if r.ep, err = transport.NewEndpoint(url); err != nil {
		return nil, fmt.Errorf("parsing remote URL %s: %w", r.redacted, err)
	}
	if r.tmpl, err = parseTemplate(o.template); err != nil {
		return nil, err
	}
	if o.signer != nil {
		if r.signer, err = o.signer.load(); err != nil {
			return nil, err
		}
	}
	if err := r.open(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *Repo) open(ctx context.Context) error {
	if err := r.resolveBranch(ctx); err != nil {
		return err
	}
	base := r.o.stateDir
	if base == "" {
		d, err := os.MkdirTemp("", "hoist-git-")
		if err != nil {
			return fmt.Errorf("creating clone dir: %w", err)
		}
		r.tempDir, base = d, d
	}
	sum := sha256.Sum256([]byte(r.url + "\x00" + r.branch))
	r.dir = filepath.Join(base, hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(base, 0o755); err != nil {
		return fmt.Errorf("creating state dir: %w", err)
	}
	if err := r.lockDir(); err != nil {
		return err
	}
	return r.openOrClone(ctx)
}

// lockDir takes an exclusive flock on the clone's lock file, released by Close.
func (r *Repo) lockDir() error {
	f, err := os.OpenFile(r.dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("opening clone lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return fmt.Errorf("locking clone %s: %w", r.dir, err)
	}
	r.lock = f
	return nil
}

// Dir returns the worktree directory of the cached clone.
func (r *Repo) Dir() string { return r.dir }

// Branch returns the checkout branch.
func (r *Repo) Branch() string { return r.branch }

// Close releases the clone and removes it when it lives in a temporary directory.
func (r *Repo) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	if r.lock != nil {
		errs = append(errs, r.lock.Close())
		r.lock = nil
	}
	if r.tempDir != "" {
		errs = append(errs, os.RemoveAll(r.tempDir))
		r.tempDir = ""
	}
	r.repo = nil
	return errors.Join(errs...)
}

// netCtx gives one network operation its deadline.
func (r *Repo) netCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.o.timeout)
}

// fail wraps err as an *Error of step, redacting the credentials in use.
func (r *Repo) fail(step string, err error, c *credentials) error {
	e := &Error{Step: step, Remote: r.redacted, Err: err, secrets: urlSecrets(r.url)}
	if c != nil {
		e.secrets = append(e.secrets, c.secrets...)
	}
	return e
}

func (r *Repo) creds(step string) (*credentials, error) {
	c, err := r.o.auth.load(r.ep, r.log)
	if err != nil {
		return nil, r.fail(step, err, nil)
	}
	return c, nil
}
