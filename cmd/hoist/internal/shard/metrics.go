package shard

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the shard's Prometheus collectors.
type metrics struct {
	repositories   prometheus.Gauge
	members        prometheus.Gauge
	handovers      *prometheus.CounterVec
	renewalsFailed prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		repositories: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hoist_shard_repositories",
			Help: "Configured repositories this replica owns.",
		}),
		members: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hoist_shard_members",
			Help: "Live replicas, this one included while its Lease is held.",
		}),
		handovers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hoist_shard_handovers_total",
			Help: "Repositories this replica took over (direction=in) or gave up (direction=out) on membership changes.",
		}, []string{"direction"}),
		renewalsFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hoist_shard_lease_renewals_failed_total",
			Help: "Failed attempts to create or renew this replica's Lease.",
		}),
	}
	m.handovers.WithLabelValues("in")
	m.handovers.WithLabelValues("out")
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.repositories, m.members, m.handovers, m.renewalsFailed} {
		if err := reg.Register(c); err != nil { // one Shard per registry
			return nil, fmt.Errorf("registering shard metrics: %w", err)
		}
	}
	return m, nil
}
