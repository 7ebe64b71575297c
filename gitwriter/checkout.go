package gitwriter

import (
	"context"
	"errors"
	"fmt"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
)

// Checkout fetches the remote branch and hard-resets the cached worktree to
// it. It returns the worktree directory and the head commit. The caller may
// change the worktree (for a dry run); the next operation resets it.
func (r *Repo) Checkout(ctx context.Context) (dir, head string, err error) {
	end, err := r.begin(ctx)
	if err != nil {
		return "", "", err
	}
	defer end()
	defer r.forgetOnError(&err)
	h, err := r.checkout(ctx)
	if err != nil {
		return "", "", err
	}
	r.clean = false // the caller may edit the worktree; the next operation scans it
	return r.dir, h.String(), nil
}

func (r *Repo) checkout(ctx context.Context) (plumbing.Hash, error) {
	if err := r.fetch(ctx); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := r.reset()
	if err != nil {
		r.log.Warn("recloning: reset of cached clone failed", "dir", r.dir, "reason", err.Error())
		if err := r.clone(ctx); err != nil {
			return plumbing.ZeroHash, err
		}
		return r.reset()
	}
	return h, nil
}

// fetch updates the remote-tracking ref of the branch.
func (r *Repo) fetch(ctx context.Context) error {
	return r.fetchDepth(ctx, r.o.depth)
}

func (r *Repo) fetchDepth(ctx context.Context, depth int) error {
	updated, err := r.fetchInto(ctx, r.trackingRef(), depth)
	if err == nil {
		r.log.Debug("fetched", "branch", r.branch, "updated", updated)
	}
	return err
}

// fetchInto fetches the branch, to depth (0: all of it), into the local
// ref into, forcing it. updated is false when into was already current.
func (r *Repo) fetchInto(ctx context.Context, into plumbing.ReferenceName, depth int) (updated bool, err error) {
	c, err := r.creds("fetch")
	if err != nil {
		return false, err
	}
	spec := config.RefSpec(fmt.Sprintf("+%s:%s", plumbing.NewBranchReferenceName(r.branch), into))
	nctx, cancel := r.netCtx(ctx)
	defer cancel()
	err = r.fetchContext(nctx, &git.FetchOptions{
		RemoteName: remoteName, RemoteURL: r.url, RefSpecs: []config.RefSpec{spec},
		Auth: c.method, CABundle: c.caBundle, Depth: depth, Tags: git.NoTags, Force: true,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return false, r.fail("fetch", err, c)
	}
	return err == nil, nil
}

// reset points the local branch and HEAD at the remote-tracking ref and
// hard-resets the worktree to it.
func (r *Repo) reset() (plumbing.Hash, error) {
	ref, err := r.repo.Reference(r.trackingRef(), true)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading %s: %w", r.trackingRef(), err)
	}
	h := ref.Hash()
	local := plumbing.NewBranchReferenceName(r.branch)
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(local, h)); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("setting %s: %w", local, err)
	}
	if err := r.repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, local)); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("setting HEAD: %w", err)
	}
	if err := r.resetWorktree(h); err != nil {
		return plumbing.ZeroHash, err
	}
	return h, nil
}
