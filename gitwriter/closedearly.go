package gitwriter

import (
	"context"
	"os"
	"strings"

	"github.com/go-git/go-git/v5"
)

// closedEarly reports whether err is go-git's "closing input: EOF": over
// SSH a server can close its side of an upload-pack session while the
// client is still closing its request, and go-git v5 then fails the fetch
// before reading the pack (go-git/go-git#1685; v6 ignores the EOF). It is
// transient: the same fetch again succeeds. The error is not typed, so it
// is known by its text.
func closedEarly(err error) bool {
	return err != nil && strings.Contains(err.Error(), "closing input: EOF")
}

// fetchContext is Repository.FetchContext, run once more when the server
// closed early.
func (r *Repo) fetchContext(ctx context.Context, o *git.FetchOptions) error {
	err := r.repo.FetchContext(ctx, o)
	if closedEarly(err) {
		r.log.Debug("fetch cut short by the server, fetching again", "remote", r.redacted, "error", err)
		err = r.repo.FetchContext(ctx, o)
	}
	return err
}

// plainClone is git.PlainCloneContext into r.dir, run once more (on an
// emptied directory) when the server closed early.
func (r *Repo) plainClone(ctx context.Context, o *git.CloneOptions) (*git.Repository, error) {
	repo, err := git.PlainCloneContext(ctx, r.dir, false, o)
	if closedEarly(err) {
		r.log.Debug("clone cut short by the server, cloning again", "remote", r.redacted, "error", err)
		if rerr := os.RemoveAll(r.dir); rerr != nil {
			return nil, err
		}
		repo, err = git.PlainCloneContext(ctx, r.dir, false, o)
	}
	return repo, err
}
