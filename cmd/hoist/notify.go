package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/notify"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
)

// startNotifier starts the service's notifier for the configured
// destinations, counting deliveries on reg (nil: not counted), and the
// tracker that turns pass results into failing and recovered events.
func (s *service) startNotifier(reg prometheus.Registerer) error {
	dests := make([]notify.Destination, len(s.cfg.Notifications))
	for i, n := range s.cfg.Notifications {
		dests[i] = notify.Destination{Name: n.Name, Kind: notify.Kind(n.Kind), URL: n.URL().ReadString,
			Repositories: n.Repositories}
		if n.SecretFile != "" || n.SecretEnv != "" {
			dests[i].Secret = n.Secret().ReadString // read at each delivery: rotation works
		}
		for _, e := range n.Events {
			dests[i].Events = append(dests[i].Events, notify.EventType(e))
		}
	}
	opts := []notify.Option{notify.WithLogger(s.log)}
	if reg != nil {
		opts = append(opts, notify.WithRegisterer(reg))
	}
	n, err := notify.New(dests, opts...)
	if err != nil {
		return err
	}
	var topts []notify.TrackerOption
	if f := s.cfg.NotificationSettings.FailingAfterFailures; f > 0 {
		topts = append(topts, notify.WithFailures(f))
	}
	if d := s.cfg.NotificationSettings.FailingAfterDuration(); d > 0 {
		topts = append(topts, notify.WithFailingAfter(d))
	}
	t, err := notify.NewTracker(topts...)
	if err != nil {
		n.Close(context.Background())
		return err
	}
	s.notifier, s.tracker = n, t
	return nil
}

// stopNotifier delivers what is queued, for at most 10s.
func (s *service) stopNotifier() {
	if s.notifier == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = s.notifier.Close(ctx) // what is left is counted as dropped
}

// notifyLanding tells the destinations what one pass of a repository did:
// a commit it pushed, a pull request it opened or updated, its holds.
func (s *service) notifyLanding(repo string, l landing) {
	if s.notifier == nil || l.rep == nil {
		return
	}
	changes := changesOf(l.rep)
	if l.out.Pushed {
		s.notifier.Notify(notify.Commit{Repository: repo, Commit: l.out.Commit, Branch: l.out.Branch, Changes: changes})
	}
	if l.pr != nil && (l.prAction == "opened" || l.prAction == "updated") && (l.out.Pushed || l.prAction == "opened") {
		s.notifier.Notify(notify.PullRequest{Repository: repo, Action: l.prAction, URL: l.pr.URL, Number: l.pr.Number,
			Changes: changes})
	}
	for _, h := range l.rep.Holds {
		s.notifyHold(repo, h)
	}
}

// observe feeds a pass's result to the failing/recovered tracker.
func (s *service) observe(repo string, err error) {
	if s.tracker == nil {
		return
	}
	if ev := s.tracker.Observe(repo, time.Now(), err); ev != nil {
		s.notifier.Notify(ev)
	}
}

// changesOf lists a report's changes for an event.
func changesOf(rep *pass.Report) []notify.Change {
	ups := rep.Change().Updates
	out := make([]notify.Change, len(ups))
	for i, u := range ups {
		out[i] = notify.Change{Policy: u.Policy, Image: u.Image, From: u.From, To: u.To, File: u.File}
	}
	return out
}

// notifyHold tells of a hold once per policy and newest rejected version
// (a hold lasts many passes). What was told is kept in memory, at most
// maxToldHolds entries: a restarted daemon tells once more.
func (s *service) notifyHold(repo string, h pass.Hold) {
	version, reason := "", h.Message
	if len(h.Rejected) > 0 {
		version = h.Rejected[0].Version
	}
	key := repo + "\x00" + h.Policy + "\x00" + version
	s.mu.Lock()
	told := s.toldHolds[key]
	if !told && len(s.toldHolds) < maxToldHolds {
		s.toldHolds[key] = true
	}
	s.mu.Unlock()
	if !told {
		s.notifier.Notify(notify.Hold{Repository: repo, Policy: h.Policy, Version: version, Reason: reason})
	}
}

// maxToldHolds bounds the holds a service remembers having told.
const maxToldHolds = 10000
