package shard_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/shard"
	"github.com/hoist-dev/hoist/deploy/kubetest"
)

const (
	namespace     = "hoist-system"
	leaseDuration = 2 * time.Second
	renewInterval = 500 * time.Millisecond
	// slack covers watch delivery and a loaded test machine; handovers are
	// waited for as events, this only bounds how long.
	slack = 3 * time.Second
)

// cluster is a real kube-apiserver with the namespace the replicas share.
type cluster struct {
	srv   *kubetest.Server
	admin kubernetes.Interface
	repos []string
}

func newCluster(t testing.TB, repos int) *cluster {
	t.Helper()
	srv := kubetest.Start(t)
	admin, err := kubernetes.NewForConfig(srv.Config)
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if _, err := admin.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating namespace: %v", err)
	}
	c := &cluster{srv: srv, admin: admin}
	for i := range repos {
		c.repos = append(c.repos, fmt.Sprintf("fleet-%03d", i))
	}
	return c
}

// replica is one Shard running in a goroutine, with a client that can be cut
// off the API server (a SIGKILL as the others see it) and counts requests.
type replica struct {
	*shard.Shard
	reg      *prometheus.Registry
	cancel   context.CancelFunc
	done     chan error
	cut      atomic.Bool
	requests atomic.Int64

	mu       sync.Mutex // protects triggers
	triggers []string
}

func (c *cluster) start(t testing.TB, id string, opts ...shard.Option) *replica {
	t.Helper()
	return c.startIn(t, namespace, id, opts...)
}

// startIn starts a replica in namespace ns.
func (c *cluster) startIn(t testing.TB, ns, id string, opts ...shard.Option) *replica {
	t.Helper()
	r := &replica{reg: prometheus.NewRegistry(), done: make(chan error, 1)}
	cfg := rest.CopyConfig(c.srv.Config)
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if r.cut.Load() {
				return nil, errors.New("cut off the API server")
			}
			r.requests.Add(1)
			return rt.RoundTrip(req)
		})
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("replica", id)
	opts = append([]shard.Option{shard.WithLeaseDuration(leaseDuration), shard.WithRenewInterval(renewInterval),
		shard.WithRepositories(c.repos), shard.WithMetrics(r.reg), shard.WithLogger(log)}, opts...)
	r.Shard, err = shard.New(client, ns, id, opts...)
	if err != nil {
		t.Fatal(err)
	}
	r.OnTrigger(func(repo string) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.triggers = append(r.triggers, repo)
	})
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- r.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// stop cancels Run and waits for it to return.
func (r *replica) stop(t testing.TB) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run of %s: %v", r.Identity(), err)
		}
		r.done <- nil // a second stop returns at once
	case <-time.After(30 * time.Second):
		t.Errorf("Run of %s did not return 30s after cancel", r.Identity())
	}
}

func (r *replica) triggered() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.triggers)
}

// waitMembers waits, on Changes, until r sees exactly want as members.
func waitMembers(t testing.TB, r *replica, want []string, within time.Duration) time.Duration {
	t.Helper()
	return waitUntil(t, r, within, fmt.Sprintf("members %v", want), func() bool { return slices.Equal(r.Members(), want) })
}

// waitUntil waits, on Changes, until cond holds; it returns how long that took.
func waitUntil(t testing.TB, r *replica, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-r.Changes():
		case <-deadline.C:
			t.Fatalf("%s: no %s after %v; members %v", r.Identity(), what, within, r.Members())
		}
	}
	return time.Since(start)
}

// ownership maps each repository to the replicas that say they own it.
func ownership(repos []string, rs ...*replica) map[string][]string {
	out := map[string][]string{}
	for _, repo := range repos {
		out[repo] = []string{}
		for _, r := range rs {
			if r.Owns(repo) {
				out[repo] = append(out[repo], r.Identity())
			}
		}
	}
	return out
}

// expected is shard.Assign turned into repo -> [owner].
func expected(members, repos []string) map[string][]string {
	out := map[string][]string{}
	for m, rs := range shard.Assign(members, repos) {
		for _, r := range rs {
			out[r] = []string{m}
		}
	}
	return out
}

func TestReplicasShareRepositories(t *testing.T) {
	c := newCluster(t, 300)
	all := []string{"a", "b", "c"}
	a, b, rc := c.start(t, "a"), c.start(t, "b"), c.start(t, "c")
	for _, r := range []*replica{a, b, rc} {
		waitMembers(t, r, all, 60*time.Second)
	}
	want := expected(all, c.repos)

	t.Run("every repository has exactly one owner, evenly", func(t *testing.T) {
		if diff := cmp.Diff(want, ownership(c.repos, a, b, rc)); diff != "" {
			t.Fatalf("ownership mismatch (-want +got):\n%s", diff)
		}
		for _, r := range []*replica{a, b, rc} {
			n := gauge(t, r.reg, "hoist_shard_repositories")
			if n > 120 {
				t.Errorf("%s owns %v of 300 repositories, want at most 120", r.Identity(), n)
			}
			if !r.Ready() {
				t.Errorf("%s is not ready", r.Identity())
			}
		}
	})

	t.Run("graceful stop hands over at once", func(t *testing.T) {
		rc.stop(t)
		_, err := c.admin.CoordinationV1().Leases(namespace).Get(t.Context(), "hoist-c", metav1.GetOptions{})
		if !apierrors.IsNotFound(err) {
			t.Errorf("lease hoist-c after a graceful stop: err = %v, want NotFound", err)
		}
		// Expiry would take at least leaseDuration-renewInterval: a handover
		// faster than that came from the deleted Lease.
		for _, r := range []*replica{a, b} {
			if took := waitMembers(t, r, []string{"a", "b"}, leaseDuration+slack); took >= leaseDuration-renewInterval {
				t.Errorf("%s took %v to see c leave, want under %v", r.Identity(), took, leaseDuration-renewInterval)
			}
		}
		checkOnlyShareMoved(t, c.repos, want, expected([]string{"a", "b"}, c.repos), "c")
		if diff := cmp.Diff(expected([]string{"a", "b"}, c.repos), ownership(c.repos, a, b)); diff != "" {
			t.Errorf("ownership after c stopped mismatch (-want +got):\n%s", diff)
		}
		in := counter(t, a.reg, "hoist_shard_handovers_total", "in") + counter(t, b.reg, "hoist_shard_handovers_total", "in")
		if share := float64(len(shard.Assign(all, c.repos)["c"])); in != share {
			t.Errorf("handovers in on a and b = %v, want c's share %v", in, share)
		}
	})

	rc = c.start(t, "c")
	for _, r := range []*replica{a, b, rc} {
		waitMembers(t, r, all, 30*time.Second)
	}

	t.Run("killed replica is taken over when its lease expires", func(t *testing.T) {
		rc.cut.Store(true)
		start := time.Now()
		for _, r := range []*replica{a, b} {
			waitMembers(t, r, []string{"a", "b"}, leaseDuration+slack)
		}
		took := time.Since(start)
		t.Logf("takeover after the kill took %v (lease duration %v)", took, leaseDuration)
		if _, err := c.admin.CoordinationV1().Leases(namespace).Get(t.Context(), "hoist-c", metav1.GetOptions{}); err != nil {
			t.Errorf("lease hoist-c after the kill: %v, want it left to expire", err)
		}
		if diff := cmp.Diff(expected([]string{"a", "b"}, c.repos), ownership(c.repos, a, b)); diff != "" {
			t.Errorf("ownership after c was killed mismatch (-want +got):\n%s", diff)
		}
		// The cut-off replica stops owning anything once its own lease runs out.
		waitUntil(t, rc, leaseDuration+slack, "own lease lost", func() bool { return !slices.Contains(rc.Members(), "c") })
		if n := gauge(t, rc.reg, "hoist_shard_repositories"); n != 0 {
			t.Errorf("cut-off replica owns %v repositories, want 0", n)
		}
		rc.stop(t)
	})

	top := t // the replica outlives the subtest
	t.Run("returning replica takes back only its share", func(t *testing.T) {
		rc = c.start(top, "c")
		for _, r := range []*replica{a, b, rc} {
			waitMembers(t, r, all, 30*time.Second)
		}
		checkOnlyShareMoved(t, c.repos, expected([]string{"a", "b"}, c.repos), want, "c")
		if diff := cmp.Diff(want, ownership(c.repos, a, b, rc)); diff != "" {
			t.Errorf("ownership after c came back mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("trigger reaches the owner once", func(t *testing.T) {
		testTrigger(t, c, a, b, rc)
	})
}

// checkOnlyShareMoved fails for any repository that changed owner without
// being owned by moving before or after.
func checkOnlyShareMoved(t *testing.T, repos []string, before, after map[string][]string, moving string) {
	t.Helper()
	for _, r := range repos {
		if !slices.Equal(before[r], after[r]) && before[r][0] != moving && after[r][0] != moving {
			t.Errorf("%s moved from %v to %v, though %s did not own it", r, before[r], after[r], moving)
		}
	}
}
