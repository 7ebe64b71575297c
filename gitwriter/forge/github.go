package forge

import (
	"context"
	"errors"
	"strings"

	"github.com/google/go-github/v75/github"
)

// githubForge speaks GitHub's REST API (github.com or Enterprise Server).
type githubForge struct {
	common
	owner, name string
	gh          *github.Client
}

var _ Forge = (*githubForge)(nil)

func newGitHub(loc location, o *options) (*githubForge, error) {
	if len(loc.segments) != 2 {
		return nil, errors.New("github repository URL: path " + safeText(loc.path()) + " is not owner/repo")
	}
	owner, name := loc.ownerRepo()
	def := "https://api.github.com/"
	if !strings.EqualFold(loc.host, "github.com") {
		def = loc.scheme + "://" + loc.host + "/api/v3/"
	}
	c, err := newCommon(GitHub, loc, owner+"/"+name, def, o)
	if err != nil {
		return nil, err
	}
	gh := github.NewClient(httpClient(o.client, c.apiURL.Host, "Authorization", "Bearer ", o.log))
	if c.apiURL.Host != "api.github.com" {
		if gh, err = gh.WithEnterpriseURLs(c.apiURL.String(), c.apiURL.String()); err != nil {
			return nil, err
		}
	}
	gh.UserAgent = "hoist"
	return &githubForge{common: c, owner: owner, name: name, gh: gh}, nil
}

func (f *githubForge) fail(op string, resp *github.Response, err error, tok string) error {
	status, msg := 0, err.Error()
	if resp != nil && resp.Response != nil {
		status = resp.StatusCode
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		msg = er.Message
		for _, d := range er.Errors {
			msg += "; " + d.Error()
		}
	}
	return f.callError(op, status, msg, err, tok)
}

// Ensure implements Forge. AutoMerge is not supported on GitHub (it needs
// GraphQL): the pull request is opened or updated and ErrAutoMerge returned.
func (f *githubForge) Ensure(ctx context.Context, r Request) (PullRequest, bool, error) {
	if err := r.validate(); err != nil {
		return PullRequest{}, false, err
	}
	ctx, cancel, tok, err := f.begin(ctx, "opening pull request")
	defer cancel()
	if err != nil {
		return PullRequest{}, false, err
	}
	open, resp, err := f.gh.PullRequests.List(ctx, f.owner, f.name, &github.PullRequestListOptions{
		State: "open", Head: f.owner + ":" + r.Head, ListOptions: github.ListOptions{PerPage: 1},
	})
	if err != nil {
		return PullRequest{}, false, f.fail("listing pull requests", resp, err, tok)
	}
	var pr PullRequest
	if len(open) == 0 {
		pr, err = f.create(ctx, r, tok)
	} else {
		pr, err = f.update(ctx, open[0], r, tok)
	}
	if err != nil || !r.AutoMerge {
		return pr, len(open) == 0 && err == nil, err
	}
	return pr, len(open) == 0, &Error{Provider: GitHub, Host: f.host, Repo: f.repo,
		Op: "enabling auto-merge", Kind: ErrAutoMerge,
		Message: "not supported for github by hoist: merge the pull request or use a merge queue"}
}

func (f *githubForge) create(ctx context.Context, r Request, tok string) (PullRequest, error) {
	p, resp, err := f.gh.PullRequests.Create(ctx, f.owner, f.name, &github.NewPullRequest{
		Title: &r.Title, Head: &r.Head, Base: &r.Base, Body: &r.Body, Draft: &r.Draft,
	})
	if err != nil {
		return PullRequest{}, f.fail("opening pull request", resp, err, tok)
	}
	n := p.GetNumber()
	if len(r.Reviewers) > 0 {
		_, resp, err := f.gh.PullRequests.RequestReviewers(ctx, f.owner, f.name, n, github.ReviewersRequest{Reviewers: r.Reviewers})
		if err != nil {
			return PullRequest{}, f.fail("requesting reviewers", resp, err, tok)
		}
	}
	if err := f.decorate(ctx, n, r, tok); err != nil {
		return PullRequest{}, err
	}
	f.log.Info("opened pull request", "url", p.GetHTMLURL(), "number", n)
	return githubPR(p), nil
}

// decorate adds labels and assignees; GitHub creates missing labels and
// leaves the ones already there.
func (f *githubForge) decorate(ctx context.Context, n int, r Request, tok string) error {
	if len(r.Labels) > 0 {
		if _, resp, err := f.gh.Issues.AddLabelsToIssue(ctx, f.owner, f.name, n, r.Labels); err != nil {
			return f.fail("labelling pull request", resp, err, tok)
		}
	}
	if len(r.Assignees) > 0 {
		if _, resp, err := f.gh.Issues.AddAssignees(ctx, f.owner, f.name, n, r.Assignees); err != nil {
			return f.fail("assigning pull request", resp, err, tok)
		}
	}
	return nil
}

func (f *githubForge) update(ctx context.Context, p *github.PullRequest, r Request, tok string) (PullRequest, error) {
	n := p.GetNumber()
	up, resp, err := f.gh.PullRequests.Edit(ctx, f.owner, f.name, n, &github.PullRequest{Title: &r.Title, Body: &r.Body})
	if err != nil {
		return PullRequest{}, f.fail("updating pull request", resp, err, tok)
	}
	if err := f.decorate(ctx, n, r, tok); err != nil {
		return PullRequest{}, err
	}
	f.log.Info("updated pull request", "url", up.GetHTMLURL(), "number", n)
	return githubPR(up), nil
}

// PullRequests implements Forge.
func (f *githubForge) PullRequests(ctx context.Context, head string) ([]PullRequest, error) {
	ctx, cancel, tok, err := f.begin(ctx, "listing pull requests")
	defer cancel()
	if err != nil {
		return nil, err
	}
	ps, resp, err := f.gh.PullRequests.List(ctx, f.owner, f.name, &github.PullRequestListOptions{
		State: "all", Head: f.owner + ":" + head, Sort: "created", Direction: "desc",
		ListOptions: github.ListOptions{PerPage: MaxList},
	})
	if err != nil {
		return nil, f.fail("listing pull requests", resp, err, tok)
	}
	out := make([]PullRequest, 0, len(ps))
	for _, p := range ps {
		out = append(out, githubPR(p))
	}
	return out, nil
}

// Close implements Forge.
func (f *githubForge) Close(ctx context.Context, number int, comment string) error {
	ctx, cancel, tok, err := f.begin(ctx, "closing pull request")
	defer cancel()
	if err != nil {
		return err
	}
	if comment != "" {
		_, resp, err := f.gh.Issues.CreateComment(ctx, f.owner, f.name, number, &github.IssueComment{Body: &comment})
		if err != nil {
			return f.fail("commenting on pull request", resp, err, tok)
		}
	}
	closed := "closed"
	if _, resp, err := f.gh.PullRequests.Edit(ctx, f.owner, f.name, number, &github.PullRequest{State: &closed}); err != nil {
		return f.fail("closing pull request", resp, err, tok)
	}
	return nil
}

func githubPR(p *github.PullRequest) PullRequest {
	pr := PullRequest{
		Number: p.GetNumber(), URL: p.GetHTMLURL(), State: Open,
		Head: p.GetHead().GetRef(), Base: p.GetBase().GetRef(), HeadSHA: p.GetHead().GetSHA(),
		Title: p.GetTitle(), Body: p.GetBody(),
	}
	switch {
	case p.MergedAt != nil || p.GetMerged():
		pr.State = Merged
	case p.GetState() == "closed":
		pr.State = Closed
	}
	return pr
}
