package daemon

import (
	"errors"
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
}

// StageError is an error from one stage of a pass ("git", "registry",
// "policy", "yamlpatch"); metrics count errors by stage.
type StageError struct {
	Stage string
	Err   error
}

func (e *StageError) Error() string { return e.Err.Error() }
func (e *StageError) Unwrap() error { return e.Err }

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
			Help: "Webhook requests, by kind and result (accepted, rejected)."}, []string{"kind", "result"}),
		tags: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hoist_tags_cached",
			Help: "Tags known for each image repository at its last scan."}, []string{"image"}),
	}
	m.Registry.MustRegister(m.passes, m.duration, m.commits, m.changes, m.errors, m.lastSuccess, m.webhooks, m.tags,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.Registry.MustRegister(extra...)
	return m
}

// observe records one pass. A nil Metrics records nothing.
func (m *Metrics) observe(repo string, res Result, err error, took time.Duration) {
	if m == nil {
		return
	}
	m.duration.WithLabelValues(repo).Observe(took.Seconds())
	m.changes.WithLabelValues(repo).Add(float64(res.Changes))
	for image, n := range res.Tags {
		m.tags.WithLabelValues(image).Set(float64(n))
	}
	for stage, n := range res.ProblemsByStage {
		m.errors.WithLabelValues(repo, stage).Add(float64(n))
	}
	switch {
	case err != nil:
		m.passes.WithLabelValues(repo, "failed").Inc()
		stage := "pass"
		var se *StageError
		if errors.As(err, &se) {
			stage = se.Stage
		}
		m.errors.WithLabelValues(repo, stage).Inc()
		return
	case res.Commit != "":
		m.passes.WithLabelValues(repo, "committed").Inc()
		m.commits.WithLabelValues(repo).Inc()
	default:
		m.passes.WithLabelValues(repo, "unchanged").Inc()
	}
	m.lastSuccess.WithLabelValues(repo).SetToCurrentTime()
}

// webhook records one webhook request.
func (m *Metrics) webhook(kind string, ok bool) {
	if m == nil {
		return
	}
	result := "accepted"
	if !ok {
		result = "rejected"
	}
	m.webhooks.WithLabelValues(kind, result).Inc()
}
