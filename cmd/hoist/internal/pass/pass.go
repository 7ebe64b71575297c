package pass

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"

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
	// Jobs is how many image repositories are scanned at once. The default is 4.
	Jobs int
	// AllDigests resolves the digest of every selected tag, not only of
	// policies that pin digests (for reporting, as `hoist tags` does).
	AllDigests bool
	// Logger receives the pass's logs. The default discards them.
	Logger *slog.Logger
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
	// Problems lists what went wrong, one each, naming the file and line
	// or the registry and repository, errors first. The pass went on for
	// the rest.
	Problems []Problem

	root string // the resolved directory of Options.Path
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
	res, err := yamlpatch.Apply(rep.root, rep.Refs, patchOptions(rep.Policies, opts, log)...)
	if err != nil {
		return nil, &Error{Stage: "yamlpatch", Err: fmt.Errorf("updating markers under %s: %w", opts.Path, err)}
	}
	rep.Changes = res.Changes
	rep.Diff = res.Diff
	for _, p := range res.Problems {
		if p.Warning {
			rep.warning("yamlpatch", prefix(opts.Path, p.Error()))
		} else {
			rep.problem("yamlpatch", prefix(opts.Path, p.Error()))
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
	root, err := Root(dir, opts.Path)
	if err != nil {
		return nil, &Error{Stage: "policy", Err: err}
	}
	set, err := policy.Load(root, policy.WithLogger(log))
	if err != nil {
		return nil, &Error{Stage: "policy", Err: fmt.Errorf("loading policies under %s: %w", opts.Path, err)}
	}
	rep := &Report{Policies: set.Policies, root: root}
	for _, p := range set.Problems {
		msg := prefix(opts.Path, policyMessage(p))
		if p.Severity == policy.SeverityWarning {
			rep.warning("policy", msg)
		} else {
			rep.problem("policy", msg)
		}
	}
	for _, w := range reachRegistries(scanner, set.Policies) {
		rep.warning("registry", w)
	}
	found, failed := scan(ctx, scanner, set.Policies, jobsOf(opts), log)
	for _, img := range slices.Sorted(maps.Keys(failed)) {
		rep.problem("registry", failed[img].Error())
	}
	for _, img := range slices.Sorted(maps.Keys(found.dropped)) {
		rep.warning("registry", fmt.Sprintf("scanning %s: left out %d names that are not valid OCI tags", img, found.dropped[img]))
	}
	tags := found.tags
	rep.Decisions = policy.Select(set.Policies, tags)
	for i, p := range set.Policies {
		if err, ok := failed[p.Image]; ok {
			rep.Decisions[i].Err = err // the cause, not "no tags listed"
		}
	}
	rep.resolve(ctx, scanner, tags, opts)
	return rep, nil
}

func logger(opts Options) *slog.Logger {
	if opts.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return opts.Logger
}

func patchOptions(ps []*policy.Policy, opts Options, log *slog.Logger) []yamlpatch.Option {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	o := []yamlpatch.Option{yamlpatch.WithLogger(log), yamlpatch.WithKnownPolicies(ids...)}
	if opts.DryRun {
		o = append(o, yamlpatch.WithDryRun())
	}
	if opts.InPlace {
		o = append(o, yamlpatch.WithInPlaceWrites())
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
