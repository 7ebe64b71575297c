package gitwriter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

const remoteName = "origin"

// Repo is a cached clone of one branch of a remote. Its methods are safe for
// concurrent use; they run one at a time. Several Repos (or processes) may
// share a state dir: each operation holds a file lock on the clone.
type Repo struct {
	url      string        // without credentials
	urlAuth  *url.Userinfo // credentials that came in an HTTP(S) URL, used as basic auth
	secrets  []string      // secrets of the URL as given, scrubbed from errors
	redacted string
	ep       *transport.Endpoint
	o        *options
	tmpl     *messageTemplate
	signer   git.Signer
	log      *slog.Logger
	branch   string // resolved at Open
	dir      string // the clone (worktree root)
	tempDir  string // removed by Close; "" with WithStateDir

	mu      sync.Mutex // Protects the fields below and, with the clone's file lock, the clone.
	closed  bool
	repo    *git.Repository
	indexAt plumbing.Hash // commit the index matches (worktree too, but for files scan finds); zero if unknown
	clean   bool          // the worktree matches the index exactly, no scan needed
	stamp   string        // the index file's size and mtime when indexAt was recorded

	// Counters for tests: index files decoded, commits' trees walked and
	// tree objects encoded for commits.
	indexDecodes, treeWalks, treesHashed int
}

// Open prepares a cached clone of rawURL: it resolves the branch, reuses the
// clone in the state dir when it is intact and on the same remote, and
// clones otherwise. Credentials in an HTTP(S) URL are used as basic auth
// when [Auth] sets none, and are never written to the clone's config; prefer
// [Auth] files.
func Open(ctx context.Context, rawURL string, opts ...Option) (*Repo, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	r := &Repo{redacted: redactURL(rawURL), o: o, log: o.log, secrets: urlSecrets(rawURL)}
	r.url, r.urlAuth = splitURLAuth(rawURL)
	if r.ep, err = transport.NewEndpoint(r.url); err != nil {
		return nil, fmt.Errorf("parsing remote URL %s: %w", r.redacted, err)
	}
	if r.tmpl, err = parseTemplate(o.template, o.automation); err != nil {
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
	end, err := r.begin(ctx)
	if err != nil {
		return err
	}
	end()
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
	r.closed, r.repo = true, nil
	if r.tempDir == "" {
		return nil
	}
	err := os.RemoveAll(r.tempDir)
	r.tempDir = ""
	if err != nil {
		return fmt.Errorf("removing temporary clone: %w", err)
	}
	return nil
}

// netCtx gives one network operation its deadline.
func (r *Repo) netCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.o.timeout)
}

// fail wraps err as an *Error of step, redacting the credentials in use.
func (r *Repo) fail(step string, err error, c *credentials) error {
	e := &Error{Step: step, Remote: r.redacted, Err: err, secrets: r.secrets}
	if c != nil {
		e.secrets = append(e.secrets, c.secrets...)
	}
	return e
}

func (r *Repo) creds(step string) (*credentials, error) {
	c, err := r.o.auth.load(r.ep, r.urlAuth, r.log)
	if err != nil {
		return nil, r.fail(step, err, nil)
	}
	return c, nil
}
