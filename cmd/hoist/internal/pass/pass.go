package pass

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/yamlpatch"
)

// Options configure one pass. The zero value of each field means its default.
type Options struct {
	// Path is the directory inside the worktree that holds policies and
	// manifests. The default is the worktree's root.
	Path string
	// DryRun computes the changes and their diff without writing any file.
	DryRun bool
	// InPlace writes changed files in place instead of through a temporary
	// file and a rename: right for a worktree that the caller can reset from
	// git after a crash (gitwriter's cached clone), not for a user's own
	// checkout.
	InPlace bool
	// NoDiff leaves the Report's Diff empty and builds none: for passes
	// whose diff no one reads (the daemon's), it saves the diff's memory.
	NoDiff bool
	// Jobs is how many image repositories are scanned at once. The default is 4.
	Jobs int
	// AllDigests resolves the digest of every selected tag, not only of
	// policies that pin digests (for reporting, as `hoist tags` does).
	AllDigests bool
	// Automation, when set, makes the pass do what this Flux
	// ImageUpdateAutomation would: only the policies it selects are applied,
	// and only markers under its update.path (relative to the worktree) are
	// rewritten. Markers of other policies are left alone without a word.
	Automation *policy.Automation
	// Only, when set, applies only the policies it accepts (one policy or
	// group per pull request); markers of the others are left alone.
	Only func(*policy.Policy) bool
	// Secrets maps Kubernetes secret names ("namespace/name") that Flux
	// objects refer to onto where they are mounted (the service config's
	// secrets): a Flux ImageRepository's secretRef becomes the docker config
	// of its registry.
	Secrets map[string]string
	// History reads the versions git history rejects (reverts, hand
	// edits, releases; see gitwriter's Repo.Holds). The default reads the
	// local git checkout holding the worktree, without fetching; a
	// worktree outside git has no history and no holds.
	History History
	// Rejected are more rejected versions by policy ID, merged with what
	// history says: for example the versions of a pull request closed
	// without merging.
	Rejected map[string][]gitwriter.Rejection
	// Policies, when set, keeps what loading the policies found from one
	// pass to the next, so that files and kustomizations that did not
	// change are not decoded or built again (one cache per worktree).
	Policies *policy.Cache
	// Unmarked, when set, keeps which files held no marker from one pass
	// to the next, by their stat data, so that an unchanged unmarked file
	// is not read again (one cache per worktree).
	Unmarked *yamlpatch.Cache
	// Logger receives the pass's logs. The default discards them.
	Logger *slog.Logger
	// Now is the time gates (minAge, follow) measure against. The default
	// is the current time.
	Now time.Time
}

// Report is what one pass found and did.
type Report struct {
	// Policies is every policy loaded, in load order.
	Policies []*policy.Policy
	// Decisions holds one decision per policy, in the same order.
	Decisions []policy.Decision
	// Refs is the reference each successfully decided policy should run.
	Refs map[string]yamlpatch.Ref
	// Digests holds the resolved digest of each policy's selected tag, for
	// policies that pin digests (or all, with AllDigests).
	Digests map[string]string
	// Changes is every marked value the pass rewrote (or would, in a dry run).
	Changes []yamlpatch.Change
	// Diff is the unified diff of Changes, with paths relative to the worktree.
	Diff string
	// Holds are the policies that did not move because they are held
	// (rejected versions, suspended), in policy order: a gauge of held
	// policies is len(Holds).
	Holds []Hold
	// Problems lists what went wrong, one each, naming the file and line
	// or the registry and repository, errors first. The pass went on for
	// the rest.
	Problems []Problem

	root        string          // the resolved directory of Options.Path
	rewrite     string          // the resolved directory whose markers are rewritten
	rewritePath string          // rewrite as configured, relative to the worktree
	known       []string        // the IDs of every policy loaded, selected or not
	tree        *yamlpatch.Tree // the marked files under rewrite, read once to find pinned digests (IfNotPresent)
	badChart    map[string]bool // chart policies with a marker not of the :tag form: no ref
}

// problem records an error found by a stage.
func (r *Report) problem(stage, msg string) {
	r.Problems = append(r.Problems, Problem{Stage: stage, Message: msg})
}

// warning records a remark by which nothing was lost.
func (r *Report) warning(stage, msg string) {
	r.Problems = append(r.Problems, Problem{Stage: stage, Message: msg, Warning: true})
}

// ProblemsByStage counts the problems that are not warnings by the stage
// that found them ("policy", "registry", "yamlpatch").
func (r *Report) ProblemsByStage() map[string]int {
	n := map[string]int{}
	for _, p := range Errors(r.Problems) {
		n[p.Stage]++
	}
	return n
}

// Run performs one pass in the worktree dir: [Decide], then rewrite the
// markers (or, with DryRun, compute the diff). The error is for a pass that
// could not run at all (for example an unreadable directory); everything
// else lands in the Report's Problems.
func Run(ctx context.Context, dir string, scanner Scanner, opts Options) (*Report, error) {
	rep, err := Decide(ctx, dir, scanner, opts)
	if err != nil {
		return nil, err
	}
	log := logger(opts)
	res, err := applyRefs(rep.tree, rep.rewrite, rep.Refs, patchOptions(rep.known, opts, log)...)
	if err != nil {
		return nil, &Error{Stage: "yamlpatch", Err: fmt.Errorf("updating markers under %s: %w", rep.rewritePath, err)}
	}
	rep.Changes = res.Changes
	rep.Diff = res.Diff
	for _, p := range res.Problems {
		if p.Warning {
			rep.warning("yamlpatch", prefix(rep.rewritePath, p.Error()))
		} else {
			rep.problem("yamlpatch", prefix(rep.rewritePath, p.Error()))
		}
	}
	sortProblems(rep.Problems)
	log.Info("pass done", "policies", len(rep.Policies), "changes", len(rep.Changes), "problems", len(rep.Problems))
	return rep, nil
}

// Decide loads the policies under the worktree dir, scans the registries
// they name and selects a reference per policy, without touching any file.
func Decide(ctx context.Context, dir string, scanner Scanner, opts Options) (*Report, error) {
	log := logger(opts)
	rep, err := load(dir, opts, log)
	if err != nil {
		return nil, err
	}
	for _, w := range reachRegistries(scanner, rep.Policies, opts.Secrets) {
		rep.warning("registry", w)
	}
	rejected, herr := rep.rejections(ctx, dir, opts)
	facts := policy.Facts{Rejected: holdsOf(rejected), Followed: rep.follow(ctx, dir, opts), Now: opts.Now}
	if facts.Now.IsZero() {
		facts.Now = time.Now() // one clock for every image's decisions
	}
	sel := newSelector(rep.Policies, facts)
	found, failed := scan(ctx, scanner, rep.Policies, jobsOf(opts), log, sel.image)
	for _, img := range slices.Sorted(maps.Keys(failed)) {
		rep.problem("registry", failed[img].Error())
	}
	for _, img := range slices.Sorted(maps.Keys(found.dropped)) {
		what := "names that are not valid OCI tags"
		if isChart(rep.Policies, img) {
			what = "tags or entries that are not chart versions (SemVer)"
		}
		rep.warning("registry", fmt.Sprintf("scanning %s: left out %d %s", img, found.dropped[img], what))
	}
	rep.Decisions = sel.finish(found.tags)
	for i, p := range rep.Policies {
		if err, ok := failed[p.Image]; ok && p.Follow == nil {
			rep.Decisions[i].Err = err // the cause, not "no tags listed"
		}
	}
	if herr != nil {
		rep.problem("history", fmt.Sprintf("reading holds from git history: %v; no policy moves in this pass", herr))
		holdAll(rep.Decisions, herr)
	}
	rep.resolve(ctx, scanner, found.tags, rejected, opts)
	sortProblems(rep.Problems)
	return rep, nil
}

// isChart reports whether img is the source of chart policies.
func isChart(ps []*policy.Policy, img string) bool {
	for _, p := range ps {
		if p.Image == img && p.Chart != nil {
			return true
		}
	}
	return false
}

// load resolves the pass's directories inside the worktree and loads the
// policies (those the automation selects, with one), recording their
// problems.
func load(dir string, opts Options, log *slog.Logger) (*Report, error) {
	root, err := Root(dir, opts.Path)
	if err != nil {
		return nil, &Error{Stage: "policy", Err: err}
	}
	rep := &Report{root: root, rewrite: root, rewritePath: opts.Path}
	if a := opts.Automation; a != nil {
		if rep.rewrite, err = Root(dir, a.Path); err != nil {
			return nil, &Error{Stage: "policy", Err: fmt.Errorf("automation %s: update.path: %w", a.ID, err)}
		}
		rep.rewritePath = a.Path
	}
	lo := []policy.Option{policy.WithLogger(log)}
	if opts.Policies != nil {
		lo = append(lo, policy.WithCache(opts.Policies))
	}
	set, err := policy.Load(root, lo...)
	if err != nil {
		return nil, &Error{Stage: "policy", Err: fmt.Errorf("loading policies under %s: %w", opts.Path, err)}
	}
	for _, p := range set.Policies {
		rep.known = append(rep.known, p.ID)
		if (opts.Automation == nil || opts.Automation.Selects(p)) && (opts.Only == nil || opts.Only(p)) {
			rep.Policies = append(rep.Policies, p)
		}
	}
	for _, p := range set.Problems {
		msg := prefix(opts.Path, policyMessage(p))
		if p.Severity == policy.SeverityWarning {
			rep.warning("policy", msg)
		} else {
			rep.problem("policy", msg)
		}
	}
	return rep, nil
}

func logger(opts Options) *slog.Logger {
	if opts.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return opts.Logger
}

func patchOptions(known []string, opts Options, log *slog.Logger) []yamlpatch.Option {
	o := []yamlpatch.Option{yamlpatch.WithLogger(log), yamlpatch.WithKnownPolicies(known...)}
	if opts.DryRun {
		o = append(o, yamlpatch.WithDryRun())
	}
	if opts.InPlace {
		o = append(o, yamlpatch.WithInPlaceWrites())
	}
	if opts.NoDiff {
		o = append(o, yamlpatch.WithoutDiff())
	}
	if opts.Unmarked != nil {
		o = append(o, yamlpatch.WithCache(opts.Unmarked))
	}
	return o
}

// prefix makes a "file:line: message" relative to the worktree rather than to
// the scanned path, so that it names a file a user can open.
func prefix(path, msg string) string {
	if path == "" || path == "." {
		return msg
	}
	return strings.TrimSuffix(filepath.ToSlash(filepath.Clean(path)), "/") + "/" + msg
}

// policyMessage is "file:line: policy ID: message" for a policy problem,
// without the "warning: " its Error puts in; the Report says that.
func policyMessage(p policy.Problem) string {
	msg := "<nil>"
	if p.Err != nil {
		msg = p.Err.Error()
	}
	if p.Policy != "" {
		msg = "policy " + p.Policy + ": " + msg
	}
	if p.Line <= 0 {
		return p.File + ": " + msg
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, msg)
}
