package pass

import (
	"context"
	"errors"
	"fmt"

	git "github.com/go-git/go-git/v5"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/policy"
)

// Follower reads which versions a policy's markers under a path held, and
// since when, for follow gates. *gitwriter.Repo implements it (fetching
// another branch as needed); an Options.History that does not is asked
// nothing, and follow gates fail.
type Follower interface {
	Stints(ctx context.Context, q gitwriter.StintQuery) ([]gitwriter.Stint, error)
}

// follow reads, for each policy with a follow gate, what the followed
// markers held: through opts.History, or the local git checkout holding
// the worktree dir. Paths are relative to dir. Queries alike are read
// once.
func (r *Report) follow(ctx context.Context, dir string, opts Options) map[string]policy.Followed {
	out := map[string]policy.Followed{}
	done := map[policy.Follow]policy.Followed{}
	for _, p := range r.Policies {
		if p.Follow == nil {
			continue
		}
		key := *p.Follow
		key.Line = 0
		f, ok := done[key]
		if !ok {
			f = readFollowed(ctx, dir, key, opts)
			done[key] = f
		}
		out[p.ID] = f
	}
	return out
}

// readFollowed reads the stints of one follow gate.
func readFollowed(ctx context.Context, dir string, f policy.Follow, opts Options) policy.Followed {
	q := gitwriter.StintQuery{Policy: f.Policy, Dir: f.Path, Branch: f.Branch, Read: markedTags}
	var stints []gitwriter.Stint
	var err error
	switch h := opts.History.(type) {
	case nil:
		stints, err = gitwriter.ReadStints(ctx, dir, q)
		if errors.Is(err, git.ErrRepositoryNotExists) {
			err = errors.New("the worktree is not a git checkout: there is no history to follow")
		}
	case Follower:
		stints, err = h.Stints(ctx, q)
	default:
		err = fmt.Errorf("the history source (%T) cannot read followed markers", h)
	}
	if err != nil {
		return policy.Followed{Err: err}
	}
	out := policy.Followed{Stints: make([]policy.Stint, len(stints))}
	for i, s := range stints {
		out.Stints[i] = policy.Stint{Version: s.Version, Since: s.Since, Commit: s.Commit, Until: s.Until, Rejected: s.Why()}
	}
	return out
}

// Gates returns, by policy ID, how the version each policy moves to
// passed its gates ("on clusters/staging since 2026-11-20 09:12, 26h"),
// for the commit message and for `plan` to print.
func (r *Report) Gates() map[string]string {
	out := map[string]string{}
	for i, d := range r.Decisions {
		if _, ok := r.Refs[r.Policies[i].ID]; ok && d.Explanation.Gate != "" {
			out[d.Policy] = d.Explanation.Gate
		}
	}
	return out
}
