package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/gitwriter/forge"
	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/registry"
)

// forge makes the client of the repository's forge; nil without pull
// requests.
func (r *repoRunner) forge(log *slog.Logger) (forge.Forge, error) {
	pr := r.cfg.PullRequest
	if !pr.Enabled() {
		return nil, nil
	}
	opts := []forge.Option{forge.WithLogger(log), forge.WithToken(r.cfg.PullRequestToken().ReadString)}
	if pr.URL != "" {
		opts = append(opts, forge.WithAPIURL(pr.URL))
	}
	if ca := cmp.Or(pr.CAFile, r.cfg.Auth.CAFile); ca != "" {
		opts = append(opts, forge.WithCAFile(ca))
	}
	f, err := forge.New(pr.Provider, r.cfg.URL, opts...)
	if err != nil {
		return nil, &pass.Error{Stage: "forge", Err: err}
	}
	return f, nil
}

// propose runs the repository's pass as a pull request: the commit goes to
// the head branch (pushBranch, default hoist/<base>), and one pull request
// into base is opened or updated. Versions a pull request closed without
// merging proposed are rejected, so they are not proposed again; when the
// base already has every change, the open pull request is closed.
func (r *repoRunner) propose(ctx context.Context, log *slog.Logger, f forge.Forge, base string) []landing {
	if r.cfg.PullRequest.Per != config.PerPolicy {
		return []landing{r.proposeOn(ctx, log, f, base, cmp.Or(r.cfg.PushBranch, "hoist/"+base), nil)}
	}
	keys, dry, err := r.changedKeys(ctx, log, base)
	if err != nil {
		return []landing{{err: err}}
	}
	var ls []landing
	for _, key := range keys {
		only := func(p *policy.Policy) bool { return proposalKey(p) == key }
		l := r.proposeOn(ctx, log.With("proposal", key), f, base, "hoist/"+base+"-"+branchPart(key), only)
		l.proposal = key
		ls = append(ls, l)
	}
	if len(ls) == 0 { // nothing to propose: say so as a pass would
		ls = append(ls, landing{out: gitwriter.Outcome{Branch: base}, rep: dry})
	}
	return ls
}

// proposeOn runs the pass of the policies only accepts (all when nil) as a
// pull request from head into base.
func (r *repoRunner) proposeOn(ctx context.Context, log *slog.Logger, f forge.Forge, base, head string, only func(*policy.Policy) bool) landing {
	prs, err := f.PullRequests(ctx, head)
	if err != nil {
		return landing{err: &pass.Error{Stage: "forge", Err: err}}
	}
	rc := r.cfg
	rc.Branch, rc.PushBranch = base, head
	repo, err := r.openAs(ctx, log, rc)
	if err != nil {
		return landing{err: err}
	}
	defer repo.Close()
	out, rep, err := update(ctx, repo, r.scanner(), r.options(log, func(o *pass.Options) {
		o.Rejected, o.Only = closedRejections(prs), only
	}))
	l := landing{out: out, rep: rep, err: err}
	if err != nil {
		return l
	}
	if out.Commit == "" {
		l.pr, l.prAction, l.err = closeOpen(ctx, f, prs)
		return l
	}
	pr, created, err := f.Ensure(ctx, r.request(base, head, out, rep))
	l.pr, l.prAction = &pr, "updated"
	if created {
		l.prAction = "opened"
	}
	if err != nil {
		l.err = &pass.Error{Stage: "forge", Err: fmt.Errorf("the commit is on %s; %w", head, err)}
	}
	return l
}

// changedKeys runs a dry pass on the base and returns, sorted, the
// proposals (a policy, or a group) that have changes: one pull request each.
func (r *repoRunner) changedKeys(ctx context.Context, log *slog.Logger, base string) ([]string, *pass.Report, error) {
	rc := r.cfg
	rc.Branch, rc.PushBranch = base, ""
	repo, err := r.openAs(ctx, log, rc)
	if err != nil {
		return nil, nil, err
	}
	defer repo.Close()
	dir, _, err := repo.Checkout(ctx)
	if err != nil {
		return nil, nil, err
	}
	rep, err := pass.Run(ctx, dir, r.scanner(), r.options(log, func(o *pass.Options) {
		o.History, o.DryRun = repo, true
	}))
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]*policy.Policy{}
	for _, p := range rep.Policies {
		byID[p.ID] = p
	}
	keys := map[string]bool{}
	for _, c := range rep.Changes {
		if p, ok := byID[c.Policy]; ok {
			keys[proposalKey(p)] = true
		}
	}
	return slices.Sorted(maps.Keys(keys)), rep, nil
}

// proposalKey is what one pull request of per: policy holds: the policy's
// group (a group moves together), else the policy.
func proposalKey(p *policy.Policy) string {
	if p.Group != "" {
		return "group " + p.Group
	}
	return p.ID
}

// branchPart makes a proposal key a branch name part: "apps:api" becomes
// "apps-api", "group stack" "group-stack".
func branchPart(key string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, key)
}

// request is the pull request of a pass: the commit's subject as title,
// a table of the changes and how to stop them as body.
func (r *repoRunner) request(base, head string, out gitwriter.Outcome, rep *pass.Report) forge.Request {
	pr := r.cfg.PullRequest
	title, _, _ := strings.Cut(out.Message, "\n")
	return forge.Request{Base: base, Head: head, Title: title, Body: prBody(rep),
		Labels: pr.Labels, Reviewers: pr.Reviewers, Assignees: pr.Assignees, Draft: pr.Draft, AutoMerge: pr.AutoMerge}
}

// closeOpen closes the open pull requests of a head whose changes the base
// already has.
func closeOpen(ctx context.Context, f forge.Forge, prs []forge.PullRequest) (*forge.PullRequest, string, error) {
	for _, p := range prs {
		if p.State != forge.Open {
			continue
		}
		if err := f.Close(ctx, p.Number, "hoist: the base branch already has every change of this pull request."); err != nil {
			return &p, "", &pass.Error{Stage: "forge", Err: err}
		}
		return &p, "closed", nil
	}
	return nil, "", nil
}

// proposedMarker brackets the versions a pull request proposes in its body,
// as JSON: {"apps:api":"1.1.0"}.
const proposedMarker = "<!-- hoist:proposed "

// prBody is a Markdown table of the changes, how to stop or pin them, and
// the versions proposed (read back when the pull request is closed).
func prBody(rep *pass.Report) string {
	var b strings.Builder
	b.WriteString("hoist proposes these image updates:\n\n| policy | image | from | to | files |\n|---|---|---|---|---|\n")
	proposed := map[string]string{}
	for _, p := range rep.Change().Policies() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell(p.Policy), cell(p.Image), cell(p.From), cell(p.To), cell(strings.Join(p.Files, ", ")))
		if p.To != "" {
			proposed[p.Policy] = p.To
		}
	}
	b.WriteString("\nMerge to deploy. Close without merging to reject these versions: hoist will not propose them again, " +
		"and proposes a newer version when one is selected. To stop a policy's updates, set `suspend: true` on it; " +
		"to pin a version, set it by hand on the base branch (hoist holds it until a newer version than the one it replaced).\n")
	js, _ := json.Marshal(proposed)
	fmt.Fprintf(&b, "\n%s%s -->\n", proposedMarker, js)
	return b.String()
}

// cell makes a value safe in a Markdown table cell.
func cell(s string) string {
	s = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;").Replace(s)
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// closedRejections are the versions proposed by pull requests closed
// without merging: not this version.
func closedRejections(prs []forge.PullRequest) map[string][]gitwriter.Rejection {
	out := map[string][]gitwriter.Rejection{}
	for _, p := range prs {
		if p.State != forge.Closed {
			continue
		}
		for policy, version := range proposedIn(p.Body) {
			rj := gitwriter.Rejection{Version: version, Commit: p.HeadSHA,
				Reason: fmt.Sprintf("was proposed in pull request #%d, closed without merging", p.Number)}
			if !slices.ContainsFunc(out[policy], func(x gitwriter.Rejection) bool { return x.Version == version }) {
				out[policy] = append(out[policy], rj)
			}
		}
	}
	return out
}

// proposedIn reads the versions a pull request body proposes. Bodies are
// editable by anyone who can edit the pull request: only well-formed
// entries with valid tags count.
func proposedIn(body string) map[string]string {
	_, rest, ok := strings.Cut(body, proposedMarker)
	if !ok {
		return nil
	}
	js, _, ok := strings.Cut(rest, " -->")
	if !ok || len(js) > 64<<10 {
		return nil
	}
	var m map[string]string
	if json.Unmarshal([]byte(js), &m) != nil {
		return nil
	}
	for policy, version := range m {
		if !registry.ValidTag(version) || len(policy) > 253 {
			delete(m, policy)
		}
	}
	return m
}
