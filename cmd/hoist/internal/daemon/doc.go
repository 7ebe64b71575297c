// Package daemon runs hoist as a service: a worker per config repository runs
// passes on the repository's cron schedule and when a registry webhook says
// an image the repository uses was pushed, with jitter, debouncing, per-repo
// backoff after failures and a bounded drain on shutdown.
//
// The daemon knows nothing of the stages: each [Repo] brings its own Run
// function (cmd/hoist wires a full pass into it). [Handler] serves the HTTP
// side: /healthz, /readyz, /metrics and /hooks/<kind>.
package daemon
