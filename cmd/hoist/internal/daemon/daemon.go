package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Result is what one pass of a repository did.
type Result struct {
	// Commit is the pushed commit, "" when there was nothing to change.
	Commit string
	// Changes is how many marked values changed.
	Changes int
	// ProblemCount is how many problems the pass reported (it still ran).
	ProblemCount int
	// ProblemsByStage counts the problems by the stage that had them.
	ProblemsByStage map[string]int
	// Images are the image repositories the repository's policies use, so
	// that webhooks for them trigger it.
	Images []string
	// TagCounts counts the tags known for each image repository the pass
	// scanned.
	TagCounts map[string]int
	// PullRequests lists what the pass did to pull requests: "opened",
	// "updated" or "closed", one entry each.
	PullRequests []string
	// Held is how many policies a hold kept back.
	Held int
}

// RunFunc runs one pass of a repository.
type RunFunc func(ctx context.Context, p Pass) (Result, error)

// Pass says which pass a RunFunc is asked to run.
type Pass struct {
	// ID identifies the pass in logs ("repo-7").
	ID string
	// Pushed, when not nil, means only webhooks asked for this pass: these
	// image repositories (as the webhooks named them) had pushes since the
	// last pass, and the others' tag lists from the last listing may
	// serve. Nil means list every image: the first pass, a scheduled one,
	// or one another replica forwarded.
	Pushed []string
}

// Repo is one config repository under the daemon's care.
type Repo struct {
	// Name identifies the repository in logs and metrics.
	Name string
	// Schedule is a robfig/cron spec ("@every 5m", "*/10 * * * *").
	Schedule string
	// Run runs one pass.
	Run RunFunc
}

// Daemon schedules and runs the passes of its repositories.
type Daemon struct {
	workers []*worker
	cron    *cron.Cron
	o       options
}

// New checks every repository's schedule and returns a daemon ready to Run.
func New(repos []Repo, opts ...Option) (*Daemon, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	d := &Daemon{cron: cron.New(cron.WithParser(parser)), o: o}
	seen := map[string]bool{}
	for _, r := range repos {
		if seen[r.Name] {
			return nil, fmt.Errorf("repository %q is listed twice", r.Name)
		}
		seen[r.Name] = true
		w := newWorker(r, o)
		id, err := d.cron.AddFunc(r.Schedule, w.scheduled)
		if err != nil {
			return nil, fmt.Errorf("repository %s: schedule %q: %w", r.Name, r.Schedule, err)
		}
		w.entry = id
		d.workers = append(d.workers, w)
	}
	if len(d.workers) == 0 {
		return nil, errors.New("no repositories to run")
	}
	return d, nil
}

// Run runs a first pass of every repository, then passes on schedule and on
// webhooks, until ctx is done. Then it takes no new work, lets in-flight
// passes finish for up to the drain time (cancelling them after that) and
// returns nil.
func (d *Daemon) Run(ctx context.Context) error {
	hard, cancelHard := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHard()
	var wg sync.WaitGroup
	for _, w := range d.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx, hard)
		}()
	}
	d.Rebalance() // the first pass of every repository this replica owns
	d.cron.Start()
	<-ctx.Done()
	d.cron.Stop()
	d.o.log.Info("shutting down; waiting for in-flight passes", "drain", d.o.drain)
	timer := time.AfterFunc(d.o.drain, cancelHard)
	defer timer.Stop()
	wg.Wait()
	d.o.log.Info("stopped")
	return nil
}

// Trigger asks for a pass, after the debounce time, of every repository
// whose policies use one of images (or whose images are not known yet).
// It returns the names of the repositories it triggered.
func (d *Daemon) Trigger(images []string) []string {
	var names []string
	for _, w := range d.workers {
		switch {
		case !w.uses(images):
		case d.o.owns(w.repo.Name):
			w.push(images)
			w.kick(kickHook)
			names = append(names, w.repo.Name)
		default:
			d.o.owner.Forward(w.repo.Name)
			names = append(names, w.repo.Name)
		}
	}
	return names
}

// Ready reports whether every repository this replica owns has finished
// its first pass (successfully or not: a failing repository must not hold
// the others).
func (d *Daemon) Ready() bool {
	if d.o.owner != nil && !d.o.owner.Ready() {
		return false
	}
	for _, w := range d.workers {
		if d.o.owns(w.repo.Name) && !w.isReady() {
			return false
		}
	}
	return true
}

// Logger is the daemon's logger.
func (d *Daemon) Logger() *slog.Logger { return d.o.log }
