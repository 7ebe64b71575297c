package pass

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"

	git "github.com/go-git/go-git/v5"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/yamlpatch"
)

// History reads the versions git history rejects. *gitwriter.Repo
// implements it (deepening its shallow clone as needed).
type History interface {
	Holds(ctx context.Context, q gitwriter.HoldQuery) (gitwriter.HoldReport, error)
}

// Hold is a policy that did not move because it is held.
type Hold struct {
	// Policy is the policy's ID.
	Policy string
	// Message says why, as `hoist tags` prints it: "held: 1.1.0 was
	// reverted in abc1234 by Jane <jane@example.com> on 2026-11-20;
	// waiting for a version above 1.1.0".
	Message string
	// Rejected are the policy's rejected versions (its group's, for a
	// member), the newest first; empty for a policy held only because it
	// (or a member of its group) is suspended.
	Rejected []gitwriter.Rejection
}

// rejections returns, by policy ID, the versions the history of the
// worktree dir rejects (through opts.History, or the local git checkout
// holding dir) merged with opts.Rejected. Where history ran out is a
// warning; a history that cannot be read is an error.
func (r *Report) rejections(ctx context.Context, dir string, opts Options) (map[string][]gitwriter.Rejection, error) {
	q := r.holdQuery(dir)
	hr, err := readHistory(ctx, dir, q, opts)
	if err != nil {
		return nil, err
	}
	for _, w := range hr.Warnings {
		r.warning("history", w)
	}
	out := map[string][]gitwriter.Rejection{}
	for _, m := range []map[string][]gitwriter.Rejection{hr.Rejected, opts.Rejected} {
		for p, rs := range m {
			out[p] = append(out[p], rs...)
		}
	}
	return out, nil
}

func readHistory(ctx context.Context, dir string, q gitwriter.HoldQuery, opts Options) (gitwriter.HoldReport, error) {
	if len(q.Files) == 0 {
		return gitwriter.HoldReport{}, nil
	}
	if opts.History != nil {
		return opts.History.Holds(ctx, q)
	}
	hr, err := gitwriter.ReadHolds(ctx, dir, q)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return gitwriter.HoldReport{}, nil // not a git checkout: no history, no holds
	}
	return hr, err
}

// holdQuery lists the files holding tag markers of the loaded policies,
// relative to the worktree dir.
func (r *Report) holdQuery(dir string) gitwriter.HoldQuery {
	q := gitwriter.HoldQuery{Files: map[string][]string{}, Read: markedTags}
	markers, _, err := yamlpatch.Scan(r.root)
	if err != nil {
		return q // the rewrite reports the directory
	}
	rel, err := filepath.Rel(dir, r.root)
	if err != nil {
		rel = "."
	}
	loaded := map[string]*policy.Policy{}
	for _, p := range r.Policies {
		loaded[p.ID] = p
	}
	for _, m := range markers {
		p := loaded[m.Policy]
		if p != nil && p.Chart != nil && m.Field != "tag" {
			r.badChartMarker(p, m, rel)
			continue
		}
		if p == nil || (m.Field != "" && m.Field != "tag") {
			continue
		}
		f := path.Join(filepath.ToSlash(rel), m.File)
		if !slices.Contains(q.Files[m.Policy], f) {
			q.Files[m.Policy] = append(q.Files[m.Policy], f)
		}
	}
	return q
}

// holdsOf turns gitwriter's rejections into the policy package's.
func holdsOf(rs map[string][]gitwriter.Rejection) map[string][]policy.Rejection {
	out := make(map[string][]policy.Rejection, len(rs))
	for p, list := range rs {
		for _, r := range list {
			out[p] = append(out[p], policy.Rejection{Version: r.Version, Why: r.Why()})
		}
	}
	return out
}

// holdAll holds every decided policy when history could not be read: a
// pass must not undo a rollback it cannot see.
func holdAll(ds []policy.Decision, err error) {
	for i := range ds {
		if ds[i].Err == nil {
			ds[i].Err = fmt.Errorf("%w: reading history: %w", policy.ErrHeld, err)
			ds[i].Tag = ""
			ds[i].Explanation.Held = ds[i].Err.Error()
			ds[i].Explanation.Reason = ds[i].Err.Error()
		}
	}
}

// addHold records a held decision as a Hold and as a warning naming the
// policy's file and line.
func (r *Report) addHold(p *policy.Policy, d policy.Decision, rejected []gitwriter.Rejection, path string) {
	h := Hold{Policy: p.ID, Message: d.Err.Error()}
	for _, v := range d.Explanation.Rejected {
		for _, rj := range rejected {
			if rj.Version == v {
				h.Rejected = append(h.Rejected, rj)
				break
			}
		}
	}
	r.Holds = append(r.Holds, h)
	r.warning("policy", prefix(path, fmt.Sprintf("%s:%d: policy %s: %v", p.File, p.Line, p.ID, d.Err)))
}

// PassedOver returns, by policy ID, the rejected versions each policy the
// pass moves passed over, for the commit message (gitwriter.Change's
// Rejected): they stay rejected after the update.
func (r *Report) PassedOver() map[string][]string {
	out := map[string][]string{}
	for i, d := range r.Decisions {
		if _, ok := r.Refs[r.Policies[i].ID]; ok && len(d.Explanation.Rejected) > 0 {
			out[d.Policy] = d.Explanation.Rejected
		}
	}
	return out
}

// groupRejections returns the rejections of p, and of every member of its
// group: a version rejected for one member holds them all.
func groupRejections(ps []*policy.Policy, p *policy.Policy, rejected map[string][]gitwriter.Rejection) []gitwriter.Rejection {
	if p.Group == "" {
		return rejected[p.ID]
	}
	var out []gitwriter.Rejection
	for _, q := range ps {
		if q.Group == p.Group {
			out = append(out, rejected[q.ID]...)
		}
	}
	return out
}

// Rejections loads the policies under the worktree dir and reads the
// versions history rejects for them, merged with opts.Rejected, without
// scanning any registry (for `hoist history`). Problems are those of
// loading the policies and of history.
func Rejections(ctx context.Context, dir string, opts Options) (map[string][]gitwriter.Rejection, []Problem, error) {
	rep, err := load(dir, opts, logger(opts))
	if err != nil {
		return nil, nil, err
	}
	rs, err := rep.rejections(ctx, dir, opts)
	if err != nil {
		return nil, rep.Problems, fmt.Errorf("reading holds from git history: %w", err)
	}
	return rs, rep.Problems, nil
}

// badChartMarker records a marker of a chart policy that is not of the
// ":tag" form: the policy's markers are left alone, since a chart has no
// image reference to write.
func (r *Report) badChartMarker(p *policy.Policy, m yamlpatch.Marker, rel string) {
	if r.badChart == nil {
		r.badChart = map[string]bool{}
	}
	r.badChart[p.ID] = true
	field := m.Field
	if field == "" {
		field = "a whole reference"
	}
	r.problem("policy", fmt.Sprintf("%s:%d: marker of chart policy %s sets %s; a chart's marker takes the :tag form (%q), whose value is the version: the policy's markers are left as they are",
		path.Join(filepath.ToSlash(rel), m.File), m.Line, p.ID, field, p.ID+":tag"))
}
