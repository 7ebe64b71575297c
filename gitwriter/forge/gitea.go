package forge

import (
	"context"
	"net/http"
	"slices"

	"code.gitea.io/sdk/gitea"
)

// giteaPages bounds how many pages of 50 a lookup scans.
const giteaPages = 20

// giteaForge speaks Gitea's /api/v1, which Forgejo serves too.
type giteaForge struct {
	common
	owner, name string
	client      *http.Client
}

var _ Forge = (*giteaForge)(nil)

func newGitea(provider string, loc location, o *options) (*giteaForge, error) {
	owner, name := loc.ownerRepo()
	c, err := newCommon(provider, loc, owner+"/"+name, loc.scheme+"://"+loc.host+loc.prefix(), o)
	if err != nil {
		return nil, err
	}
	hc := httpClient(o.client, c.apiURL.Host, "Authorization", "token ", o.log)
	return &giteaForge{common: c, owner: owner, name: name, client: hc}, nil
}

// giteaCall is one method call: an SDK client bound to its context (the
// SDK takes the context per client, not per request) and the token read
// for it.
type giteaCall struct {
	*giteaForge
	sdk   *gitea.Client
	token string
}

func (f *giteaForge) call(ctx context.Context, op string) (*giteaCall, context.CancelFunc, error) {
	ctx, cancel, tok, err := f.begin(ctx, op)
	if err != nil {
		return nil, cancel, err
	}
	sdk, err := gitea.NewClient(f.apiURL.String(), gitea.SetGiteaVersion(""),
		gitea.SetHTTPClient(f.client), gitea.SetContext(ctx), gitea.SetUserAgent("hoist"))
	if err != nil {
		cancel()
		return nil, func() {}, f.callError(op, 0, err.Error(), err, tok)
	}
	return &giteaCall{giteaForge: f, sdk: sdk, token: tok}, cancel, nil
}

func (c *giteaCall) fail(op string, resp *gitea.Response, err error) error {
	status := 0
	if resp != nil && resp.Response != nil {
		status = resp.StatusCode
	}
	return c.callError(op, status, err.Error(), err, c.token)
}

// Ensure implements Forge.
func (f *giteaForge) Ensure(ctx context.Context, r Request) (PullRequest, bool, error) {
	if err := r.validate(); err != nil {
		return PullRequest{}, false, err
	}
	c, cancel, err := f.call(ctx, "opening pull request")
	defer cancel()
	if err != nil {
		return PullRequest{}, false, err
	}
	open, err := c.findOpen(r.Head)
	if err != nil {
		return PullRequest{}, false, err
	}
	labels, err := c.labelIDs(r.Labels)
	if err != nil {
		return PullRequest{}, false, err
	}
	var pr PullRequest
	if open == nil {
		pr, err = c.create(r, labels)
	} else {
		pr, err = c.update(open, r, labels)
	}
	if err != nil || !r.AutoMerge {
		return pr, open == nil && err == nil, err
	}
	return pr, open == nil, c.autoMerge(pr.Number)
}

// findOpen returns the open pull request whose head is branch head of
// this repository, or nil.
func (c *giteaCall) findOpen(head string) (*gitea.PullRequest, error) {
	var found *gitea.PullRequest
	err := c.scan(gitea.StateOpen, func(p *gitea.PullRequest) bool {
		if giteaHeadIs(p, head) {
			found = p
			return false
		}
		return true
	})
	return found, err
}

// scan calls fn on pull requests in state, newest first, until fn returns
// false or giteaPages pages were read.
func (c *giteaCall) scan(state gitea.StateType, fn func(*gitea.PullRequest) bool) error {
	for page := 1; page <= giteaPages; page++ {
		prs, resp, err := c.sdk.ListRepoPullRequests(c.owner, c.name, gitea.ListPullRequestsOptions{
			ListOptions: gitea.ListOptions{Page: page, PageSize: 50}, State: state,
		})
		if err != nil {
			return c.fail("listing pull requests", resp, err)
		}
		for _, p := range prs {
			if !fn(p) {
				return nil
			}
		}
		if len(prs) < 50 {
			return nil
		}
	}
	return nil
}

// giteaHeadIs reports whether p's head is branch of the base repository.
func giteaHeadIs(p *gitea.PullRequest, branch string) bool {
	return p.Head != nil && p.Base != nil && p.Head.Ref == branch && p.Head.RepoID == p.Base.RepoID
}

func (c *giteaCall) create(r Request, labels []int64) (PullRequest, error) {
	title := r.Title
	if r.Draft && draftPrefix(title) == "" {
		title = "WIP: " + title
	}
	p, resp, err := c.sdk.CreatePullRequest(c.owner, c.name, gitea.CreatePullRequestOption{
		Head: r.Head, Base: r.Base, Title: title, Body: r.Body,
		Assignees: r.Assignees, Reviewers: r.Reviewers, Labels: labels,
	})
	if err != nil {
		return PullRequest{}, c.fail("opening pull request", resp, err)
	}
	c.log.Info("opened pull request", "url", p.HTMLURL, "number", p.Index)
	return giteaPR(p), nil
}

func (c *giteaCall) update(p *gitea.PullRequest, r Request, labels []int64) (PullRequest, error) {
	body := r.Body
	edit := gitea.EditPullRequestOption{Title: keepDraft(p.Title, r.Title), Body: &body}
	if missing := missingUsers(p.Assignees, r.Assignees); len(missing) > 0 {
		edit.Assignees = append(giteaLogins(p.Assignees), missing...)
	}
	if len(labels) > 0 {
		_, resp, err := c.sdk.AddIssueLabels(c.owner, c.name, p.Index, gitea.IssueLabelsOption{Labels: labels})
		if err != nil {
			return PullRequest{}, c.fail("labelling pull request", resp, err)
		}
	}
	up, resp, err := c.sdk.EditPullRequest(c.owner, c.name, p.Index, edit)
	if err != nil {
		return PullRequest{}, c.fail("updating pull request", resp, err)
	}
	c.log.Info("updated pull request", "url", up.HTMLURL, "number", up.Index)
	return giteaPR(up), nil
}

func (c *giteaCall) autoMerge(number int) error {
	_, resp, err := c.sdk.MergePullRequest(c.owner, c.name, int64(number), gitea.MergePullRequestOption{
		Style: gitea.MergeStyleMerge, MergeWhenChecksSucceed: true,
	})
	if err != nil && (resp == nil || resp.StatusCode != http.StatusConflict) { // 409: already scheduled
		e := c.fail("enabling auto-merge", resp, err).(*Error)
		e.Kind = ErrAutoMerge
		return e
	}
	return nil
}

// PullRequests implements Forge.
func (f *giteaForge) PullRequests(ctx context.Context, head string) ([]PullRequest, error) {
	c, cancel, err := f.call(ctx, "listing pull requests")
	defer cancel()
	if err != nil {
		return nil, err
	}
	var out []PullRequest
	err = c.scan(gitea.StateAll, func(p *gitea.PullRequest) bool {
		if giteaHeadIs(p, head) {
			out = append(out, giteaPR(p))
		}
		return len(out) < MaxList
	})
	return out, err
}

// Close implements Forge.
func (f *giteaForge) Close(ctx context.Context, number int, comment string) error {
	c, cancel, err := f.call(ctx, "closing pull request")
	defer cancel()
	if err != nil {
		return err
	}
	if comment != "" {
		_, resp, err := c.sdk.CreateIssueComment(c.owner, c.name, int64(number), gitea.CreateIssueCommentOption{Body: comment})
		if err != nil {
			return c.fail("commenting on pull request", resp, err)
		}
	}
	closed := gitea.StateClosed
	_, resp, err := c.sdk.EditPullRequest(c.owner, c.name, int64(number), gitea.EditPullRequestOption{State: &closed})
	if err != nil {
		return c.fail("closing pull request", resp, err)
	}
	return nil
}

func giteaPR(p *gitea.PullRequest) PullRequest {
	pr := PullRequest{Number: int(p.Index), URL: p.HTMLURL, State: Open, Title: p.Title, Body: p.Body}
	switch {
	case p.HasMerged:
		pr.State = Merged
	case p.State == gitea.StateClosed:
		pr.State = Closed
	}
	if p.Head != nil {
		pr.Head, pr.HeadSHA = p.Head.Ref, p.Head.Sha
	}
	if p.Base != nil {
		pr.Base = p.Base.Ref
	}
	return pr
}

func giteaLogins(users []*gitea.User) []string {
	var out []string
	for _, u := range users {
		out = append(out, u.UserName)
	}
	return out
}

// missingUsers returns the names of want that are not in have.
func missingUsers(have []*gitea.User, want []string) []string {
	logins := giteaLogins(have)
	var out []string
	for _, w := range want {
		if !slices.Contains(logins, w) {
			out = append(out, w)
		}
	}
	return out
}
