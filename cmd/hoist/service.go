package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/daemon"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/notify"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/ui"
	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/yamlpatch"
)

// service holds what the daemon's passes share: the config, one registry
// client and the webhook secrets.
type service struct {
	cfg      *config.Config
	stateDir string
	log      *slog.Logger
	scanner  *registry.Scanner
	secrets  map[string][]byte // webhook kind -> secret
	runners  []*repoRunner     // one per configured repository
	notifier *notify.Notifier  // nil until startNotifier
	tracker  *notify.Tracker   // nil until startNotifier
	recorder *ui.Recorder      // nil until newRecorder: what the status page shows
	noDiff   bool              // passes build no diff (the daemon shows none)

	mu        sync.Mutex      // protects toldHolds
	toldHolds map[string]bool // holds notified: repo, policy, version
}

func newService(cfg *config.Config, stateDir string, log *slog.Logger) (*service, error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating state dir: %w", err)
	}
	// Versions that copied environment secrets to files left them here.
	if err := os.RemoveAll(secretDir(stateDir)); err != nil {
		return nil, fmt.Errorf("removing old secrets: %w", err)
	}
	regOpts := append(cfg.RegistryOptions(), registry.WithLogger(log), registry.WithCache(filepath.Join(stateDir, "cache.db")))
	sc, err := registry.New(regOpts...)
	if err != nil {
		return nil, err
	}
	s := &service{cfg: cfg, stateDir: stateDir, log: log, scanner: sc, secrets: map[string][]byte{}, toldHolds: map[string]bool{}}
	for _, r := range cfg.Repositories {
		s.runners = append(s.runners, &repoRunner{svc: s, cfg: r, history: &gitwriter.HistoryCache{},
			policies: policy.NewCache(), clones: &gitwriter.CloneCache{}, unmarked: yamlpatch.NewCache()})
	}
	for _, h := range cfg.Webhooks {
		secret, err := h.Secret().Read()
		if err != nil {
			sc.Close()
			return nil, fmt.Errorf("webhook %s: %w", h.Kind, err)
		}
		s.secrets[h.Kind] = secret
	}
	return s, nil
}

func (s *service) close() {
	s.stopNotifier()
	s.scanner.Close()
}

// repos returns a daemon repository per configured repository.
func (s *service) repos() []daemon.Repo {
	out := make([]daemon.Repo, len(s.runners))
	for i, r := range s.runners {
		out[i] = daemon.Repo{Name: r.cfg.Name, Schedule: r.cfg.Schedule, Run: r.run}
	}
	return out
}

// hook parses a webhook and returns the image repositories it names.
func (s *service) hook(kind string, r *http.Request) ([]string, error) {
	events, err := registry.ParseWebhook(kind, r, s.secrets[kind])
	if err != nil {
		return nil, err
	}
	images := make([]string, 0, len(events))
	for _, e := range events {
		images = append(images, e.Repository)
	}
	return images, nil
}

// canonical names an image repository the way webhook events do
// ("nginx" is "index.docker.io/library/nginx").
func canonical(image string) string {
	if repo, err := registry.NormalizeRepository(image); err == nil {
		return repo
	}
	return image
}

// repoRunner runs the passes of one configured repository, one at a time.
// Each pass opens the repository's cached clone afresh (cheap: gitwriter
// fetches into it) so that gitwriter logs with that pass's id.
type repoRunner struct {
	svc      *service
	cfg      config.Repository
	history  *gitwriter.HistoryCache // commits read for holds, kept across passes
	policies *policy.Cache           // what loading the policies found, kept across passes
	clones   *gitwriter.CloneCache   // what opening the cached clone checked, kept across passes
	unmarked *yamlpatch.Cache        // the clone's files without markers, kept across passes

	mu   sync.Mutex   // serialises passes
	scan pass.Scanner // the registry client of the pass in flight, under mu
}

// options are the pass options of the repository, with set's changes
// (when set is not nil).
func (r *repoRunner) options(log *slog.Logger, set func(*pass.Options)) pass.Options {
	o := pass.Options{Path: r.cfg.Path, Secrets: r.svc.cfg.Secrets, Logger: log, Policies: r.policies,
		Unmarked: r.unmarked, NoDiff: r.svc.noDiff}
	if set != nil {
		set(&o)
	}
	return o
}

// scanner is the registry client of the pass in flight: the service's, or
// one that lists only what webhooks pushed.
func (r *repoRunner) scanner() pass.Scanner {
	if r.scan == nil {
		return r.svc.scanner
	}
	return r.scan
}

// cloneOptions are the options every Open of the repository's cached clone
// takes: its state dir, and what is kept across passes.
func (r *repoRunner) cloneOptions(log *slog.Logger) []gitwriter.Option {
	return []gitwriter.Option{gitwriter.WithLogger(log), gitwriter.WithHistoryCache(r.history),
		gitwriter.WithCloneCache(r.clones), gitwriter.WithStateDir(filepath.Join(r.svc.stateDir, "repos", r.cfg.Name))}
}

// open opens the repository's cached clone, logging to log.
func (r *repoRunner) open(ctx context.Context, log *slog.Logger) (*gitwriter.Repo, error) {
	return r.openAs(ctx, log, r.cfg)
}

// openAs opens the repository's cached clone with the settings of rc (the
// repository's, with another branch or push branch).
func (r *repoRunner) openAs(ctx context.Context, log *slog.Logger, rc config.Repository) (*gitwriter.Repo, error) {
	opts := append(rc.GitOptions(), r.cloneOptions(log)...)
	return gitwriter.Open(ctx, r.cfg.URL, opts...)
}

// pass runs one pass of the repository and pushes its commit; with Flux
// ImageUpdateAutomations in it (and automations followed), one pass per
// automation, as Flux would; with pull requests, the pass proposes. Pushed,
// when not nil, are the images webhooks named (see daemon.Pass). What
// each landed is notified.
func (r *repoRunner) pass(ctx context.Context, log *slog.Logger, pushed []string) []landing {
	r.mu.Lock()
	defer r.mu.Unlock()
	if pushed != nil {
		r.scan = newPushedScanner(r.svc.scanner, pushed)
		defer func() { r.scan = nil }()
	}
	ls := r.landings(ctx, log)
	for _, l := range ls {
		r.svc.notifyLanding(r.cfg.Name, l)
	}
	return ls
}

// landings runs the passes of one pass of the repository.
func (r *repoRunner) landings(ctx context.Context, log *slog.Logger) []landing {
	repo, err := r.open(ctx, log)
	if err != nil {
		return []landing{{err: err}}
	}
	defer repo.Close()
	autos, err := r.automations(ctx, repo, log)
	if err != nil {
		return []landing{{err: err}}
	}
	f, err := r.forge(log)
	if err != nil {
		return []landing{{err: err}}
	}
	switch {
	case len(autos) > 0:
		ls := make([]landing, 0, len(autos))
		for _, a := range autos {
			ls = append(ls, r.automate(ctx, log, a))
		}
		return ls
	case f != nil:
		repo.Close() // propose opens the clone with the head branch
		return r.propose(ctx, log, f, repo.Branch())
	}
	out, rep, err := update(ctx, repo, r.scanner(), r.options(log, nil))
	return []landing{{out: out, rep: rep, err: err}}
}

// inspect runs fn (pass.Run in a dry run, or pass.Decide) on the head of the
// repository, writing and pushing nothing.
func (r *repoRunner) inspect(ctx context.Context, log *slog.Logger, fn passFunc, o pass.Options) (*pass.Report, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	repo, err := r.open(ctx, log)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	dir, _, err := repo.Checkout(ctx)
	if err != nil {
		return nil, err
	}
	o.Path, o.Secrets, o.Logger, o.Policies, o.Unmarked = r.cfg.Path, r.svc.cfg.Secrets, log, r.policies, r.unmarked
	o.History = repo // holds from the head inspected, deepening the clone as needed
	return fn(ctx, dir, r.svc.scanner, o)
}

// plan computes what a pass would change on the repository's head.
func (r *repoRunner) plan(ctx context.Context, log *slog.Logger) (*pass.Report, error) {
	return r.inspect(ctx, log, pass.Run, pass.Options{DryRun: true})
}

// run is the daemon's RunFunc. A failure is counted under the stage that
// had it: the pass's own stage errors are inside gitwriter's, and the
// innermost wins.
func (r *repoRunner) run(ctx context.Context, p daemon.Pass) (daemon.Result, error) {
	log := r.svc.log.With("repo", r.cfg.Name, "pass", p.ID)
	var res daemon.Result
	var errs []error
	start := time.Now()
	ls := r.pass(ctx, log, p.Pushed)
	defer func() { r.svc.record(r.cfg.Name, start, ls, errors.Join(errs...)) }()
	for _, l := range ls {
		if l.prAction != "" {
			res.PullRequests = append(res.PullRequests, l.prAction)
			log.Info("pull request", "action", l.prAction, "url", l.pr.URL, "automation", l.automation)
		}
		if l.rep != nil {
			addResult(&res, l.rep)
			for _, p := range l.rep.Problems {
				log.Warn("pass problem", "automation", l.automation, "problem", p)
			}
		}
		if l.err != nil {
			errs = append(errs, stageError(l.err))
		} else if l.out.Commit != "" {
			res.Commit = l.out.Commit
		}
	}
	err := errors.Join(errs...)
	r.svc.observe(r.cfg.Name, err)
	return res, err
}

// addResult adds what one report found to a daemon result.
func addResult(res *daemon.Result, rep *pass.Report) {
	if res.ProblemsByStage == nil {
		res.ProblemsByStage, res.TagCounts = map[string]int{}, map[string]int{}
	}
	res.Changes += len(rep.Changes)
	res.Held += len(rep.Holds)
	res.ProblemCount += len(pass.Errors(rep.Problems))
	for stage, n := range rep.ProblemsByStage() {
		res.ProblemsByStage[stage] += n
	}
	res.Images = append(res.Images, imagesOf(rep)...)
	for image, n := range tagCounts(rep) {
		res.TagCounts[image] = n
	}
}

// stageError labels err with the stage that failed: the pass's stage when
// the pass failed, else git.
func stageError(err error) error {
	var pe *pass.Error
	if errors.As(err, &pe) {
		return &daemon.StageError{Stage: pe.Stage, Err: err}
	}
	return &daemon.StageError{Stage: "git", Err: err}
}

// tagCounts is how many tags each scanned image repository has.
func tagCounts(rep *pass.Report) map[string]int {
	n := map[string]int{}
	for i, d := range rep.Decisions {
		if d.Explanation.Seen > 0 {
			n[canonical(rep.Policies[i].Image)] = d.Explanation.Seen
		}
	}
	return n
}

// imagesOf are the image repositories a report's policies watch, named the
// way webhook events name them; an OCI chart is its repository.
func imagesOf(rep *pass.Report) []string {
	images := make([]string, 0, len(rep.Policies))
	for _, p := range rep.Policies {
		images = append(images, canonical(strings.TrimPrefix(p.Image, "oci://")))
	}
	return images
}
