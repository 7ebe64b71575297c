package shard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// renew creates or renews this replica's Lease. A merge patch of the spec
// leaves the trigger annotations other replicas add untouched.
func (s *Shard) renew(ctx context.Context) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, s.o.renew)
	defer cancel()
	err := s.patchLease(ctx, start)
	if apierrors.IsNotFound(err) {
		err = s.createLease(ctx, start)
	}
	if err != nil {
		s.m.renewalsFailed.Inc()
		s.o.log.Warn("renewing lease failed", "lease", s.lease, "namespace", s.ns, "error", err,
			"held_until", s.renewedAt.Add(s.o.duration))
		return err
	}
	// Expiry counts from before the request: the others saw it no earlier.
	s.renewedAt = start
	return nil
}

func (s *Shard) leaseSeconds() int32 { return int32(s.o.duration / time.Second) }

func (s *Shard) patchLease(ctx context.Context, now time.Time) error {
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"labels": memberLabels()},
		"spec": map[string]any{
			"holderIdentity":       s.id,
			"leaseDurationSeconds": s.leaseSeconds(),
			"renewTime":            metav1.NewMicroTime(now),
		},
	})
	if err != nil {
		return fmt.Errorf("encoding lease patch: %w", err)
	}
	_, err = s.client.CoordinationV1().Leases(s.ns).Patch(ctx, s.lease, types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

func (s *Shard) createLease(ctx context.Context, now time.Time) error {
	t, secs := metav1.NewMicroTime(now), s.leaseSeconds()
	l := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: s.lease, Namespace: s.ns, Labels: memberLabels()},
		Spec: coordinationv1.LeaseSpec{
			HolderIdentity: &s.id, LeaseDurationSeconds: &secs, AcquireTime: &t, RenewTime: &t,
		},
	}
	_, err := s.client.CoordinationV1().Leases(s.ns).Create(ctx, l, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) { // created between our patch and create
		return s.patchLease(ctx, now)
	}
	return err
}

func memberLabels() map[string]string {
	return map[string]string{LabelName: "hoist", LabelMember: "true"}
}

// release gives the Lease up: this replica owns nothing from now on, and the
// Lease is deleted so the others take over at once instead of after it
// expires. The delete outlives Run's ctx, bounded by its own timeout.
func (s *Shard) release(ctx context.Context) {
	s.renewedAt = time.Time{}
	s.publish(s.live(time.Now()))
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.release)
	defer cancel()
	err := s.client.CoordinationV1().Leases(s.ns).Delete(ctx, s.lease, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		s.o.log.Warn("deleting lease on shutdown failed; the others take over when it expires",
			"lease", s.lease, "error", err, "lease_duration", s.o.duration)
		return
	}
	s.o.log.Info("gave up lease", "lease", s.lease, "namespace", s.ns)
}

// isConfigError reports errors that retrying will not fix: the namespace is
// missing or the replica may not use Leases there.
func isConfigError(err error) bool {
	return apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) ||
		(apierrors.IsNotFound(err) && !isLeaseNotFound(err))
}

func isLeaseNotFound(err error) bool {
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		return false
	}
	d := st.Status().Details
	return d != nil && d.Kind == "leases"
}
