package shard

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/kubernetes"
)

const (
	// LabelName and LabelMember mark hoist's member Leases; replicas list and
	// watch Leases with both.
	LabelName   = "app.kubernetes.io/name"
	LabelMember = "hoist.dev/shard-member"
	// leasePrefix starts the name of every member Lease: hoist-<identity>.
	leasePrefix = "hoist-"
	selector    = LabelName + "=hoist," + LabelMember + "=true"
)

// ErrNoOwner is returned by [Shard.Trigger] when no replica is live.
var ErrNoOwner = errors.New("no live replica owns the repository")

// Shard is this replica's place among the replicas that share the
// repositories. Create it with [New], run it with [Run]; its other methods
// are safe to call from any goroutine at any time.
type Shard struct {
	client  kubernetes.Interface
	ns, id  string
	lease   string // this replica's Lease: hoist-<id>
	o       options
	m       *metrics
	view    atomic.Pointer[view] // the live members, replaced on every change
	ready   atomic.Bool          // the Lease is held and the informer has synced
	started atomic.Bool
	changes chan struct{} // one slot: membership changed since the last receive
	poke    chan struct{} // one slot: the informer saw a Lease change

	mu        sync.Mutex // protects onTrigger
	onTrigger func(repo string)

	// Touched by Run's goroutine only.
	peers     map[string]*peer // other replicas' Leases, by Lease name
	renewedAt time.Time        // start of the last successful renewal; zero when not held
	handled   map[string]handledTrigger
}

// view is one immutable membership.
type view struct {
	members []member
	names   []string
}

// New returns the Shard of replica identity (the pod name, say) in namespace.
// identity must make a valid Lease name after "hoist-" and be unique among
// the replicas.
func New(client kubernetes.Interface, namespace, identity string, opts ...Option) (*Shard, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	if namespace == "" {
		return nil, errors.New("shard namespace is empty")
	}
	if identity == "" {
		return nil, errors.New("shard identity is empty")
	}
	if errs := validation.IsDNS1123Subdomain(leasePrefix + identity); len(errs) > 0 {
		return nil, fmt.Errorf("shard identity %q does not make a Lease name: %v", identity, errs)
	}
	m, err := newMetrics(o.reg)
	if err != nil {
		return nil, err
	}
	s := &Shard{
		client: client, ns: namespace, id: identity, lease: leasePrefix + identity, o: o, m: m,
		changes: make(chan struct{}, 1), poke: make(chan struct{}, 1),
		peers: map[string]*peer{}, handled: map[string]handledTrigger{},
	}
	s.view.Store(&view{})
	return s, nil
}

// Identity is this replica's identity.
func (s *Shard) Identity() string { return s.id }

// Owner returns the identity of the live replica that owns repo, "" when no
// replica is live. Every replica with the same view of the Leases gives the
// same answer.
func (s *Shard) Owner(repo string) string { return rendezvous(s.view.Load().members, repo) }

// Owns reports whether this replica owns repo now. It is false for every
// repository until this replica holds its Lease, and again once the Lease is
// lost (renewals failed for the lease duration) or given up.
func (s *Shard) Owns(repo string) bool { return s.Owner(repo) == s.id }

// Members returns the identities of the live replicas, sorted.
func (s *Shard) Members() []string { return slices.Clone(s.view.Load().names) }

// Ready reports whether this replica holds its Lease and has read the others'.
func (s *Shard) Ready() bool { return s.ready.Load() }

// Changes receives a value after the set of live replicas changed (and once
// when Run first has a view), so that the daemon re-evaluates which
// repositories it owns. Changes coalesce: one receive may stand for several.
// It is meant for one reader.
func (s *Shard) Changes() <-chan struct{} { return s.changes }

// OnTrigger sets the function that runs a pass of repo when a replica asks
// this one to (see [Shard.Trigger]). f must not block; the daemon's kick is
// the intended f. Triggers that arrive before f is set wait for it.
func (s *Shard) OnTrigger(f func(repo string)) {
	s.mu.Lock()
	s.onTrigger = f
	s.mu.Unlock()
	s.signal(s.poke)
}

func (s *Shard) triggerFunc() func(string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.onTrigger
}

// signal fills a one-slot channel unless it is full already.
func (s *Shard) signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
