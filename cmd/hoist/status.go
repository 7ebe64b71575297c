package main

import (
	"context"
	"time"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/daemon"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/ui"
)

// newRecorder keeps, in memory and bounded, what the status page shows of
// the configured repositories.
func (s *service) newRecorder() error {
	repos := make([]ui.Repo, len(s.runners))
	for i, r := range s.runners {
		repos[i] = ui.Repo{Name: r.cfg.Name, URL: r.cfg.URL}
	}
	rec, err := ui.NewRecorder(repos, ui.RecorderConfig{})
	if err != nil {
		return err
	}
	s.recorder = rec
	return nil
}

// record records one pass of a repository (its landings) for the page.
func (s *service) record(repo string, start time.Time, ls []landing, err error) {
	if s.recorder == nil {
		return
	}
	rec := ui.Record{Start: start, Duration: time.Since(start), Err: err}
	for _, l := range ls {
		if l.rep != nil {
			ps, probs := ui.FromReport(l.rep)
			rec.Policies, rec.Problems = append(rec.Policies, ps...), append(rec.Problems, probs...)
			rec.Changes += len(l.rep.Changes)
		}
		if l.out.Commit != "" {
			rec.Commit = &ui.Commit{SHA: l.out.Commit, Subject: l.out.Message, Time: time.Now()}
			rec.Events = append(rec.Events, updateEvents(l)...)
		}
		if l.pr != nil && l.prAction != "closed" {
			rec.PullRequest = &ui.PullRequest{URL: l.pr.URL, Number: l.pr.Number}
		}
	}
	s.recorder.Record(repo, rec)
}

// updateEvents are the history events of a landing that pushed.
func updateEvents(l landing) []ui.Event {
	if !l.out.Pushed || l.rep == nil {
		return nil
	}
	var evs []ui.Event
	for _, p := range l.rep.Change().Policies() {
		evs = append(evs, ui.Event{Time: time.Now(), Commit: l.out.Commit, Policy: p.Policy, From: p.From, To: p.To, Kind: ui.Update})
	}
	return evs
}

// statusSource is the page's data: what the recorder kept, with each
// repository's schedule and owner from the daemon as they are now.
func statusSource(rec *ui.Recorder, d *daemon.Daemon, owner func(string) string) ui.Source {
	return ui.SourceFunc(func(ctx context.Context) ui.Status {
		st := rec.Status(ctx)
		for i := range st.Repositories {
			r := &st.Repositories[i]
			if s, ok := d.State(r.Name); ok {
				r.NextPass = s.Next
				if s.Failures > 0 && s.BackoffUntil.After(time.Now()) {
					r.Backoff = &ui.Backoff{Until: s.BackoffUntil, Failures: s.Failures}
				}
			}
			if owner != nil {
				r.Owner = owner(r.Name)
			}
		}
		return st
	})
}
