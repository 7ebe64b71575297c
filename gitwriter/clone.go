package gitwriter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// resolveBranch sets r.branch, asking the remote for its HEAD when no branch was given.
func (r *Repo) resolveBranch(ctx context.Context) error {
	if r.o.branch != "" {
		r.branch = r.o.branch
		return nil
	}
	c, err := r.creds("list")
	if err != nil {
		return err
	}
	rem := git.NewRemote(nil, &config.RemoteConfig{Name: remoteName, URLs: []string{r.url}})
	nctx, cancel := r.netCtx(ctx)
	defer cancel()
	refs, err := rem.ListContext(nctx, &git.ListOptions{Auth: c.method, CABundle: c.caBundle})
	if err != nil {
		return r.fail("list", err, c)
	}
	for _, ref := range refs {
		if ref.Name() == plumbing.HEAD && ref.Type() == plumbing.SymbolicReference && ref.Target().IsBranch() {
			r.branch = ref.Target().Short()
			return nil
		}
	}
	return r.fail("list", errors.New("remote HEAD names no branch; set the branch"), c)
}

// openOrClone reuses a cached clone that is intact and on the same remote,
// and clones afresh otherwise.
func (r *Repo) openOrClone(ctx context.Context) error {
	if repo, err := r.openCached(); err == nil {
		r.repo = repo
		r.loadIndexAt()
		return nil
	} else if !errors.Is(err, git.ErrRepositoryNotExists) {
		r.log.Warn("recloning: cached clone unusable", "dir", r.dir, "reason", err.Error())
	}
	return r.clone(ctx)
}

func (r *Repo) openCached() (*git.Repository, error) {
	repo, err := git.PlainOpen(r.dir)
	if err != nil {
		return nil, err
	}
	rem, err := repo.Remote(remoteName)
	if err != nil {
		return nil, fmt.Errorf("reading remote: %w", err)
	}
	if urls := rem.Config().URLs; len(urls) != 1 || urls[0] != r.url {
		return nil, errors.New("clone is of another remote")
	}
	if err := checkRefs(repo); err != nil {
		return nil, err
	}
	ref, err := repo.Reference(r.trackingRef(), true)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", r.trackingRef(), err)
	}
	if err := r.verifyCommit(repo, ref.Hash()); err != nil {
		return nil, err
	}
	return repo, nil
}

// verifyCommit checks commit h with checkCommit, unless this process did so
// in this clone before: then it reads only the commit and its root tree.
func (r *Repo) verifyCommit(repo *git.Repository, h plumbing.Hash) error {
	if r.o.cloneCache.isVerified(r.dir, h) {
		c, err := repo.CommitObject(h)
		if err != nil {
			return fmt.Errorf("reading commit %s: %w", h, err)
		}
		if _, err := c.Tree(); err != nil {
			return fmt.Errorf("reading tree of %s: %w", h, err)
		}
		return nil
	}
	r.treeWalks++
	if err := checkCommit(repo, h); err != nil {
		return err
	}
	r.o.cloneCache.putVerified(r.dir, h)
	return nil
}

// checkRefs reads every reference, failing on one a crash left empty or
// half-written (fetch would trip on it later).
func checkRefs(repo *git.Repository) error {
	refs, err := repo.References()
	if err != nil {
		return fmt.Errorf("reading references: %w", err)
	}
	defer refs.Close()
	if err := refs.ForEach(func(*plumbing.Reference) error { return nil }); err != nil {
		return fmt.Errorf("reading references: %w", err)
	}
	return nil
}

// checkCommit reads the commit h and every tree under it, failing on a
// missing or corrupt object.
func checkCommit(repo *git.Repository, h plumbing.Hash) error {
	c, err := repo.CommitObject(h)
	if err != nil {
		return fmt.Errorf("reading commit %s: %w", h, err)
	}
	t, err := c.Tree()
	if err != nil {
		return fmt.Errorf("reading tree of %s: %w", h, err)
	}
	w := object.NewTreeWalker(t, true, nil)
	defer w.Close()
	for {
		if _, _, err := w.Next(); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading tree of %s: %w", h, err)
		}
	}
}

func (r *Repo) clone(ctx context.Context) error {
	r.o.cloneCache.forget(r.dir)
	if err := os.RemoveAll(r.dir); err != nil {
		return fmt.Errorf("removing old clone: %w", err)
	}
	c, err := r.creds("clone")
	if err != nil {
		return err
	}
	nctx, cancel := r.netCtx(ctx)
	defer cancel()
	repo, err := r.plainClone(nctx, &git.CloneOptions{
		URL: r.url, Auth: c.method, CABundle: c.caBundle, RemoteName: remoteName,
		ReferenceName: plumbing.NewBranchReferenceName(r.branch), SingleBranch: true,
		Depth: r.o.depth, Tags: git.NoTags, NoCheckout: true,
	})
	if err != nil {
		_ = os.RemoveAll(r.dir)
		return r.fail("clone", err, c)
	}
	r.repo = repo
	head, err := repo.Head()
	if err != nil {
		return fmt.Errorf("reading HEAD of the new clone: %w", err)
	}
	if err := r.checkoutAll(head.Hash()); err != nil {
		return err
	}
	r.log.Info("cloned repository", "remote", r.redacted, "branch", r.branch, "dir", r.dir)
	return nil
}

func (r *Repo) trackingRef() plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(remoteName, r.branch)
}
