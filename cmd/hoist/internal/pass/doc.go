// Package pass wires hoist's stages into one pass over a checked-out worktree:
// load policies, scan the registries they name, select a tag per policy, and
// rewrite the marked YAML values.
//
// A pass never touches git: the caller hands [Run] a directory (a worktree that
// gitwriter checked out) and turns the returned [Report] into a commit. Problems
// with one file, policy or registry are collected in the Report and the rest of
// the pass goes on.
package pass
