package gitwriter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"syscall"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Outcome is what Update did.
type Outcome struct {
	// Commit is the pushed commit, "" when there was nothing to commit.
	Commit string
	// Branch is the branch pushed to.
	Branch string
	// Attempts counts the edit-commit-push rounds.
	Attempts int
	// Message is the commit message.
	Message string
	// Pushed reports that this Update moved the remote branch. It is false
	// when there was nothing to commit, and with a push branch that already
	// held the same change (Commit is then that existing commit), so callers
	// can tell "pushed a new commit" from "the push branch is up to date".
	Pushed bool
}

// Update checks out the latest remote head, calls edit on the worktree,
// commits what it changed as one commit and pushes it. When the push is
// rejected because the remote moved, it fetches, resets to the new head,
// calls edit again and retries, up to the max attempts ([WithMaxAttempts]).
// An edit reporting no updates, or leaving the tree as it was, makes no commit.
func (r *Repo) Update(ctx context.Context, edit EditFunc) (out Outcome, err error) {
	out = Outcome{Branch: r.pushTarget()}
	end, err := r.begin(ctx)
	if err != nil {
		return out, err
	}
	defer end()
	defer r.forgetOnError(&err)
	for out.Attempts = 1; out.Attempts <= r.o.maxAttempts; out.Attempts++ {
		var done bool
		done, err = r.attempt(ctx, edit, &out)
		if done || !(errors.Is(err, ErrRejected) || errors.Is(err, ErrInterrupted)) {
			return out, err
		}
		r.log.Info("push did not land, redoing the edit on the new head", "attempt", out.Attempts,
			"branch", out.Branch, "error", err)
		if err := backoff(ctx, out.Attempts); err != nil {
			return out, err
		}
	}
	out.Attempts = r.o.maxAttempts
	out.Commit, out.Message, out.Pushed = "", "", false // an interrupted last push is not known to have landed
	return out, fmt.Errorf("giving up after %d attempts: %w", r.o.maxAttempts, err)
}

// attempt runs one checkout-edit-commit-push round. done reports a final
// outcome (pushed, or nothing to commit).
func (r *Repo) attempt(ctx context.Context, edit EditFunc, out *Outcome) (done bool, err error) {
	head, err := r.checkout(ctx)
	if err != nil {
		return false, err
	}
	if out.Commit != "" && head.String() == out.Commit {
		out.Pushed = true
		return true, nil // the interrupted push of the last attempt landed
	}
	r.clean = false // the edit may touch anything
	change, err := edit(context.WithValue(ctx, editKey{}, r), r.dir)
	if err != nil {
		return false, fmt.Errorf("editing worktree: %w", err)
	}
	out.Commit, out.Message, out.Pushed = "", "", false
	if len(change.Updates) == 0 {
		return true, nil
	}
	msg, err := r.tmpl.render(change)
	if err != nil {
		return false, err
	}
	commit, err := r.commit(head, msg)
	if errors.Is(err, git.ErrEmptyCommit) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	r.log.Debug("committed", "revision", commit.String(), "parent", head.String())
	pushed, moved, err := r.push(ctx, commit)
	if errors.Is(err, ErrInterrupted) && r.o.pushBranch == "" {
		out.Commit, out.Message = commit.String(), msg // it may have landed: the next attempt checks
		return false, err
	}
	if err != nil {
		return false, err
	}
	if r.o.cloneCache.isVerified(r.dir, head) {
		// The commit's trees are the verified head's and those just written.
		r.o.cloneCache.putVerified(r.dir, commit)
	}
	if moved {
		r.log.Info("pushed commit", "revision", pushed.String(), "branch", out.Branch, "updates", len(change.Updates))
	} else {
		r.log.Info("push branch already holds the change", "revision", pushed.String(), "branch", out.Branch)
	}
	out.Commit, out.Message, out.Pushed = pushed.String(), msg, moved
	return true, nil
}

// commit stages the changed files and commits them on head, writing trees
// only along the changed paths. It returns git.ErrEmptyCommit when the tree
// did not change.
func (r *Repo) commit(head plumbing.Hash, msg string) (plumbing.Hash, error) {
	idx, _, err := r.readIndex()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	dirty, err := r.scan(idx)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if err := r.setIndexAt(plumbing.ZeroHash); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := r.stage(idx, dirty); err != nil {
		return plumbing.ZeroHash, err
	}
	if r.o.indexCommit {
		return r.commitIndex(head, msg)
	}
	parent, err := r.repo.CommitObject(head)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading commit %s: %w", head, err)
	}
	tree, err := r.treeWith(parent.TreeHash, changesOf(idx, dirty))
	if errors.Is(err, errTreeConflict) {
		r.log.Warn("building the commit's tree from the whole index", "reason", err.Error())
		return r.commitIndex(head, msg)
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if tree == parent.TreeHash {
		r.clean = true
		return plumbing.ZeroHash, errors.Join(git.ErrEmptyCommit, r.setIndexAt(head))
	}
	h, err := r.writeCommit(tree, head, msg, r.signature())
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("committing: %w", err)
	}
	r.clean = true
	return h, r.setIndexAt(h)
}

// commitIndex commits the staged index on head with go-git, which builds
// every tree from the index.
func (r *Repo) commitIndex(head plumbing.Hash, msg string) (plumbing.Hash, error) {
	w, err := r.repo.Worktree()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("opening worktree: %w", err)
	}
	sig := r.signature()
	h, err := w.Commit(msg, &git.CommitOptions{
		Author: &sig, Committer: &sig, Parents: []plumbing.Hash{head}, Signer: r.signer,
	})
	if errors.Is(err, git.ErrEmptyCommit) {
		r.clean = true
		return h, errors.Join(err, r.setIndexAt(head))
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("committing: %w", err)
	}
	r.clean = true
	return h, r.setIndexAt(h)
}

// signature is the author and committer of a commit made now.
func (r *Repo) signature() object.Signature {
	return object.Signature{Name: r.o.authorName, Email: r.o.authorEmail, When: time.Now()}
}

// pushTarget is the branch Update pushes to.
func (r *Repo) pushTarget() string {
	if r.o.pushBranch != "" {
		return r.o.pushBranch
	}
	return r.branch
}

// push sends commit to the push target, never forcing the checkout branch,
// and returns the commit the target holds afterwards and whether the push
// moved it.
func (r *Repo) push(ctx context.Context, commit plumbing.Hash) (plumbing.Hash, bool, error) {
	c, err := r.creds("push")
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	src := plumbing.NewBranchReferenceName(r.branch)
	dst := plumbing.NewBranchReferenceName(r.pushTarget())
	said := &remoteSaid{}
	opts := &git.PushOptions{
		RemoteName: remoteName, RemoteURL: r.url, Auth: c.method, CABundle: c.caBundle,
		RefSpecs: []config.RefSpec{config.RefSpec(src + ":" + dst)},
		Options:  r.o.pushOptions, Progress: said,
	}
	if r.o.pushBranch != "" {
		same, err := r.preparePushBranch(ctx, c, opts, commit)
		if err != nil || !same.IsZero() {
			return same, false, err
		}
	}
	nctx, cancel := r.netCtx(ctx)
	defer cancel()
	err = r.repo.PushContext(nctx, opts)
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return commit, err == nil, r.afterPush(commit)
	}
	if isRejection(err) || errors.Is(err, plumbing.ErrObjectNotFound) {
		// go-git checks the fast-forward by walking back from our commit to
		// the remote's head; in a shallow clone that walk runs out of
		// history exactly when the remote head is not our commit's parent,
		// that is, when the remote moved.
		return plumbing.ZeroHash, false, r.fail("push", fmt.Errorf("%w: %v", ErrRejected, err), c)
	}
	if isInterrupted(err) {
		return plumbing.ZeroHash, false, r.fail("push", fmt.Errorf("%w: %v", ErrInterrupted, err), c)
	}
	if isDeclined(err) {
		status, _ := refusal(err)
		if status == "" {
			status = err.Error()
		}
		err = fmt.Errorf("%w: %s", ErrDeclined, sanitize(status, maxRemoteText))
	}
	return plumbing.ZeroHash, false, r.fail("push", said.withRemote(err), c)
}

// isInterrupted reports a connection that broke mid-push.
func isInterrupted(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		strings.HasSuffix(err.Error(), ": EOF") || err.Error() == "EOF"
}

// afterPush records the pushed commit as the remote-tracking head when the
// checkout branch was pushed, so the next checkout needs no reset.
func (r *Repo) afterPush(commit plumbing.Hash) error {
	if r.o.pushBranch != "" {
		return nil
	}
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(r.trackingRef(), commit)); err != nil {
		return fmt.Errorf("updating %s: %w", r.trackingRef(), err)
	}
	return nil
}

// backoff waits a random time below 50ms·2^(attempt-1), at most 2s, so
// writers racing for one branch spread out.
func backoff(ctx context.Context, attempt int) error {
	limit := min(50*time.Millisecond<<min(attempt-1, 6), 2*time.Second)
	t := time.NewTimer(rand.N(limit) + time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
