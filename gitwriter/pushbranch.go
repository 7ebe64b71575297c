package gitwriter

import (
	"context"
	"fmt"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// preparePushBranch lets the push overwrite the push branch, with a lease on
// its current value, when every commit on it the checkout branch lacks is
// hoist's. When the push branch already holds the same change on the same
// parent, it returns that commit and nothing needs pushing.
func (r *Repo) preparePushBranch(ctx context.Context, c *credentials, opts *git.PushOptions, commit plumbing.Hash) (plumbing.Hash, error) {
	rem, err := r.repo.Remote(remoteName)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading remote: %w", err)
	}
	nctx, cancel := r.netCtx(ctx)
	defer cancel()
	refs, err := rem.ListContext(nctx, &git.ListOptions{Auth: c.method, CABundle: c.caBundle})
	if err != nil {
		return plumbing.ZeroHash, r.fail("list", err, c)
	}
	dst := plumbing.NewBranchReferenceName(r.o.pushBranch)
	var cur plumbing.Hash
	for _, ref := range refs {
		if ref.Name() == dst {
			cur = ref.Hash()
		}
	}
	if cur.IsZero() {
		return plumbing.ZeroHash, nil
	}
	if err := r.checkOwnPushBranch(ctx, c, cur); err != nil {
		return plumbing.ZeroHash, err
	}
	if r.sameChange(cur, commit) {
		return cur, nil
	}
	opts.RefSpecs = []config.RefSpec{config.RefSpec("+" + string(opts.RefSpecs[0]))}
	opts.ForceWithLease = &git.ForceWithLease{RefName: dst, Hash: cur}
	return plumbing.ZeroHash, nil
}

// sameChange reports whether commits a and b have the same tree and parents.
func (r *Repo) sameChange(a, b plumbing.Hash) bool {
	ca, err := r.repo.CommitObject(a)
	if err != nil {
		return false
	}
	cb, err := r.repo.CommitObject(b)
	if err != nil {
		return false
	}
	return ca.TreeHash == cb.TreeHash && fmt.Sprint(ca.ParentHashes) == fmt.Sprint(cb.ParentHashes)
}

// maxOwnCommits bounds the walk over the push branch's own commits.
const maxOwnCommits = 1000

// checkOwnPushBranch fetches the push branch at cur and checks that every
// commit on it that the checkout branch lacks is a hoist commit by our author.
func (r *Repo) checkOwnPushBranch(ctx context.Context, c *credentials, cur plumbing.Hash) error {
	track := plumbing.NewRemoteReferenceName(remoteName, r.o.pushBranch)
	spec := config.RefSpec(fmt.Sprintf("+%s:%s", plumbing.NewBranchReferenceName(r.o.pushBranch), track))
	nctx, cancel := r.netCtx(ctx)
	defer cancel()
	err := r.fetchContext(nctx, &git.FetchOptions{
		RemoteName: remoteName, RemoteURL: r.url, RefSpecs: []config.RefSpec{spec},
		Auth: c.method, CABundle: c.caBundle, Tags: git.NoTags, Force: true,
	})
	if err != nil && err != git.NoErrAlreadyUpToDate {
		return r.fail("fetch", err, c)
	}
	base, err := r.trackingCommit()
	if err != nil {
		return err
	}
	h := cur
	for i := 0; i < maxOwnCommits; i++ {
		commit, err := r.repo.CommitObject(h)
		if err != nil {
			return fmt.Errorf("reading push branch commit %s: %w", h, err)
		}
		if ok, err := commit.IsAncestor(base); err == nil && ok {
			return nil
		}
		if !r.ownCommit(commit) {
			return r.fail("push", fmt.Errorf("%w: %s on %s", ErrForeignPushBranch, h, r.o.pushBranch), c)
		}
		if commit.NumParents() == 0 {
			return nil
		}
		h = commit.ParentHashes[0]
	}
	return r.fail("push", fmt.Errorf("%w: more than %d commits on %s", ErrForeignPushBranch, maxOwnCommits, r.o.pushBranch), c)
}

func (r *Repo) trackingCommit() (*object.Commit, error) {
	ref, err := r.repo.Reference(r.trackingRef(), true)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", r.trackingRef(), err)
	}
	c, err := r.repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("reading commit %s: %w", ref.Hash(), err)
	}
	return c, nil
}

// ownCommit reports whether c is a hoist commit by the configured author.
func (r *Repo) ownCommit(c *object.Commit) bool {
	return c.Author.Email == r.o.authorEmail && strings.Contains(c.Message, "\n"+TrailerPolicy+": ")
}
