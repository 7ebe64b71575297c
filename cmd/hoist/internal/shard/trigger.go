package shard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	listers "k8s.io/client-go/listers/coordination/v1"
)

// triggerPrefix starts the annotation key of a trigger; the rest is a hash
// of the repository name, so one repository holds at most one annotation
// on a Lease: the annotations are bounded by the repositories.
const triggerPrefix = "hoist.dev/trigger-"

// triggerTimeout bounds the API call of one Trigger.
const triggerTimeout = 10 * time.Second

// handledTrigger is a trigger annotation already handed to the callback.
type handledTrigger struct {
	value   string
	cleared bool // the annotation was removed (or found changed)
}

func triggerKey(repo string) string {
	return triggerPrefix + strconv.FormatUint(mix(fnvString(fnvOffset, repo)), 16)
}

// triggerValue is "<RFC 3339 time> <repo>": a new trigger of the same
// repository changes the value even when the last one is not cleared yet.
func triggerValue(repo string, now time.Time) string {
	return now.UTC().Format(time.RFC3339Nano) + " " + repo
}

func triggerRepo(value string) (string, bool) {
	_, repo, ok := strings.Cut(value, " ")
	return repo, ok && repo != ""
}

// Trigger asks the replica that owns repo to run a pass of it: through an
// annotation on the owner's Lease, which the owner watches, hands to its
// OnTrigger function once and removes. When this replica owns repo it calls
// its own OnTrigger function directly. A trigger is lost if the owner dies
// before it handles it; the schedule still covers the repository.
func (s *Shard) Trigger(ctx context.Context, repo string) error {
	owner := s.Owner(repo)
	switch {
	case owner == "":
		return fmt.Errorf("triggering %s: %w", repo, ErrNoOwner)
	case owner == s.id:
		if f := s.triggerFunc(); f != nil {
			f(repo)
			return nil
		}
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{triggerKey(repo): triggerValue(repo, time.Now())}}})
	if err != nil {
		return fmt.Errorf("encoding trigger of %s: %w", repo, err)
	}
	ctx, cancel := context.WithTimeout(ctx, triggerTimeout)
	defer cancel()
	_, err = s.client.CoordinationV1().Leases(s.ns).Patch(ctx, leasePrefix+owner, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return fmt.Errorf("triggering %s on replica %s: %w", repo, owner, err)
	}
	s.o.log.Debug("asked owner to run a pass", "repo", repo, "owner", owner)
	return nil
}

// handleTriggers hands each new trigger annotation on this replica's Lease
// to the OnTrigger function once, then removes it.
func (s *Shard) handleTriggers(ctx context.Context, lister listers.LeaseNamespaceLister) {
	f := s.triggerFunc()
	if f == nil {
		return
	}
	l, err := lister.Get(s.lease)
	if err != nil {
		return // not created yet, or deleted: renew recreates it
	}
	present := map[string]bool{}
	for k, v := range l.Annotations {
		if !strings.HasPrefix(k, triggerPrefix) {
			continue
		}
		present[k] = true
		h, seen := s.handled[k]
		if seen && h.value == v {
			if !h.cleared {
				s.clearTrigger(ctx, k, v)
			}
			continue
		}
		if repo, ok := triggerRepo(v); ok {
			s.o.log.Info("pass triggered by another replica", "repo", repo)
			f(repo)
		}
		s.handled[k] = handledTrigger{value: v}
		s.clearTrigger(ctx, k, v)
	}
	for k := range s.handled {
		if !present[k] {
			delete(s.handled, k)
		}
	}
}

// clearTrigger removes annotation k if it still has value v: a JSON patch
// tests the value first, so a trigger that came meanwhile stays for the next
// round.
func (s *Shard) clearTrigger(ctx context.Context, k, v string) {
	path := "/metadata/annotations/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
	patch, err := json.Marshal([]map[string]string{
		{"op": "test", "path": path, "value": v},
		{"op": "remove", "path": path},
	})
	if err != nil {
		s.o.log.Warn("encoding trigger removal failed", "error", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.o.renew)
	defer cancel()
	_, err = s.client.CoordinationV1().Leases(s.ns).Patch(ctx, s.lease, types.JSONPatchType, patch, metav1.PatchOptions{})
	switch {
	case err == nil, apierrors.IsNotFound(err), isUnprocessable(err):
		// Removed, or changed meanwhile (the test failed): either way done with v.
		s.handled[k] = handledTrigger{value: v, cleared: true}
	default:
		s.o.log.Warn("removing handled trigger failed; retrying", "key", k, "error", err)
	}
}

// isUnprocessable reports a 422: a JSON patch whose test failed.
func isUnprocessable(err error) bool {
	var st apierrors.APIStatus
	return errors.As(err, &st) && st.Status().Code == http.StatusUnprocessableEntity
}
