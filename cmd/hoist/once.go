package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
	"github.com/hoist-dev/hoist/gitwriter"
)

func newOnceCmd(a *app) *cobra.Command {
	var f repoFlags
	var cfgPath, only string
	cmd := &cobra.Command{
		Use:   "once",
		Short: "Run one pass: scan, select, rewrite, commit and push",
		Long: "once runs one pass against --repo, or against every repository of a service\n" +
			"config (--config, optionally only --name), and exits.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath != "" {
				return runOnceConfig(cmd.Context(), a, cfgPath, f.stateDir, only)
			}
			if err := f.check(); err != nil {
				return err
			}
			return runOnce(cmd.Context(), a, f)
		},
	}
	f.bind(cmd, true)
	f.bindPullRequest(cmd)
	cmd.Flags().StringVar(&cfgPath, "config", "", "run every repository of this service config instead of --repo")
	cmd.Flags().StringVar(&only, "name", "", "with --config: only the repository of this name")
	return cmd
}

// runOnce runs one pass against the repository and pushes its commit. It
// returns an error when the pass could not land, or when it landed but some
// file, policy or registry had a problem (listed on stderr).
func runOnce(ctx context.Context, a *app, f repoFlags) error {
	return f.withRunner(ctx, a, func(ctx context.Context, r *repoRunner) error {
		return onceRunner(ctx, a, r)
	})
}

// onceRunner runs one pass of a runner's repository (one per Flux
// automation in it), printing the problems and outcome of each.
func onceRunner(ctx context.Context, a *app, r *repoRunner) error {
	var errs []error
	seen := map[string]bool{} // each automation's pass loads the same policies
	for _, l := range r.pass(ctx, a.log().With("repo", r.cfg.Name), nil) {
		if err := printLanding(a, l, seen); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// printLanding prints what one pass did and returns its error, or the
// error of its problems. Problems already in seen are not printed again.
func printLanding(a *app, l landing, seen map[string]bool) error {
	if l.automation != "" {
		fmt.Fprintf(a.out, "automation %s: ", l.automation)
	}
	if l.proposal != "" {
		fmt.Fprintf(a.out, "%s: ", l.proposal)
	}
	if l.skipped != "" {
		fmt.Fprintf(a.out, "%s, not run\n", l.skipped)
		return nil
	}
	if l.rep != nil {
		printProblems(a.errOut, unseen(l.rep.Problems, seen))
	}
	if l.err != nil {
		if l.automation != "" {
			fmt.Fprintln(a.out, "failed")
		}
		if l.out.Commit != "" { // the pull request failed; the commit is on its branch
			printOutcome(a.out, l.out, l.rep)
		}
		return l.err
	}
	printOutcome(a.out, l.out, l.rep)
	if l.pr != nil {
		fmt.Fprintf(a.out, "pull request #%d %s: %s\n", l.pr.Number, l.prAction, l.pr.URL)
	}
	return problemsErr(l.rep)
}

// update runs a pass inside gitwriter's fetch-edit-commit-push loop and
// returns the report of the attempt that landed (or the last one).
func update(ctx context.Context, repo *gitwriter.Repo, sc pass.Scanner, o pass.Options) (gitwriter.Outcome, *pass.Report, error) {
	var rep *pass.Report
	o.InPlace = true // gitwriter resets its worktree from git after any crash
	if o.History == nil {
		o.History = repo // holds from the head being edited, deepening the clone as needed
	}
	out, err := repo.Update(ctx, func(ctx context.Context, dir string) (gitwriter.Change, error) {
		r, err := pass.Run(ctx, dir, sc, o)
		if err != nil {
			return gitwriter.Change{}, err
		}
		rep = r
		c := r.Change()
		c.Rejected = r.PassedOver() // the commit names the holds it passed over
		return c, nil
	})
	return out, rep, err
}

func printOutcome(w io.Writer, out gitwriter.Outcome, rep *pass.Report) {
	switch {
	case out.Commit == "" && len(rep.Policies) == 0:
		fmt.Fprintln(w, "no changes: no policies found")
		return
	case out.Commit == "" && len(rep.Refs) == 0 && len(rep.Holds) == len(rep.Policies):
		fmt.Fprintf(w, "no changes: every one of the %d policies is held (see the warnings)\n", len(rep.Policies))
		return
	case out.Commit == "" && len(rep.Refs) == 0:
		fmt.Fprintf(w, "no changes: none of the %d policies could be decided\n", len(rep.Policies))
		return
	case out.Commit == "":
		fmt.Fprintln(w, noChanges(rep))
		return
	case !out.Pushed:
		fmt.Fprintf(w, "no new commit: %s already holds %s with these changes\n", out.Branch, short(out.Commit))
		return
	}
	fmt.Fprintf(w, "pushed %s to %s (%d changes, attempt %d)\n\n", short(out.Commit), out.Branch, len(rep.Changes), out.Attempts)
	for _, line := range strings.Split(strings.TrimRight(out.Message, "\n"), "\n") {
		fmt.Fprintf(w, "    %s\n", line)
	}
}

// noChanges says why a pass that read policies changed nothing: every
// value was up to date, or problems kept some back.
func noChanges(rep *pass.Report) string {
	if len(pass.Errors(rep.Problems)) > 0 {
		return fmt.Sprintf("no changes: %d policies checked; the problems listed kept some values from being updated", len(rep.Policies))
	}
	return fmt.Sprintf("no changes: %d policies checked, every marked value is up to date", len(rep.Policies))
}

// printProblems prints errors as "problem: ..." and warnings as
// "warning: ...", errors first.
func printProblems(w io.Writer, problems []pass.Problem) {
	for _, p := range problems {
		if p.Warning {
			fmt.Fprintf(w, "warning: %s\n", p.Message)
		} else {
			fmt.Fprintf(w, "problem: %s\n", p.Message)
		}
	}
}

// unseen returns the problems not in seen and adds them to it.
func unseen(ps []pass.Problem, seen map[string]bool) []pass.Problem {
	var out []pass.Problem
	for _, p := range ps {
		if !seen[p.String()] {
			seen[p.String()] = true
			out = append(out, p)
		}
	}
	return out
}

// problemsErr fails a command whose pass had errors; warnings alone (by
// which nothing was lost) do not.
func problemsErr(rep *pass.Report) error {
	if rep == nil {
		return nil
	}
	n := len(pass.Errors(rep.Problems))
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d problem(s), listed above; everything else was done", n)
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
