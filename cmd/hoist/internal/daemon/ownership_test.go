package daemon

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeOwner is a hand-written Ownership: this replica owns the names in owned.
type fakeOwner struct {
	mu        sync.Mutex
	owned     map[string]bool
	forwarded chan string
}

func (f *fakeOwner) Owns(repo string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.owned[repo]
}

func (f *fakeOwner) Forward(repo string) { f.forwarded <- repo }

func (f *fakeOwner) Ready() bool { return true }

func (f *fakeOwner) set(repo string, owns bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.owned[repo] = owns
}

// TestOwnership: only owned repositories run; readiness counts them only;
// a webhook for another replica's repository is forwarded; a repository
// taken over runs at once on Rebalance.
func TestOwnership(t *testing.T) {
	a, b := newRecorder("img/a"), newRecorder("img/b")
	owner := &fakeOwner{owned: map[string]bool{"a": true}, forwarded: make(chan string, 10)}
	d, err := New([]Repo{{Name: "a", Schedule: "@hourly", Run: a.run}, {Name: "b", Schedule: "@hourly", Run: b.run}},
		WithOwnership(owner), WithJitter(0), WithDebounce(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()

	waitPass(t, a)
	deadline := time.Now().Add(10 * time.Second)
	for !d.Ready() { // b is not ours: it must not hold readiness
		if time.Now().After(deadline) {
			t.Fatal("not ready after the owned repository's first pass")
		}
		time.Sleep(time.Millisecond)
	}
	if n := b.count(); n != 0 {
		t.Errorf("the repository another replica owns ran %d passes", n)
	}

	if got := d.Trigger([]string{"img/b"}); len(got) != 1 || got[0] != "b" {
		t.Errorf("Trigger = %v, want [b]", got)
	}
	select {
	case repo := <-owner.forwarded:
		if repo != "b" {
			t.Errorf("forwarded %q, want b", repo)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the webhook for b was not forwarded to its owner")
	}

	owner.set("b", true) // b's owner died: this replica takes it over
	if taken := d.Rebalance(); len(taken) != 1 || taken[0] != "b" {
		t.Errorf("Rebalance = %v, want [b]", taken)
	}
	waitPass(t, b)
	if taken := d.Rebalance(); len(taken) != 0 {
		t.Errorf("a second Rebalance took %v again", taken)
	}
	if s, ok := d.State("b"); !ok || !s.Owned || s.Next.IsZero() {
		t.Errorf("State(b) = %+v, %v", s, ok)
	}
}
