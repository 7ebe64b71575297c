package forge

import (
	"context"
	"errors"
	"fmt"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// gitlabForge speaks GitLab's REST API v4 (merge requests).
type gitlabForge struct {
	common
	project string // namespace/project path
	gl      *gitlab.Client
}

var _ Forge = (*gitlabForge)(nil)

// callToken is a gitlab.AuthSource sending the token read for the call.
type callToken struct{}

func (callToken) Init(context.Context, *gitlab.Client) error { return nil }
func (callToken) Header(ctx context.Context) (string, string, error) {
	return gitlab.AccessTokenHeaderName, tokenFrom(ctx), nil
}

func newGitLab(loc location, o *options) (*gitlabForge, error) {
	c, err := newCommon(GitLab, loc, loc.path(), loc.scheme+"://"+loc.host, o)
	if err != nil {
		return nil, err
	}
	hc := httpClient(o.client, c.apiURL.Host, gitlab.AccessTokenHeaderName, "", o.log)
	gl, err := gitlab.NewAuthSourceClient(callToken{}, gitlab.WithBaseURL(c.apiURL.String()),
		gitlab.WithHTTPClient(hc), gitlab.WithCustomRetryMax(2), gitlab.WithURLWarningLogger(o.log),
		gitlab.WithUserAgent("hoist"))
	if err != nil {
		return nil, fmt.Errorf("gitlab API URL %q: %w", redactAPIURL(c.apiURL.String()), err)
	}
	return &gitlabForge{common: c, project: loc.path(), gl: gl}, nil
}

func (f *gitlabForge) fail(op string, resp *gitlab.Response, err error, tok string) error {
	status, msg := 0, err.Error()
	if resp != nil && resp.Response != nil {
		status = resp.StatusCode
	}
	var er *gitlab.ErrorResponse
	if errors.As(err, &er) {
		msg = er.Message
	} else if errors.Is(err, gitlab.ErrNotFound) {
		msg = ""
	}
	return f.callError(op, status, msg, err, tok)
}

// Ensure implements Forge.
func (f *gitlabForge) Ensure(ctx context.Context, r Request) (PullRequest, bool, error) {
	if err := r.validate(); err != nil {
		return PullRequest{}, false, err
	}
	ctx, cancel, tok, err := f.begin(ctx, "opening merge request")
	defer cancel()
	if err != nil {
		return PullRequest{}, false, err
	}
	open, resp, err := f.gl.MergeRequests.ListProjectMergeRequests(f.project, &gitlab.ListProjectMergeRequestsOptions{
		State: gitlab.Ptr("opened"), SourceBranch: &r.Head, ListOptions: gitlab.ListOptions{PerPage: 1},
	}, gitlab.WithContext(ctx))
	if err != nil {
		return PullRequest{}, false, f.fail("listing merge requests", resp, err, tok)
	}
	assignees, err := f.userIDs(ctx, r.Assignees, tok)
	if err != nil {
		return PullRequest{}, false, err
	}
	var pr PullRequest
	if len(open) == 0 {
		pr, err = f.create(ctx, r, assignees, tok)
	} else {
		pr, err = f.update(ctx, open[0], r, assignees, tok)
	}
	if err != nil || !r.AutoMerge {
		return pr, len(open) == 0 && err == nil, err
	}
	return pr, len(open) == 0, f.autoMerge(ctx, pr.Number, tok)
}

func (f *gitlabForge) create(ctx context.Context, r Request, assignees []int64, tok string) (PullRequest, error) {
	reviewers, err := f.userIDs(ctx, r.Reviewers, tok)
	if err != nil {
		return PullRequest{}, err
	}
	title := r.Title
	if r.Draft && draftPrefix(title) == "" {
		title = "Draft: " + title
	}
	opt := &gitlab.CreateMergeRequestOptions{
		Title: &title, Description: &r.Body, SourceBranch: &r.Head, TargetBranch: &r.Base,
	}
	if len(r.Labels) > 0 {
		opt.Labels = (*gitlab.LabelOptions)(&r.Labels)
	}
	if len(assignees) > 0 {
		opt.AssigneeIDs = &assignees
	}
	if len(reviewers) > 0 {
		opt.ReviewerIDs = &reviewers
	}
	mr, resp, err := f.gl.MergeRequests.CreateMergeRequest(f.project, opt, gitlab.WithContext(ctx))
	if err != nil {
		return PullRequest{}, f.fail("opening merge request", resp, err, tok)
	}
	f.log.Info("opened pull request", "url", mr.WebURL, "number", mr.IID)
	return gitlabPR(&mr.BasicMergeRequest), nil
}

func (f *gitlabForge) update(ctx context.Context, mr *gitlab.BasicMergeRequest, r Request, assignees []int64, tok string) (PullRequest, error) {
	title := keepDraft(mr.Title, r.Title)
	opt := &gitlab.UpdateMergeRequestOptions{Title: &title, Description: &r.Body}
	if len(r.Labels) > 0 {
		opt.AddLabels = (*gitlab.LabelOptions)(&r.Labels)
	}
	if ids := addIDs(mr.Assignees, assignees); ids != nil {
		opt.AssigneeIDs = &ids
	}
	up, resp, err := f.gl.MergeRequests.UpdateMergeRequest(f.project, mr.IID, opt, gitlab.WithContext(ctx))
	if err != nil {
		return PullRequest{}, f.fail("updating merge request", resp, err, tok)
	}
	f.log.Info("updated pull request", "url", up.WebURL, "number", up.IID)
	return gitlabPR(&up.BasicMergeRequest), nil
}

// addIDs returns the IDs of have plus those of want missing from it, or
// nil when none is missing.
func addIDs(have []*gitlab.BasicUser, want []int64) []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, u := range have {
		ids = append(ids, u.ID)
		seen[u.ID] = true
	}
	missing := false
	for _, id := range want {
		if !seen[id] {
			ids, seen[id], missing = append(ids, id), true, true
		}
	}
	if !missing {
		return nil
	}
	return ids
}

// userIDs looks up the IDs of user names.
func (f *gitlabForge) userIDs(ctx context.Context, names []string, tok string) ([]int64, error) {
	var ids []int64
	for _, n := range names {
		us, resp, err := f.gl.Users.ListUsers(&gitlab.ListUsersOptions{Username: gitlab.Ptr(n)}, gitlab.WithContext(ctx))
		if err != nil {
			return nil, f.fail("looking up user "+safeText(n), resp, err, tok)
		}
		if len(us) == 0 {
			return nil, &Error{Provider: GitLab, Host: f.host, Repo: f.repo, Op: "looking up user " + safeText(n),
				Kind: ErrNotFound, Message: "no such user"}
		}
		ids = append(ids, us[0].ID)
	}
	return ids, nil
}

func (f *gitlabForge) autoMerge(ctx context.Context, iid int, tok string) error {
	opt := &gitlab.AcceptMergeRequestOptions{AutoMerge: gitlab.Ptr(true)}
	//lint:ignore SA1019 GitLab before 17.11 reads only this field
	opt.MergeWhenPipelineSucceeds = gitlab.Ptr(true)
	_, resp, err := f.gl.MergeRequests.AcceptMergeRequest(f.project, int64(iid), opt, gitlab.WithContext(ctx))
	if err != nil {
		e := f.fail("enabling auto-merge", resp, err, tok).(*Error)
		e.Kind = ErrAutoMerge
		return e
	}
	return nil
}

// PullRequests implements Forge.
func (f *gitlabForge) PullRequests(ctx context.Context, head string) ([]PullRequest, error) {
	ctx, cancel, tok, err := f.begin(ctx, "listing merge requests")
	defer cancel()
	if err != nil {
		return nil, err
	}
	mrs, resp, err := f.gl.MergeRequests.ListProjectMergeRequests(f.project, &gitlab.ListProjectMergeRequestsOptions{
		SourceBranch: &head, OrderBy: gitlab.Ptr("created_at"), Sort: gitlab.Ptr("desc"),
		ListOptions: gitlab.ListOptions{PerPage: MaxList},
	}, gitlab.WithContext(ctx))
	if err != nil {
		return nil, f.fail("listing merge requests", resp, err, tok)
	}
	out := make([]PullRequest, 0, len(mrs))
	for _, mr := range mrs {
		out = append(out, gitlabPR(mr))
	}
	return out, nil
}

// Close implements Forge.
func (f *gitlabForge) Close(ctx context.Context, number int, comment string) error {
	ctx, cancel, tok, err := f.begin(ctx, "closing merge request")
	defer cancel()
	if err != nil {
		return err
	}
	if comment != "" {
		_, resp, err := f.gl.Notes.CreateMergeRequestNote(f.project, int64(number),
			&gitlab.CreateMergeRequestNoteOptions{Body: &comment}, gitlab.WithContext(ctx))
		if err != nil {
			return f.fail("commenting on merge request", resp, err, tok)
		}
	}
	_, resp, err := f.gl.MergeRequests.UpdateMergeRequest(f.project, int64(number),
		&gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("close")}, gitlab.WithContext(ctx))
	if err != nil {
		return f.fail("closing merge request", resp, err, tok)
	}
	return nil
}

func gitlabPR(mr *gitlab.BasicMergeRequest) PullRequest {
	pr := PullRequest{
		Number: int(mr.IID), URL: mr.WebURL, State: Open, Head: mr.SourceBranch, Base: mr.TargetBranch,
		HeadSHA: mr.SHA, Title: mr.Title, Body: mr.Description,
	}
	switch mr.State {
	case "merged":
		pr.State = Merged
	case "closed":
		pr.State = Closed
	}
	return pr
}
