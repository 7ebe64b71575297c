package shard_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// testTrigger asks a pass of repositories owned by c from a and from c
// itself: c's callback gets each exactly once, and the annotations go away.
func testTrigger(t *testing.T, cl *cluster, a, b, c *replica) {
	var owned []string
	for _, repo := range cl.repos {
		if c.Owns(repo) && len(owned) < 3 {
			owned = append(owned, repo)
		}
	}
	ctx := t.Context()
	// Watch c's Lease from now on, to see the annotations come and go.
	w, err := cl.admin.CoordinationV1().Leases(namespace).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=hoist-c"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for _, repo := range owned[:2] {
		if err := a.Trigger(ctx, repo); err != nil {
			t.Fatalf("a.Trigger(%s): %v", repo, err)
		}
	}
	if err := c.Trigger(ctx, owned[2]); err != nil { // its own: no API call
		t.Fatalf("c.Trigger(%s): %v", owned[2], err)
	}
	// Wait for the Lease to carry annotations and then none again, and for
	// two more renewals after that: the owner has seen the cleared Lease
	// twice, and must not have run anything again.
	waitLease(t, w, "a trigger annotation", func(l *coordinationv1.Lease) bool { return triggers(l) > 0 })
	cleared := waitLease(t, w, "trigger annotations cleared", func(l *coordinationv1.Lease) bool { return triggers(l) == 0 })
	for i := range 2 {
		last := cleared.Spec.RenewTime.Time
		cleared = waitLease(t, w, fmt.Sprintf("renewal %d after the clearing", i+1), func(l *coordinationv1.Lease) bool {
			return triggers(l) == 0 && l.Spec.RenewTime.After(last)
		})
	}
	got := c.triggered()
	slices.Sort(got)
	want := slices.Clone(owned)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("passes c was asked for mismatch (-want +got):\n%s", diff)
	}
	if n := len(a.triggered()) + len(b.triggered()); n != 0 {
		t.Errorf("non-owners ran %d triggered passes: a %v, b %v", n, a.triggered(), b.triggered())
	}
}

// triggers counts the trigger annotations on a Lease.
func triggers(l *coordinationv1.Lease) int {
	n := 0
	for k := range l.Annotations {
		if strings.HasPrefix(k, "hoist.dev/trigger-") {
			n++
		}
	}
	return n
}

// waitLease reads watch events of one Lease until cond holds for it.
func waitLease(t *testing.T, w watch.Interface, what string, cond func(*coordinationv1.Lease) bool) *coordinationv1.Lease {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("watch ended waiting for %s", what)
			}
			if l, ok := ev.Object.(*coordinationv1.Lease); ok && cond(l) {
				return l
			}
		case <-ctx.Done():
			t.Fatalf("no %s within 10s", what)
		}
	}
}

// gauge reads an unlabelled gauge from a registry.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	m := metric(t, reg, name, "")
	return m.GetGauge().GetValue()
}

// counter reads a counter with the given direction label ("" for none).
func counter(t *testing.T, reg *prometheus.Registry, name, direction string) float64 {
	t.Helper()
	return metric(t, reg, name, direction).GetCounter().GetValue()
}

func metric(t *testing.T, reg *prometheus.Registry, name, direction string) *dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if direction == "" && len(m.GetLabel()) == 0 {
				return m
			}
			for _, l := range m.GetLabel() {
				if l.GetName() == "direction" && l.GetValue() == direction {
					return m
				}
			}
		}
	}
	t.Fatalf("metric %s{direction=%q} not registered", name, direction)
	return nil
}
