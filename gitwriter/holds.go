package gitwriter

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// HoldQuery asks which versions of which policies history rejects.
type HoldQuery struct {
	// Files lists, by policy ID, the slash-separated files holding the
	// policy's markers, relative to the worktree the holds are read for.
	Files map[string][]string
	// Read returns the tag each policy's markers set in a file's content
	// (at some commit), by policy ID; a policy with no marker in the file
	// is absent. It must depend on its arguments only: its results are
	// cached by content.
	Read func(file string, data []byte) map[string]string
}

// Rejection is a version of a policy that must not be selected again, and
// who rejected it where.
type Rejection struct {
	// Version is the rejected tag.
	Version string `json:"version"`
	// Reason is what happened, as words that follow the version: "was
	// reverted", "was replaced by 1.0.5", "was rejected earlier".
	Reason string `json:"reason"`
	// Commit is the full hash of the commit that rejected it (for a PR
	// closed without merging, its head commit, or "").
	Commit string `json:"commit,omitempty"`
	// Who is "Name <email>" of the commit's author, When its time.
	Who  string    `json:"who,omitempty"`
	When time.Time `json:"when,omitempty"`
}

// Why is the Reason with its source: "was reverted in abc1234 by Jane
// <jane@example.com> on 2026-11-20".
func (r Rejection) Why() string {
	s := r.Reason
	if r.Commit != "" {
		s += " in " + shortHash(r.Commit)
	}
	if r.Who != "" {
		s += " by " + r.Who
	}
	if !r.When.IsZero() {
		s += " on " + r.When.UTC().Format("2006-01-02")
	}
	return s
}

// HoldReport is what history says about the policies of a HoldQuery.
type HoldReport struct {
	// Rejected are the rejected versions by policy ID, the newest first.
	Rejected map[string][]Rejection
	// Released are the policies whose holds a Hoist-Release trailer
	// released, by policy ID: the releasing commit.
	Released map[string]string
	// Warnings say where history ran out before every policy's last
	// update by hoist was found: holds set before that are not seen.
	Warnings []string
	// Commits counts the commits the walk went through.
	Commits int
}

// maxRejected bounds the rejections carried per policy.
const maxRejected = 20

// defaultHistoryLimit is how many commits holds read at most.
const defaultHistoryLimit = 10000

// Holds reads, from the history of the checked-out head, the versions of
// each policy of q that a person rejected since hoist last set it: a
// commit that is not hoist's and that moved a marked value away from the
// tag hoist last set (a `git revert` of hoist's commit, or a hand edit)
// rejects that tag; an update's Hoist-Rejected trailers carry earlier
// rejections on; a Hoist-Release trailer drops those from before it. It
// deepens a shallow clone as far as needed, up to [WithHistoryLimit]
// commits, and says in the report's Warnings when history ran out first.
// Called from an [EditFunc] of [Repo.Update], it reads the head being
// edited.
func (r *Repo) Holds(ctx context.Context, q HoldQuery) (HoldReport, error) {
	if ctx.Value(editKey{}) != r {
		end, err := r.begin(ctx)
		if err != nil {
			return HoldReport{}, err
		}
		defer end()
	}
	head, err := r.repo.Head()
	if err != nil {
		return HoldReport{}, fmt.Errorf("reading HEAD: %w", err)
	}
	hr := &holdReader{repo: r.repo, cache: r.o.historyCache, limit: r.o.historyLimit,
		deepen: r.deepen}
	return hr.read(ctx, head.Hash(), q)
}

// deepen fetches the branch's history to depth into a ref of its own, so
// that the remote-tracking ref, and what Update knows of the remote, stay
// as the checkout left them.
func (r *Repo) deepen(ctx context.Context, depth int) error {
	if _, err := r.fetchInto(ctx, historyRef, depth); err != nil {
		return err
	}
	r.log.Debug("deepened history", "branch", r.branch, "depth", depth)
	return nil
}

// historyRef is where deepen fetches to.
const historyRef = "refs/hoist/history"

// ReadHolds is [Repo.Holds] on the local git checkout holding dir: it
// reads the history of its HEAD as far as it goes and fetches nothing.
// Files in q are relative to dir. [WithHistoryCache] and
// [WithHistoryLimit] apply; other options are ignored.
func ReadHolds(ctx context.Context, dir string, q HoldQuery, opts ...Option) (HoldReport, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return HoldReport{}, err
	}
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return HoldReport{}, fmt.Errorf("opening git repository at %s: %w", dir, err)
	}
	q, err = underRoot(repo, dir, q)
	if err != nil {
		return HoldReport{}, err
	}
	head, err := repo.Head()
	if err != nil {
		return HoldReport{}, fmt.Errorf("reading HEAD of %s: %w", dir, err)
	}
	hr := &holdReader{repo: repo, cache: o.historyCache, limit: o.historyLimit}
	return hr.read(ctx, head.Hash(), q)
}

// underRoot makes the files of q relative to the repository's root.
func underRoot(repo *git.Repository, dir string, q HoldQuery) (HoldQuery, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return q, fmt.Errorf("reading worktree of %s: %w", dir, err)
	}
	root, err1 := filepath.EvalSymlinks(wt.Filesystem.Root())
	abs, err2 := filepath.EvalSymlinks(dir)
	if err := errors.Join(err1, err2); err != nil {
		return q, fmt.Errorf("resolving %s: %w", dir, err)
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == "." {
		return q, nil
	}
	out := HoldQuery{Read: q.Read, Files: map[string][]string{}}
	for p, files := range q.Files {
		for _, f := range files {
			out.Files[p] = append(out.Files[p], path.Join(filepath.ToSlash(rel), f))
		}
	}
	return out, nil
}

// editKey marks the context an EditFunc gets, so Holds called from it
// does not wait for the lock Update holds.
type editKey struct{}

// holdReader walks one repository's history for one query.
type holdReader struct {
	repo   *git.Repository
	cache  *HistoryCache
	limit  int
	deepen func(ctx context.Context, depth int) error // nil: never fetch
}

func (h *holdReader) read(ctx context.Context, head plumbing.Hash, q HoldQuery) (HoldReport, error) {
	rep := HoldReport{Rejected: map[string][]Rejection{}, Released: map[string]string{}}
	if len(q.Files) == 0 || q.Read == nil {
		return rep, nil
	}
	chain, stop, err := h.walk(ctx, head, q.Files)
	if err != nil {
		return rep, err
	}
	rep.Commits = len(chain)
	var unseen []string
	for p := range q.Files {
		k := lastRecord(chain, p)
		if k < 0 {
			if stop != "" {
				unseen = append(unseen, p)
			}
			continue
		}
		h.policyHolds(p, chain, k, q, &rep)
	}
	if len(unseen) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("history: %s after %d commits before finding hoist's last update of %s; rollbacks before that are not seen",
			stop, len(chain), strings.Join(slices.Sorted(slices.Values(unseen)), ", ")))
	}
	return rep, nil
}

// lastRecord is the index in chain (newest first) of the newest commit
// recording an update of policy, or -1.
func lastRecord(chain []*commitInfo, policy string) int {
	for i, ci := range chain {
		if _, ok := ci.record(policy); ok {
			return i
		}
	}
	return -1
}

// walk returns the first-parent history from head, newest first, until
// every policy's last record is found, the root, or the limit. stop says
// why it ended early ("" at the root or when all were found).
func (h *holdReader) walk(ctx context.Context, head plumbing.Hash, files map[string][]string) ([]*commitInfo, string, error) {
	want := map[string]bool{}
	for p := range files {
		want[p] = true
	}
	var chain []*commitInfo
	deepenedAt := -1
	for at := head; ; {
		if len(chain)%1000 == 999 && ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		if len(chain) >= h.limit {
			return chain, fmt.Sprintf("read up to the limit of %d commits", h.limit), nil
		}
		ci, err := h.info(at)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			if h.deepen == nil || deepenedAt == len(chain) {
				return chain, "the clone's history ends (shallow)", nil
			}
			deepenedAt = len(chain)
			depth := min(h.limit+1, max(100, 4*len(chain)))
			if err := h.deepen(ctx, depth); err != nil {
				return nil, "", fmt.Errorf("deepening history to %d commits: %w", depth, err)
			}
			continue
		}
		if err != nil {
			return nil, "", err
		}
		chain = append(chain, ci)
		for _, e := range ci.entries {
			if p, ok := unescape(e.Policy); ok && want[p] {
				if _, ok := ci.record(p); ok {
					delete(want, p)
				}
			}
		}
		if len(want) == 0 || len(ci.parents) == 0 {
			return chain, "", nil
		}
		at = ci.parents[0]
	}
}

// info returns the parsed commit h, from the cache when it was read before.
func (h *holdReader) info(at plumbing.Hash) (*commitInfo, error) {
	if ci, ok := h.cache.commit(at); ok {
		return ci, nil
	}
	c, err := h.repo.CommitObject(at)
	if err != nil {
		return nil, err
	}
	ci := newCommitInfo(c)
	if len(ci.entries) == 0 && len(ci.parents) > 1 {
		ci.entries = h.mergedRecords(ci.parents[1])
	}
	h.cache.putCommit(ci)
	return ci, nil
}

// mergedRecords returns the records of the tip of a merged branch: a
// merge of hoist's push branch (a pull request merged with a merge
// commit) records the update it brings, since first-parent history does
// not see the branch's commits.
func (h *holdReader) mergedRecords(tip plumbing.Hash) []Entry {
	c, err := h.repo.CommitObject(tip)
	if err != nil {
		return nil
	}
	return entries(c)
}

func shortHash(h string) string {
	if len(h) > 7 {
		return h[:7]
	}
	return h
}
