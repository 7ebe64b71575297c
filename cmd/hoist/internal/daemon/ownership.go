package daemon

import (
	"errors"
	"time"
)

// Ownership says which repositories this daemon serves when several
// replicas share them (the shard package). Correctness never depends on it:
// two replicas running the same repository during a handover still land one
// commit per change, as git's push is a compare-and-swap.
type Ownership interface {
	// Owns reports whether this replica serves the repository now.
	Owns(repo string) bool
	// Forward asks the replica that owns the repository for a pass (a
	// webhook reached this one).
	Forward(repo string)
	// Ready reports whether ownership is known (this replica's membership
	// is established): until then the daemon is not ready.
	Ready() bool
}

// WithOwnership makes the daemon run only the repositories o says it owns:
// scheduled and webhook passes of other repositories are skipped, webhooks
// for them are forwarded to their owner, and readiness counts owned ones
// only. Call [Daemon.Rebalance] when ownership changes. The default owns
// every repository.
func WithOwnership(o Ownership) Option {
	return func(opts *options) error {
		if o == nil {
			return errors.New("ownership must not be nil")
		}
		opts.owner = o
		return nil
	}
}

// owns reports whether the daemon serves the repository.
func (o options) owns(repo string) bool { return o.owner == nil || o.owner.Owns(repo) }

// Rebalance starts a pass of every repository this replica has come to own
// since the last call (taken over from a replica that stopped or died),
// and returns their names.
func (d *Daemon) Rebalance() []string {
	var taken []string
	for _, w := range d.workers {
		owns := d.o.owns(w.repo.Name)
		w.mu.Lock()
		newly := owns && !w.owned
		w.owned = owns
		w.mu.Unlock()
		if newly {
			w.kick(kickStart)
			taken = append(taken, w.repo.Name)
		}
	}
	return taken
}

// TriggerRepo asks for a pass of the named repository after the debounce
// time (another replica forwarded a webhook). It reports whether the
// repository is known.
func (d *Daemon) TriggerRepo(name string) bool {
	for _, w := range d.workers {
		if w.repo.Name == name {
			w.kick(kickHook)
			return true
		}
	}
	return false
}

// RepoState is what the daemon knows of one repository's schedule.
type RepoState struct {
	// Next is when its next scheduled pass is due.
	Next time.Time
	// Failures is how many passes in a row failed, and BackoffUntil when
	// the next pass may run after them (zero without failures).
	Failures     int
	BackoffUntil time.Time
	// Owned says whether this replica serves it.
	Owned bool
}

// State returns the schedule state of the named repository.
func (d *Daemon) State(name string) (RepoState, bool) {
	for _, w := range d.workers {
		if w.repo.Name != name {
			continue
		}
		w.mu.Lock()
		s := RepoState{Failures: w.failures, BackoffUntil: w.notBefore, Owned: d.o.owns(name)}
		id := w.entry
		w.mu.Unlock()
		s.Next = d.cron.Entry(id).Next
		return s, true
	}
	return RepoState{}, false
}
