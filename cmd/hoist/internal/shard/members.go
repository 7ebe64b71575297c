package shard

import (
	"context"
	"slices"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	listers "k8s.io/client-go/listers/coordination/v1"
)

// gcAfter is how many lease durations a Lease stays expired before a live
// replica deletes it (replicas of a Deployment get new names, so the Leases
// of dead ones would pile up).
const gcAfter = 4

// peer is another replica's Lease as this replica last saw it. Expiry counts
// from when this replica saw the renewal (seen), on its own clock, as
// client-go's leader election does: clocks of replicas may differ.
type peer struct {
	id       string
	renew    time.Time // spec.renewTime, the holder's clock
	seen     time.Time // this replica's clock when renew last changed
	duration time.Duration
	rv       string // resourceVersion, the precondition of a delete
	gcTried  string // the resourceVersion a delete was tried at
}

func (p *peer) expiry() time.Time { return p.seen.Add(p.duration) }

// refresh reads the member Leases from the informer's cache, updates the
// peers and publishes the live membership.
func (s *Shard) refresh(ctx context.Context, lister listers.LeaseNamespaceLister) {
	leases, err := lister.List(labels.Everything())
	if err != nil {
		s.o.log.Warn("listing member leases from cache failed", "error", err)
		return
	}
	now := time.Now()
	present := map[string]bool{}
	for _, l := range leases {
		if l.Name == s.lease {
			continue
		}
		if id, ok := holder(l); ok {
			present[l.Name] = true
			s.observe(l, id, now)
		}
	}
	for name := range s.peers {
		if !present[name] {
			delete(s.peers, name)
		}
	}
	s.publish(s.live(now))
	s.collect(ctx, now)
}

// holder returns the identity of a member Lease, and false for Leases that
// are not hoist-<holder>.
func holder(l *coordinationv1.Lease) (string, bool) {
	if l.Spec.HolderIdentity == nil || l.Name != leasePrefix+*l.Spec.HolderIdentity {
		return "", false
	}
	return *l.Spec.HolderIdentity, true
}

func (s *Shard) observe(l *coordinationv1.Lease, id string, now time.Time) {
	var renew time.Time
	if l.Spec.RenewTime != nil {
		renew = l.Spec.RenewTime.Time
	}
	d := s.o.duration
	if l.Spec.LeaseDurationSeconds != nil && *l.Spec.LeaseDurationSeconds > 0 {
		d = time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second
	}
	p := s.peers[l.Name]
	switch {
	case p == nil:
		p = &peer{seen: now}
		// A Lease already expired by its own timestamps is a leftover: do not
		// give it a fresh lease duration. (A clock ahead of the holder's only
		// delays its membership to its next renewal.)
		if renew.Add(d).Before(now) {
			p.seen = renew
		}
		s.peers[l.Name] = p
	case !renew.Equal(p.renew):
		p.seen = now
	}
	p.id, p.renew, p.duration, p.rv = id, renew, d, l.ResourceVersion
}

// live returns the identities of the live replicas, this one included while
// it holds its Lease.
func (s *Shard) live(now time.Time) []string {
	var names []string
	for _, p := range s.peers {
		if now.Before(p.expiry()) {
			names = append(names, p.id)
		}
	}
	if s.holds(now) {
		names = append(names, s.id)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// holds reports whether this replica's Lease is still valid by its last renewal.
func (s *Shard) holds(now time.Time) bool {
	return !s.renewedAt.IsZero() && now.Before(s.renewedAt.Add(s.o.duration))
}

// nextExpiry is when the membership next changes unless a Lease changes first.
func (s *Shard) nextExpiry() time.Time {
	now := time.Now()
	next := now.Add(s.o.duration)
	if s.holds(now) {
		next = s.renewedAt.Add(s.o.duration)
	}
	for _, p := range s.peers {
		if e := p.expiry(); e.After(now) && e.Before(next) {
			next = e
		}
	}
	return next
}

// collect deletes Leases that expired long ago, at the version this replica
// saw: a Lease renewed meanwhile stays.
func (s *Shard) collect(ctx context.Context, now time.Time) {
	if !s.holds(now) {
		return
	}
	for name, p := range s.peers {
		if now.Before(p.seen.Add(gcAfter*p.duration)) || p.gcTried == p.rv {
			continue
		}
		p.gcTried = p.rv
		cctx, cancel := context.WithTimeout(ctx, s.o.renew)
		err := s.client.CoordinationV1().Leases(s.ns).Delete(cctx, name, metav1.DeleteOptions{
			Preconditions: &metav1.Preconditions{ResourceVersion: &p.rv}})
		cancel()
		switch {
		case err == nil:
			s.o.log.Info("deleted expired lease of a gone replica", "lease", name, "replica", p.id)
		case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
		default:
			s.o.log.Warn("deleting expired lease failed", "lease", name, "error", err)
		}
	}
}

// publish makes names the membership when it differs from the current one:
// it updates the metrics, logs and signals Changes.
func (s *Shard) publish(names []string) {
	old := s.view.Load()
	ready := s.holds(time.Now())
	defer s.ready.Store(ready)
	if old.names != nil && slices.Equal(old.names, names) {
		return
	}
	v := &view{members: newMembers(names), names: names}
	if v.names == nil {
		v.names = []string{}
	}
	s.view.Store(v)
	in, out, owned := s.moves(old, v)
	s.m.members.Set(float64(len(names)))
	s.m.repositories.Set(float64(owned))
	s.m.handovers.WithLabelValues("in").Add(float64(len(in)))
	s.m.handovers.WithLabelValues("out").Add(float64(len(out)))
	s.o.log.Info("shard membership changed", "replica", s.id, "members", names,
		"owned", owned, "configured", len(s.o.repos), "taken_over", len(in), "handed_over", len(out))
	s.o.log.Debug("shard repositories moved", "taken_over", in, "handed_over", out)
	s.signal(s.changes)
}

// moves lists the configured repositories this replica took over and gave
// up between two views, and counts those it owns in the new one. The first
// view (old.names nil) moves nothing.
func (s *Shard) moves(old, cur *view) (in, out []string, owned int) {
	for _, r := range s.o.repos {
		now := rendezvous(cur.members, r) == s.id
		if now {
			owned++
		}
		if old.names == nil {
			continue
		}
		switch was := rendezvous(old.members, r) == s.id; {
		case now && !was:
			in = append(in, r)
		case was && !now:
			out = append(out, r)
		}
	}
	return in, out, owned
}
