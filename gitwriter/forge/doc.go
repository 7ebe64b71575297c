// Package forge opens and tracks hoist's pull requests on Gitea/Forgejo,
// GitHub and GitLab, behind one small interface.
//
// A tour:
//
//	f, err := forge.New("gitea", "https://git.example.com/acme/fleet.git",
//		forge.WithToken(readTokenFile), forge.WithLogger(log))
//	pr, created, err := f.Ensure(ctx, forge.Request{
//		Base: "main", Head: "hoist/main", Title: subject, Body: table,
//		Labels: []string{"images"},
//	})
//	prs, err := f.PullRequests(ctx, "hoist/main") // newest first: open, closed, merged
//	err = f.Close(ctx, pr.Number, "main already has every change")
//
// New parses the owner and repository (GitLab: the full namespace path) from
// the repository URL (https://, http://, ssh:// or git@host:owner/repo.git)
// and derives the API URL from it unless WithAPIURL says otherwise. It makes
// no network call. Each method reads the token anew (WithToken), so a rotated
// token file is picked up; the token goes only to the API host, never to
// logs or errors.
//
// Ensure keeps at most one open pull request per head branch: it updates the
// open one (title, body, missing labels and assignees) or opens one.
// Labels are given by name; missing ones are created (by hoist on Gitea, by
// the forge itself on GitHub and GitLab). Reviewers and Draft apply when a
// pull request is opened. AutoMerge uses Gitea's merge_when_checks_succeed
// (which merges at once when no check is pending) and GitLab's auto_merge;
// it is not supported on GitHub (GraphQL only), where Ensure opens the pull
// request and returns ErrAutoMerge.
//
// Errors are *Error values: "gitea git.example.com acme/fleet: opening pull
// request: unauthorized: check the forge token (HTTP 401): ...", with text
// from the server escaped and capped. They wrap a category to branch on:
// ErrUnauthorized, ErrForbidden, ErrNotFound, ErrRejected, ErrUnavailable
// (retry later), ErrToken, ErrAutoMerge.
//
// The Gitea code is tested against a real Gitea (package forgetest). No real
// GitHub or GitLab is reachable from where hoist is built, so those are
// contract tests: go-github and GitLab's client-go against an httptest
// server answering the documented REST shapes.
package forge
