package ui

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Recorder keeps, in memory, what the status page shows of each configured
// repository: the last pass, its policies and problems, recent history and
// the passes of the last day. It is a [Source]. Its memory is bounded: it
// knows only the repositories it was made with (records for any other name
// are dropped) and keeps at most a fixed number of passes and events each.
// It is safe for concurrent use.
type Recorder struct {
	points  int // passes kept per repository
	history int // events kept per repository
	now     func() time.Time

	mu      sync.Mutex // protects the fields below
	replica string
	order   []string
	repos   map[string]*Repository
}

// RecorderConfig configures a Recorder. The zero value of each field means
// its default.
type RecorderConfig struct {
	// Points is how many passes each repository keeps for the chart.
	// The default is 288 (a day of passes every five minutes).
	Points int
	// History is how many history events each repository keeps.
	// The default is 50.
	History int
	// Now tells the time. The default is time.Now.
	Now func() time.Time
}

// Repo names a repository the Recorder keeps.
type Repo struct {
	// Name is the repository's name in the service config.
	Name string
	// URL is where it is cloned from; it is redacted before it is kept.
	URL string
}

// NewRecorder returns a Recorder for repos, in that order.
func NewRecorder(repos []Repo, cfg RecorderConfig) (*Recorder, error) {
	if cfg.Points < 0 || cfg.History < 0 {
		return nil, fmt.Errorf("recorder: points and history must not be negative, got %d and %d", cfg.Points, cfg.History)
	}
	r := &Recorder{points: cfg.Points, history: cfg.History, now: cfg.Now, repos: map[string]*Repository{}}
	if r.points == 0 {
		r.points = 288
	}
	if r.history == 0 {
		r.history = 50
	}
	if r.now == nil {
		r.now = time.Now
	}
	for _, repo := range repos {
		if _, dup := r.repos[repo.Name]; dup {
			return nil, fmt.Errorf("recorder: repository %q is listed twice", repo.Name)
		}
		r.order = append(r.order, repo.Name)
		r.repos[repo.Name] = &Repository{Name: repo.Name, URL: RedactURL(repo.URL)}
	}
	return r, nil
}

// Record is what one pass of a repository found and did.
type Record struct {
	// Start is when the pass began and Duration how long it took.
	Start    time.Time
	Duration time.Duration
	// Err is why the pass failed; nil when it ran.
	Err error
	// Changes is how many marked values it changed.
	Changes int
	// Commit is the commit it pushed; nil when it pushed none. Its Subject
	// may be the whole commit message: only the first line is kept.
	Commit *Commit
	// PullRequest is the pull request its changes wait in; nil for none
	// (which also clears the one recorded before).
	PullRequest *PullRequest
	// Policies and Problems are what the pass decided and found; nil when
	// the pass read no policies (the previous ones are kept then).
	Policies []Policy
	Problems []Problem
	// Events are new history events, newest first; they go before the
	// events recorded before, and an event already kept is not kept twice.
	Events []Event
}

// Record records a pass of the repository named name; it does nothing for
// a name the Recorder was not made with.
func (r *Recorder) Record(name string, rec Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	repo := r.repos[name]
	if repo == nil {
		return
	}
	repo.LastPass = &Pass{Start: rec.Start, Duration: rec.Duration, Result: resultOf(rec), Changes: rec.Changes}
	if rec.Err != nil {
		repo.LastPass.Error = Sanitize(rec.Err.Error(), maxText)
	}
	if rec.Commit != nil {
		c := *rec.Commit
		c.Subject = subject(c.Subject)
		repo.LastCommit = &c
	}
	repo.PullRequest = rec.PullRequest
	if rec.Policies != nil || rec.Problems != nil {
		repo.Policies = clonePolicies(rec.Policies[:min(len(rec.Policies), maxPolicies)])
		repo.Problems = slices.Clone(rec.Problems[:min(len(rec.Problems), maxProblems)])
		repo.Omitted = len(rec.Policies) - len(repo.Policies) + len(rec.Problems) - len(repo.Problems)
	}
	repo.History = mergeEvents(rec.Events, repo.History, r.history)
	repo.Passes = append(repo.Passes, PassPoint{Time: rec.Start, Changes: rec.Changes, Failed: rec.Err != nil})
	if over := len(repo.Passes) - r.points; over > 0 {
		repo.Passes = slices.Delete(repo.Passes, 0, over)
	}
}

// clonePolicies copies ps, so that the caller may reuse them.
func clonePolicies(ps []Policy) []Policy {
	out := slices.Clone(ps)
	for i := range out {
		out[i].Problems = slices.Clone(out[i].Problems)
	}
	return out
}

func resultOf(rec Record) Result {
	switch {
	case rec.Err != nil:
		return Failed
	case rec.Commit != nil || rec.PullRequest != nil && rec.Changes > 0:
		return Committed
	default:
		return NoChanges
	}
}

// mergeEvents puts the events of newer before those of older, without
// duplicates, and keeps the first n.
func mergeEvents(newer, older []Event, n int) []Event {
	out := make([]Event, 0, min(len(newer)+len(older), n))
	seen := map[Event]bool{}
	for _, e := range slices.Concat(newer, older) {
		if len(out) == n {
			break
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// Schedule records when the repository's next pass is due and, after
// failures, its backoff (nil when there is none); it does nothing for a
// name the Recorder was not made with.
func (r *Recorder) Schedule(name string, next time.Time, backoff *Backoff) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if repo := r.repos[name]; repo != nil {
		repo.NextPass = next
		repo.Backoff = backoff
	}
}

// SetOwner records which replica owns the repository's shard ("" for
// none); SetReplica names the replica serving the page.
func (r *Recorder) SetOwner(name, owner string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if repo := r.repos[name]; repo != nil {
		repo.Owner = owner
	}
}

// SetReplica names the replica serving the page ("" for none).
func (r *Recorder) SetReplica(replica string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replica = replica
}

// Status returns a copy of what the Recorder holds.
func (r *Recorder) Status(context.Context) Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := Status{GeneratedAt: r.now(), Replica: r.replica, Repositories: make([]Repository, 0, len(r.order))}
	for _, name := range r.order {
		st.Repositories = append(st.Repositories, copyRepo(*r.repos[name]))
	}
	return st
}

// copyRepo copies the slices and pointers of a repository, so that the
// copy can be used after the lock is released.
func copyRepo(r Repository) Repository {
	r.Policies, r.Problems = slices.Clone(r.Policies), slices.Clone(r.Problems)
	r.History, r.Passes = slices.Clone(r.History), slices.Clone(r.Passes)
	if r.LastPass != nil {
		p := *r.LastPass
		r.LastPass = &p
	}
	if r.Backoff != nil {
		b := *r.Backoff
		r.Backoff = &b
	}
	if r.LastCommit != nil {
		c := *r.LastCommit
		r.LastCommit = &c
	}
	if r.PullRequest != nil {
		p := *r.PullRequest
		r.PullRequest = &p
	}
	return r
}
