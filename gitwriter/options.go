package gitwriter

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Option configures a [Repo] in [Open].
type Option func(*options) error

type options struct {
	branch, pushBranch string
	stateDir           string
	auth               Auth
	authorName         string
	authorEmail        string
	template           string
	automation         Automation
	signer             *SigningKey
	pushOptions        map[string]string
	maxAttempts        int
	timeout            time.Duration
	depth              int
	depthSet           bool
	historyLimit       int
	historyCache       *HistoryCache
	cloneCache         *CloneCache
	log                *slog.Logger
	// writeFile writes worktree files on checkout; tests replace it to
	// make writes fail.
	writeFile func(p string, mode filemode.FileMode, b []byte) error
	// indexCommit commits with go-git's Worktree.Commit, which builds
	// every tree from the whole index; tests and benchmarks set it to
	// compare with the trees written along the changed paths only.
	indexCommit bool
}

func makeOptions(opts ...Option) (*options, error) {
	o := &options{
		authorName:   "hoist",
		authorEmail:  "hoist@localhost",
		template:     DefaultMessageTemplate,
		maxAttempts:  5,
		timeout:      2 * time.Minute,
		depth:        1,
		historyLimit: defaultHistoryLimit,
		log:          slog.New(slog.DiscardHandler),
		writeFile:    writeFile,
	}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	if o.historyCache == nil {
		o.historyCache = &HistoryCache{}
	}
	if o.cloneCache == nil {
		o.cloneCache = &CloneCache{}
	}
	if o.pushBranch == o.branch {
		o.pushBranch = ""
	}
	if o.pushBranch != "" && !o.depthSet {
		o.depth = 0 // deciding whether the push branch is hoist's own needs history
	}
	return o, nil
}

// WithBranch sets the branch to check out and commit on.
// The default is the branch the remote's HEAD points to.
func WithBranch(b string) Option {
	return func(o *options) error {
		if err := validBranch(b); err != nil {
			return err
		}
		o.branch = b
		return nil
	}
}

// WithPushBranch makes Update push to branch b, created from the checkout
// branch, instead of the checkout branch. b is the only branch hoist may
// force-update, and only while every commit on it that the checkout branch
// lacks is hoist's own. The default is to push to the checkout branch.
func WithPushBranch(b string) Option {
	return func(o *options) error {
		if err := validBranch(b); err != nil {
			return err
		}
		o.pushBranch = b
		return nil
	}
}

func validBranch(b string) error {
	if b == "" || strings.HasPrefix(b, "-") || strings.ContainsAny(b, " ~^:?*[\\\x00\n") ||
		strings.Contains(b, "..") || strings.HasSuffix(b, "/") || strings.HasSuffix(b, ".lock") {
		return fmt.Errorf("invalid branch name %q", b)
	}
	return nil
}

// WithStateDir sets the directory the clone is cached in, so later runs only
// fetch. The default is a temporary directory that Close removes.
func WithStateDir(dir string) Option {
	return func(o *options) error {
		if dir == "" {
			return errors.New("state dir must not be empty")
		}
		o.stateDir = dir
		return nil
	}
}

// WithAuth sets the credentials for the remote. The default is none.
func WithAuth(a Auth) Option {
	return func(o *options) error {
		o.auth = a
		return nil
	}
}

// WithAuthor sets the author and committer of hoist's commits.
// The default is "hoist" <hoist@localhost>.
func WithAuthor(name, email string) Option {
	return func(o *options) error {
		if strings.ContainsAny(name+email, "<>\n") || name == "" || email == "" {
			return fmt.Errorf("invalid author %q <%s>", name, email)
		}
		o.authorName, o.authorEmail = name, email
		return nil
	}
}

// WithMessageTemplate sets the text/template of the commit message; it
// executes on a [MessageData], which holds hoist's data and Flux's
// (.AutomationObject, .Changed, .Updated, .Values), with the functions Flux
// users reach for from Sprig (see templateFuncs in funcs.go: lower, upper,
// contains, trunc, toString, sha256sum, join and others). Open rejects a template that does not parse or fails on
// sample data; [CheckMessageTemplate] checks one without opening. The
// message starts with exactly what the template renders, and the trailers
// are appended after it whatever it says.
// The default is [DefaultMessageTemplate].
func WithMessageTemplate(text string) Option {
	return func(o *options) error {
		o.template = text
		return nil
	}
}

// Automation is the Flux ImageUpdateAutomation a [Repo] commits for. Its
// commit message template ([WithMessageTemplate]) sees it as a Flux
// template does.
type Automation struct {
	// Namespace and Name are the automation's: the template's
	// .AutomationObject.
	Namespace, Name string
	// Path is the automation's spec.update.path, slash-separated and
	// relative to the worktree root; "" and "." mean the root. As in Flux,
	// .Changed.FileChanges and .Updated.Files name files relative to it.
	Path string
	// Values are spec.git.commit.messageTemplateValues: the template's
	// .Values.
	Values map[string]string
}

// WithAutomation makes commit messages render for the Flux automation a:
// .AutomationObject, .Values and the file names of .Changed and .Updated
// come from it. The default is no automation: .AutomationObject prints "/",
// .Values is empty and files are named from the worktree root.
func WithAutomation(a Automation) Option {
	return func(o *options) error {
		if strings.Contains(a.Path, "\\") || slices.Contains(strings.Split(a.Path, "/"), "..") {
			return fmt.Errorf("invalid automation path %q: want a slash-separated path inside the worktree", a.Path)
		}
		a.Path = cleanPath(a.Path)
		a.Values = maps.Clone(a.Values)
		o.automation = a
		return nil
	}
}

// cleanPath returns p clean, without leading slash, "" for the root.
func cleanPath(p string) string {
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

// WithSigner signs every commit with key. The default is unsigned commits.
func WithSigner(key SigningKey) Option {
	return func(o *options) error {
		o.signer = &key
		return nil
	}
}

// WithPushOptions sends git push options, as `git push -o opt` does, for
// example GitLab's "merge_request.create" or "merge_request.target=main".
// go-git sends every option as key=value, so "merge_request.create" goes out
// as "merge_request.create=" (GitLab reads an empty value as true).
// The default is none.
func WithPushOptions(opts ...string) Option {
	return func(o *options) error {
		o.pushOptions = make(map[string]string, len(opts))
		for _, opt := range opts {
			k, v, _ := strings.Cut(opt, "=")
			if k == "" || strings.ContainsAny(opt, "\n\x00") {
				return fmt.Errorf("invalid push option %q", opt)
			}
			o.pushOptions[k] = v
		}
		return nil
	}
}

// WithMaxAttempts bounds how many times Update edits, commits and pushes when
// the remote keeps moving. The default is 5.
func WithMaxAttempts(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("max attempts must be positive, got %d", n)
		}
		o.maxAttempts = n
		return nil
	}
}

// WithTimeout sets the deadline of each network operation (clone, fetch,
// push). The default is 2 minutes.
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("timeout must be positive, got %s", d)
		}
		o.timeout = d
		return nil
	}
}

// WithHistoryLimit bounds how many commits [Repo.Holds] reads back from
// the head (deepening a shallow clone up to that many). When history runs
// out first, the report says so. The default is 10000.
func WithHistoryLimit(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("history limit must be positive, got %d", n)
		}
		o.historyLimit = n
		return nil
	}
}

// WithHistoryCache keeps what [Repo.Holds] reads from history in c, so
// that a Repo opened for each pass reads only the commits that are new.
// The default is a cache of the Repo's own.
func WithHistoryCache(c *HistoryCache) Option {
	return func(o *options) error {
		o.historyCache = c
		return nil
	}
}

// WithCloneCache keeps what a Repo learns of its cached clone in c (the
// commits it checked, the decoded index), so that a Repo opened for each
// pass on the same state dir neither walks the head's trees nor decodes the
// index again. The default is a cache of the Repo's own.
func WithCloneCache(c *CloneCache) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("clone cache must not be nil")
		}
		o.cloneCache = c
		return nil
	}
}

// WithDepth sets the clone depth; 0 means the full history. The default is 1
// (a shallow clone), or the full history with [WithPushBranch].
func WithDepth(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("depth must not be negative, got %d", n)
		}
		o.depth, o.depthSet = n, true
		return nil
	}
}

// WithLogger sets the logger. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("logger must not be nil")
		}
		o.log = l
		return nil
	}
}
