package daemon

import (
	"errors"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the daemon's Prometheus metrics, in a registry of their own.
type Metrics struct {
	// Registry holds every metric; serve it at /metrics.
	Registry *prometheus.Registry

	passes      *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	commits     *prometheus.CounterVec
	changes     *prometheus.CounterVec
	errors      *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	webhooks    *prometheus.CounterVec
	tags        *prometheus.GaugeVec
	pulls       *prometheus.CounterVec
	held        *prometheus.GaugeVec
}

// The actions of hoist_pull_requests_total; Result.PullRequests outside
// them count as "other".
var pullRequestActions = []string{"opened", "updated", "closed"}

// StageError is an error from one stage of a pass ("git", "registry",
// "policy", "yamlpatch"); hoist_errors_total counts a failed pass under the
// Stage of the innermost StageError in its error's chain (the most specific:
// a policy error that reached the daemon through git's edit callback counts
// as "policy"), and under [StagePass] when the chain holds none.
type StageError struct {
	Stage string
	Err   error
}

func (e *StageError) Error() string { return e.Err.Error() }
func (e *StageError) Unwrap() error { return e.Err }

// StagePass is the stage of a failed pass whose error names no stage.
const StagePass = "pass"

// stageOf names the stage a pass's error came from (see [StageError]).
func stageOf(err error) string {
	stage := StagePass
	var se *StageError
	for errors.As(err, &se) {
		if se.Stage != "" {
			stage = se.Stage
		}
		err = se.Err
	}
	return stage
}

// Results of webhook requests, the values of hoist_webhooks_total's result
// label.
const (
	resultAccepted = "accepted"
	resultRejected = "rejected"
	resultBusy     = "busy" // refused: too many requests at once
)

// NewMetrics registers the daemon's metrics, plus Go and process metrics,
// and any extra collectors (the registry client's, for one).
func NewMetrics(extra ...prometheus.Collector) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoist_passes_total",
			Help: "Passes run, by repository and result (committed, unchanged, failed)."}, []string{"repo", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hoist_pass_duration_seconds",
			Help: "How long passes took.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 12)}, []string{"repo"}),
		commits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoist_commits_total",
			Help: "Commits pushed."}, []string{"repo"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoist_changes_total",
			Help: "Marked values changed."}, []string{"repo"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoist_errors_total",
			Help: "Errors and problems, by repository and stage."}, []string{"repo", "stage"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hoist_last_success_timestamp_seconds",
			Help: "When the repository's last successful pass ended (Unix time)."}, []string{"repo"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoist_webhooks_total",
			Help: "Webhook requests, by kind (unknown for any kind not served) and result (accepted, rejected, busy)."}, []string{"kind", "result"}),
		tags: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hoist_tags_cached",
			Help: "Tags known for each image repository at its last scan."}, []string{"image"}),
		pulls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoist_pull_requests_total",
			Help: "Pull requests opened, updated and closed, by repository."}, []string{"repo", "action"}),
		held: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hoist_held_policies",
			Help: "Policies held back at the last pass (a revert, a hand pin, a closed pull request, suspend)."}, []string{"repo"}),
	}
	m.Registry.MustRegister(m.passes, m.duration, m.commits, m.changes, m.errors, m.lastSuccess, m.webhooks, m.tags, m.pulls, m.held,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.Registry.MustRegister(extra...)
	for _, kind := range append(hookKinds(), kindUnknown) {
		for _, result := range []string{resultAccepted, resultRejected, resultBusy} {
			m.webhooks.WithLabelValues(kind, result)
		}
	}
	return m
}

// observe records one pass. A nil Metrics records nothing.
func (m *Metrics) observe(repo string, res Result, err error, took time.Duration) {
	if m == nil {
		return
	}
	m.duration.WithLabelValues(repo).Observe(took.Seconds())
	m.changes.WithLabelValues(repo).Add(float64(res.Changes))
	for image, n := range res.TagCounts {
		m.tags.WithLabelValues(image).Set(float64(n))
	}
	for stage, n := range res.ProblemsByStage {
		m.errors.WithLabelValues(repo, stage).Add(float64(n))
	}
	for _, action := range res.PullRequests {
		if !slices.Contains(pullRequestActions, action) {
			action = "other"
		}
		m.pulls.WithLabelValues(repo, action).Inc()
	}
	if err == nil {
		m.held.WithLabelValues(repo).Set(float64(res.Held))
	}
	switch {
	case err != nil:
		m.passes.WithLabelValues(repo, "failed").Inc()
		m.errors.WithLabelValues(repo, stageOf(err)).Inc()
		return
	case res.Commit != "":
		m.passes.WithLabelValues(repo, "committed").Inc()
		m.commits.WithLabelValues(repo).Inc()
	default:
		m.passes.WithLabelValues(repo, "unchanged").Inc()
	}
	m.lastSuccess.WithLabelValues(repo).SetToCurrentTime()
}

// webhook records one webhook request. kind must be hookKind's label and
// result one of the result constants: request data never makes a label.
func (m *Metrics) webhook(kind, result string) {
	if m == nil {
		return
	}
	m.webhooks.WithLabelValues(kind, result).Inc()
}
