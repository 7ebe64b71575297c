// Command hoist keeps the container image references in a GitOps config
// repository up to date: it scans registries for new tags, lets the
// repository's policies pick the tag to run, rewrites the marked YAML values
// and pushes one commit.
//
// The commands: once (one pass), plan (the diff a pass would commit), run (the
// daemon), tags, validate, history and demo. Each command's RunE calls a
// lowercase function that takes the context and the app (its writers and
// logger), so the tests run commands in process. The pass that wires the
// stages is in internal/pass, the daemon's scheduling in internal/daemon,
// the service config in internal/config.
package main
