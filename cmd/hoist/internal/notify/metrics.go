package notify

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons an event is dropped, the values of the reason label.
const (
	reasonQueueFull = "queue_full" // the destination's queue was full
	reasonGaveUp    = "gave_up"    // every attempt failed, or the receiver refused it for good
	reasonClosed    = "closed"     // the Notifier was closing
)

// metrics are the Notifier's counters. Label values come from the
// destinations' names and the reason constants only.
type metrics struct {
	sent, failed, dropped *prometheus.CounterVec
}

func newMetrics(r prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoist_notifications_sent_total",
			Help: "Events delivered, by destination."}, []string{"destination"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoist_notifications_failed_total",
			Help: "Delivery attempts that failed, by destination."}, []string{"destination"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hoist_notifications_dropped_total",
			Help: "Events not delivered, by destination and reason (queue_full, gave_up, closed)."}, []string{"destination", "reason"}),
	}
	if r == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.sent, m.failed, m.dropped} {
		if err := r.Register(c); err != nil {
			return nil, fmt.Errorf("registering notification metrics: %w", err)
		}
	}
	return m, nil
}

// destMetrics are one destination's counters.
type destMetrics struct {
	sent, failed prometheus.Counter
	drops        map[string]prometheus.Counter
}

// of returns a destination's counters, created at zero so they show before
// the first event.
func (m *metrics) of(name string) destMetrics {
	d := destMetrics{sent: m.sent.WithLabelValues(name), failed: m.failed.WithLabelValues(name),
		drops: map[string]prometheus.Counter{}}
	for _, r := range []string{reasonQueueFull, reasonGaveUp, reasonClosed} {
		d.drops[r] = m.dropped.WithLabelValues(name, r)
	}
	return d
}

func (d destMetrics) dropped(reason string) { d.drops[reason].Inc() }
