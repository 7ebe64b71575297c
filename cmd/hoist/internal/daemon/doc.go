// Package daemon runs hoist as a service: a worker per config repository runs
// passes on the repository's cron schedule and when a registry webhook says
// an image the repository uses was pushed, with jitter, debouncing, per-repo
// backoff after failures and a bounded drain on shutdown.
//
// The daemon knows nothing of the stages: each [Repo] brings its own Run
// function (cmd/hoist wires a full pass into it). [Handler] serves the HTTP
// side: /healthz, /readyz, /metrics and /hooks/<kind>; [Server] wraps it in
// an http.Server with the timeouts of [HTTPLimits]. Webhook callers are not
// trusted: metric labels come from a fixed set, bodies and concurrent
// requests are capped, and rejections are logged at a bounded rate with
// request data quoted and cut.
package daemon
