// Package gitwriter lands hoist's changes in a git repository: it keeps a cached
// clone, lets the caller edit the worktree, commits the edit as one commit and
// pushes it, redoing the edit on the new head when the remote moved.
//
// A tour:
//
//   - [Open] clones the remote once (shallow, depth 1, unless [WithDepth] or
//     [WithPushBranch] say otherwise) into the state directory, or reuses the
//     cached clone there after checking it belongs to the same remote and is
//     intact; a clone that is not is recloned.
//   - [Repo.Checkout] fetches the branch and hard-resets the worktree to it.
//     Like git, it finds changed files by comparing stat data with the index
//     and rewrites only those and the files that differ between the old and
//     the new head, so a pass with nothing to do costs a fetch and a stat walk.
//   - [Repo.Update] runs checkout, the caller's [EditFunc], commit and push in
//     a loop: a push rejected because the remote moved leads to a fresh fetch
//     and a new edit on the new head (after a short random backoff), never to
//     a blind rebase or a force push of the checkout branch. A push the
//     remote declines for another reason (a pre-receive hook, a checked-out
//     branch of a non-bare repository) fails at once with [ErrDeclined],
//     carrying the remote's reason and what it printed, escaped and capped.
//   - Commit messages come from a text/template that sees every [Update]
//     ([MessageData]); the default keeps the subject under 72 characters.
//     Templates also see Flux's data (.AutomationObject, .Changed, .Updated,
//     .Values; [WithAutomation]) and the Sprig functions Flux users call,
//     so a Flux messageTemplate renders as Flux renders it.
//     [CheckMessageTemplate] checks a template as [Open] does.
//     The trailers Hoist-Policy, Hoist-Image, Hoist-From and Hoist-To follow,
//     so [Repo.History] can read hoist's commits back as an audit log. Values
//     from registries and the repository are escaped wherever they reach a
//     message (Go-quoted when not plain one-line text), so a hostile tag can
//     neither take over the subject nor forge trailers. Commits can be signed
//     with OpenPGP or SSH keys ([SigningKey]).
//   - [Repo.Holds] (and [ReadHolds] on a local checkout) reads rollbacks back
//     from history: a commit that is not hoist's and that moves a marked
//     value away from the tag hoist last set (a git revert, a hand edit)
//     rejects that tag ([Rejection]); an update's Hoist-Rejected trailers
//     carry rejections on; a Hoist-Release trailer on any commit drops the
//     policy's rejections from before it. It follows first parents (a merge
//     counts as the change it brings), deepens a shallow clone up to
//     [WithHistoryLimit] commits and says when history ran out, and keeps
//     what it read in a [HistoryCache] keyed by hash.
//
// Every network operation has a deadline ([WithTimeout]). Errors of network
// steps are [*Error] values naming the step and the remote, with credentials
// redacted. Each operation holds a file lock on the clone, so several
// processes may share a state directory.
package gitwriter
