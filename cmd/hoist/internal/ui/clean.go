package ui

import (
	"slices"
	"time"
)

// Bounds on what one repository shows, whatever the Source returns.
const (
	maxPolicies = 500
	maxProblems = 200
	maxHistory  = 100
	maxPoints   = 2000
	window      = 24 * time.Hour // the span of the chart
)

// clean returns a copy of st fit to serve: URLs redacted (links kept only
// for http and https), texts sanitised and cut, lists bounded, and passes
// older than a day dropped. Every string a Source returns goes through it.
func clean(st Status) Status {
	out := Status{GeneratedAt: st.GeneratedAt, Replica: Sanitize(st.Replica, maxShort)}
	if out.GeneratedAt.IsZero() {
		out.GeneratedAt = time.Now()
	}
	out.Repositories = make([]Repository, 0, len(st.Repositories))
	for _, r := range st.Repositories {
		out.Repositories = append(out.Repositories, cleanRepo(r, out.GeneratedAt))
	}
	return out
}

func cleanRepo(r Repository, now time.Time) Repository {
	c := Repository{
		Name:     Sanitize(r.Name, maxShort),
		URL:      Sanitize(RedactURL(r.URL), maxShort),
		Owner:    Sanitize(r.Owner, maxShort),
		NextPass: r.NextPass,
		Omitted:  r.Omitted,
	}
	if r.LastPass != nil {
		p := *r.LastPass
		p.Error = Sanitize(p.Error, maxText)
		c.LastPass = &p
	}
	if r.Backoff != nil {
		b := *r.Backoff
		c.Backoff = &b
	}
	if r.LastCommit != nil {
		c.LastCommit = &Commit{SHA: Sanitize(r.LastCommit.SHA, maxShort), URL: link(r.LastCommit.URL),
			Subject: Sanitize(r.LastCommit.Subject, maxShort), Time: r.LastCommit.Time}
	}
	if r.PullRequest != nil {
		c.PullRequest = &PullRequest{URL: link(r.PullRequest.URL), Number: r.PullRequest.Number}
	}
	var n int
	c.Policies, n = bounded(r.Policies, maxPolicies, cleanPolicy)
	c.Omitted += n
	c.Problems, n = bounded(r.Problems, maxProblems, cleanProblem)
	c.Omitted += n
	c.History, n = bounded(r.History, maxHistory, cleanEvent)
	c.Omitted += n
	c.Passes = lastDay(r.Passes, now)
	return c
}

// bounded applies f to the first n elements of in and says how many it
// left out. The result is never nil, so JSON shows [] rather than null.
func bounded[T any](in []T, n int, f func(T) T) ([]T, int) {
	out := make([]T, 0, min(len(in), n))
	for _, v := range in[:min(len(in), n)] {
		out = append(out, f(v))
	}
	return out, len(in) - len(out)
}

func cleanPolicy(p Policy) Policy {
	c := Policy{
		ID: Sanitize(p.ID, maxShort), Image: Sanitize(p.Image, maxShort),
		Current: Sanitize(p.Current, maxShort), Selected: Sanitize(p.Selected, maxShort),
		Reason: Sanitize(p.Reason, maxText), Held: Sanitize(p.Held, maxText), Gates: Sanitize(p.Gates, maxText),
	}
	if len(p.Problems) > 0 {
		c.Problems, _ = bounded(p.Problems, 10, cleanProblem)
	}
	return c
}

func cleanProblem(p Problem) Problem {
	return Problem{Message: Sanitize(p.Message, maxText), Warning: p.Warning}
}

func cleanEvent(e Event) Event {
	return Event{Time: e.Time, Commit: Sanitize(e.Commit, maxShort), Policy: Sanitize(e.Policy, maxShort),
		From: Sanitize(e.From, maxShort), To: Sanitize(e.To, maxShort), Kind: EventKind(Sanitize(string(e.Kind), 20))}
}

// lastDay returns the passes of the day before now, oldest first, at most
// maxPoints of them (the newest).
func lastDay(ps []PassPoint, now time.Time) []PassPoint {
	out := make([]PassPoint, 0, len(ps))
	for _, p := range ps {
		if !p.Time.Before(now.Add(-window)) && !p.Time.After(now) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b PassPoint) int { return a.Time.Compare(b.Time) })
	return out[max(0, len(out)-maxPoints):]
}
