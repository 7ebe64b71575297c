package daemon

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// kickKind says why a pass is wanted: it decides the wait before it runs.
type kickKind int

const (
	kickStart    kickKind = iota // the daemon started: run at once
	kickSchedule                 // cron fired: wait a random jitter
	kickHook                     // a webhook: wait the debounce time
)

// worker runs the passes of one repository, one at a time.
type worker struct {
	repo  Repo
	o     options
	kicks chan kickKind // holds at most one pending pass

	mu        sync.Mutex // protects the fields below
	running   bool
	images    map[string]bool // nil until a pass reported them
	passes    int
	ready     bool // the first pass has finished (successfully or not)
	failures  int
	notBefore time.Time    // after failures, passes wait until then
	owned     bool         // ownership at the last Rebalance (or start)
	entry     cron.EntryID // the cron job of the schedule
	// pushed are the images webhooks named since the last pass began, and
	// full says a kick that needs every image listed came meanwhile.
	pushed map[string]bool
	full   bool
}

func newWorker(r Repo, o options) *worker {
	return &worker{repo: r, o: o, kicks: make(chan kickKind, 1)}
}

// kick asks for a pass; a pass already pending absorbs it. A kick that is
// not a webhook's makes the next pass list every image.
func (w *worker) kick(k kickKind) {
	if k != kickHook {
		w.mu.Lock()
		w.full = true
		w.mu.Unlock()
	}
	select {
	case w.kicks <- k:
	default:
	}
}

// push records images a webhook named, for the next pass.
func (w *worker) push(images []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pushed == nil {
		w.pushed = map[string]bool{}
	}
	for _, img := range images {
		w.pushed[img] = true
	}
}

// take starts a pass: what it is asked to list, and its id.
func (w *worker) take() Pass {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running = true
	w.passes++
	p := Pass{ID: fmt.Sprintf("%s-%d", w.repo.Name, w.passes)}
	if !w.full && w.pushed != nil && w.images != nil {
		p.Pushed = slices.Sorted(maps.Keys(w.pushed))
	}
	w.pushed, w.full = nil, false
	return p
}

// scheduled is the cron job: it skips the run while a pass is in flight.
func (w *worker) scheduled() {
	w.mu.Lock()
	running := w.running
	w.mu.Unlock()
	if running {
		w.o.log.Info("skipping scheduled pass: previous one still running", "repo", w.repo.Name)
		return
	}
	w.kick(kickSchedule)
}

// loop runs passes as kicks arrive until ctx is done. Passes run under hard,
// which outlives ctx by the drain time, so shutdown never cuts a push short.
func (w *worker) loop(ctx, hard context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case k := <-w.kicks:
			if !w.wait(ctx, k) || !w.backOff(ctx) {
				return
			}
			if !w.o.owns(w.repo.Name) {
				w.o.log.Debug("skipping pass: another replica owns the repository", "repo", w.repo.Name)
				continue
			}
			w.run(hard)
		}
	}
}

// wait sleeps before a pass, as its kind asks. It reports false when ctx
// ended first.
func (w *worker) wait(ctx context.Context, k kickKind) bool {
	var d time.Duration
	switch k {
	case kickSchedule:
		if w.o.jitter > 0 {
			d = rand.N(w.o.jitter)
		}
	case kickHook:
		d = w.o.debounce
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	}
	if k == kickHook { // the pass about to run covers every push of the burst
		select {
		case <-w.kicks:
		default:
		}
	}
	return true
}

// backOff waits, after failed passes, until the repository's backoff ends;
// kicks that come meanwhile fold into the pass that runs then. It reports
// false when ctx ended first.
func (w *worker) backOff(ctx context.Context) bool {
	w.mu.Lock()
	wait := time.Until(w.notBefore)
	w.mu.Unlock()
	if wait <= 0 {
		return true
	}
	w.o.log.Info("backing off after failures", "repo", w.repo.Name, "wait", wait.Round(time.Millisecond))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// run runs one pass and records its outcome.
func (w *worker) run(ctx context.Context) {
	p := w.take()
	log := w.o.log.With("repo", w.repo.Name, "pass", p.ID)
	log.Info("pass started", "pushed", p.Pushed)
	start := time.Now()
	res, err := w.repo.Run(ctx, p)
	took := time.Since(start)
	w.o.metrics.observe(w.repo.Name, res, err, took)
	if err != nil {
		log.Error("pass failed", "error", err, "duration", took)
	} else {
		log.Info("pass finished", "commit", res.Commit, "changes", res.Changes, "problems", res.ProblemCount, "duration", took)
	}
	w.finish(res, err)
}

func (w *worker) finish(res Result, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running, w.ready = false, true
	if res.Images != nil {
		w.images = map[string]bool{}
		for _, img := range res.Images {
			w.images[img] = true
		}
	}
	if err == nil {
		w.failures, w.notBefore = 0, time.Time{}
		return
	}
	w.full = true // a listing may have failed: the cache cannot stand in for it
	w.failures++
	wait := w.o.backoff << min(w.failures-1, 20)
	if wait > w.o.maxBack || wait <= 0 {
		wait = w.o.maxBack
	}
	w.notBefore = time.Now().Add(wait)
}

// uses reports whether the repository's policies use one of images; true
// while no pass has said which images they use.
func (w *worker) uses(images []string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.images == nil {
		return true
	}
	for _, img := range images {
		if w.images[img] {
			return true
		}
	}
	return false
}

// isReady reports whether the first pass has finished.
func (w *worker) isReady() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ready
}
