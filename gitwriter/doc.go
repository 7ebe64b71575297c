// Package gitwriter lands hoist's changes in a git repository: it keeps a cached
// clone, lets the caller edit the worktree, commits the edit as one commit and
// pushes it, redoing the edit on the new head when the remote moved.
//
// A tour:
//
//   - [Open] clones the remote once into a state directory (or reuses the cached
//     clone there, after checking it belongs to the same remote and is intact).
//   - [Repo.Checkout] fetches the branch and hard-resets the worktree to it.
//   - [Repo.Update] runs checkout, the caller's [EditFunc], commit and push in a
//     loop: a push rejected because the remote moved leads to a fresh fetch and
//     a new edit on the new head, never to a blind rebase or a force push.
//   - Commit messages come from a text/template that sees every [Update]; the
//     trailers Hoist-Policy, Hoist-Image, Hoist-From and Hoist-To follow, so
//     [Repo.History] can read hoist's commits back as an audit log.
//
// Every network operation has a deadline ([WithTimeout]), and errors are
// [*Error] values naming the step and the remote, with credentials redacted.
package gitwriter
