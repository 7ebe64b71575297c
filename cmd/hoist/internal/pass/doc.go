// Package pass wires hoist's stages into one pass over a checked-out worktree:
// load policies, scan the registries they name, select a tag per policy, and
// rewrite the marked YAML values.
//
// A pass never touches git: the caller hands [Run] a directory (a worktree that
// gitwriter checked out) and turns the returned [Report] into a commit. Problems
// with one file, policy or registry are collected in the Report and the rest of
// the pass goes on.
//
// Chart policies are scanned through the Scanner's ChartVersions ([ChartLister]);
// their markers must take the ":tag" form. Gates are decided by the policy
// package from what the pass supplies: build or created times for minAge, and
// for follow the versions the followed markers held, read from git history
// ([Follower], the local checkout by default) without scanning a registry.
// [Report.Gates] says how each moved policy passed its gates.
package pass
