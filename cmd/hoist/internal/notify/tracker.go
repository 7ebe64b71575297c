package notify

import (
	"fmt"
	"sync"
	"time"
)

// Tracker turns pass results into [Failing] and [Recovered] events: Failing
// once when a repository has failed a number of passes in a row, or has been
// failing for a while, and Recovered once on its next successful pass. It
// is safe for concurrent use.
type Tracker struct {
	failures int
	after    time.Duration

	mu    sync.Mutex            // protects repos
	repos map[string]*repoState // by repository name
}

// repoState is a repository's current run of failures.
type repoState struct {
	since    time.Time // when the first failure of the run ended
	failures int
	reported bool // Failing was emitted for this run
}

// TrackerOption configures a Tracker.
type TrackerOption func(*Tracker) error

// WithFailures sets how many failed passes in a row make a repository
// failing. The default is 3.
func WithFailures(n int) TrackerOption {
	return func(t *Tracker) error {
		if n <= 0 {
			return fmt.Errorf("failures must be positive, got %d", n)
		}
		t.failures = n
		return nil
	}
}

// WithFailingAfter sets how long a repository's passes must have failed
// (from the end of the first failed one) for it to be failing, however few
// they were. Zero turns the duration rule off. The default is 15m.
func WithFailingAfter(d time.Duration) TrackerOption {
	return func(t *Tracker) error {
		if d < 0 {
			return fmt.Errorf("failing-after must not be negative, got %v", d)
		}
		t.after = d
		return nil
	}
}

// NewTracker returns a Tracker with no history.
func NewTracker(opts ...TrackerOption) (*Tracker, error) {
	t := &Tracker{failures: 3, after: 15 * time.Minute, repos: map[string]*repoState{}}
	for _, opt := range opts {
		if err := opt(t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Observe records a pass of repo that ended at `at`, failed when err is not
// nil. It returns the event the pass causes, [Failing] or [Recovered], or
// nil: most passes cause none.
func (t *Tracker) Observe(repo string, at time.Time, err error) Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.repos[repo]
	if err == nil {
		delete(t.repos, repo)
		if st != nil && st.reported {
			return Recovered{Repository: repo, After: max(at.Sub(st.since), 0)}
		}
		return nil
	}
	if st == nil {
		st = &repoState{since: at}
		t.repos[repo] = st
	}
	st.failures++
	long := t.after > 0 && at.Sub(st.since) >= t.after
	if st.reported || (st.failures < t.failures && !long) {
		return nil
	}
	st.reported = true
	return Failing{Repository: repo, Since: st.since, Failures: st.failures, LastError: capText(err.Error(), 4000)}
}
