package forge

import (
	"context"
	"fmt"
	"strings"
)

// Forge opens and tracks the pull requests of one repository on one forge.
// Every method reads the token anew (see WithToken) and bounds its calls by
// the timeout (see WithTimeout). Errors are *Error values naming the forge
// host and repository; they wrap one of the sentinels (ErrUnauthorized,
// ErrNotFound, ...) and never hold the token.
type Forge interface {
	// Ensure opens a pull request from r.Head into r.Base, or updates the one
	// open for r.Head (title, body; missing labels and assignees are added):
	// never a second open pull request for the same head branch. created
	// says which. Reviewers and Draft apply when the pull request is opened.
	// When only the auto-merge step fails, Ensure returns the pull request
	// and an error wrapping ErrAutoMerge.
	Ensure(ctx context.Context, r Request) (pr PullRequest, created bool, err error)
	// PullRequests lists the pull requests (open, closed and merged) whose
	// head is the branch head of this repository, newest first, at most
	// MaxList of them.
	PullRequests(ctx context.Context, head string) ([]PullRequest, error)
	// Close comments on an open pull request (when comment is not empty) and
	// closes it without merging.
	Close(ctx context.Context, number int, comment string) error
}

// MaxList bounds how many pull requests PullRequests returns.
const MaxList = 50

// Request is the pull request Ensure opens or updates.
type Request struct {
	// Base is the branch the change is proposed to (the checkout branch).
	Base string
	// Head is the branch holding the change (hoist's push branch), in the
	// same repository.
	Head string
	// Title is the pull request's title, usually the commit subject.
	Title string
	// Body is the pull request's description, in Markdown.
	Body string
	// Labels are label names. Labels that do not exist yet are created
	// (Gitea/Forgejo by hoist; GitHub and GitLab create them themselves).
	Labels []string
	// Reviewers are user names asked to review when the pull request is
	// opened. Updates leave reviewers alone, so that people who already
	// reviewed are not asked again on every pass.
	Reviewers []string
	// Assignees are user names the pull request is assigned to.
	Assignees []string
	// Draft opens the pull request as a draft: GitHub's draft flag, a
	// "Draft: " title prefix on GitLab, a "WIP: " prefix on Gitea/Forgejo.
	// An update keeps whatever draft state the pull request has then.
	Draft bool
	// AutoMerge asks the forge to merge once checks pass: Gitea/Forgejo
	// merge_when_checks_succeed (merges at once when nothing is pending),
	// GitLab auto_merge / merge_when_pipeline_succeeds. GitHub is not
	// supported (it needs GraphQL): Ensure returns ErrAutoMerge there.
	AutoMerge bool
}

func (r Request) validate() error {
	switch {
	case strings.TrimSpace(r.Base) == "":
		return fmt.Errorf("pull request needs a base branch")
	case strings.TrimSpace(r.Head) == "":
		return fmt.Errorf("pull request needs a head branch")
	case r.Head == r.Base:
		return fmt.Errorf("pull request head and base are both %q", r.Head)
	case strings.TrimSpace(r.Title) == "":
		return fmt.Errorf("pull request needs a title")
	}
	return nil
}

// State is where a pull request stands.
type State string

// The states of a pull request.
const (
	Open   State = "open"
	Closed State = "closed" // closed without merging
	Merged State = "merged"
)

// PullRequest is a pull request (a merge request on GitLab) as the forge
// reports it.
type PullRequest struct {
	// Number is the pull request's number in its repository (GitLab: iid).
	Number int
	// URL is the pull request's web page.
	URL string
	// State is open, closed or merged.
	State State
	// Head and Base are the branch names.
	Head, Base string
	// HeadSHA is the commit the head branch pointed at.
	HeadSHA string
	// Title and Body are as on the forge.
	Title, Body string
}

// draftPrefixes are the title prefixes Gitea and GitLab read as "draft".
var draftPrefixes = []string{"WIP:", "[WIP]", "Draft:", "[Draft]", "(Draft)"}

// isDraftTitle reports the draft prefix of title, or "".
func draftPrefix(title string) string {
	for _, p := range draftPrefixes {
		if len(title) >= len(p) && strings.EqualFold(title[:len(p)], p) {
			return title[:len(p)] + " "
		}
	}
	return ""
}

// keepDraft gives title the draft prefix current has, if any.
func keepDraft(current, title string) string {
	if p := draftPrefix(current); p != "" && draftPrefix(title) == "" {
		return p + title
	}
	return title
}
