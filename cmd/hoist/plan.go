package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
)

func newPlanCmd(a *app) *cobra.Command {
	var f repoFlags
	var dir, cfgPath, only string
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Print the diff a pass would commit; push nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath != "" {
				return runPlanConfig(cmd.Context(), a, cfgPath, f.stateDir, only)
			}
			return runPlan(cmd.Context(), a, f, dir)
		},
	}
	f.bind(cmd, false)
	cmd.Flags().StringVar(&dir, "dir", "", "plan against this local directory instead of cloning --repo")
	cmd.Flags().StringVar(&cfgPath, "config", "", "plan every repository of this service config instead of --repo")
	cmd.Flags().StringVar(&only, "name", "", "with --config: only the repository of this name")
	return cmd
}

// runPlan prints the unified diff that `once` would commit.
func runPlan(ctx context.Context, a *app, f repoFlags, dir string) error {
	show := func(rep *pass.Report) error { return printPlanReport(a, rep) }
	return f.inspect(ctx, a, dir, show, pass.Run, pass.Options{DryRun: true})
}

// planRunner prints the diff a pass of a runner's repository would commit.
func planRunner(ctx context.Context, a *app, r *repoRunner) error {
	rep, err := r.plan(ctx, a.log().With("repo", r.cfg.Name))
	if err != nil {
		return err
	}
	return printPlanReport(a, rep)
}

func printPlanReport(a *app, rep *pass.Report) error {
	printProblems(a.errOut, rep.Problems)
	printPlan(a.out, rep)
	return problemsErr(rep)
}

func printPlan(w io.Writer, rep *pass.Report) {
	if len(rep.Changes) == 0 {
		fmt.Fprintln(w, noChanges(rep))
		return
	}
	fmt.Fprint(w, rep.Diff)
	gates := rep.Gates()
	for _, p := range slices.Sorted(maps.Keys(gates)) {
		fmt.Fprintf(w, "gate: %s %s: %s\n", p, rep.Refs[p].Tag, gates[p])
	}
}

// passFunc is pass.Run or pass.Decide.
type passFunc func(ctx context.Context, dir string, s pass.Scanner, o pass.Options) (*pass.Report, error)

// inDir runs fn on the local directory dir with the flags' registry
// settings, and hands its report to show. The flags must not name a
// repository as well.
func (f *repoFlags) inDir(ctx context.Context, a *app, dir string, show func(*pass.Report) error, fn passFunc, o pass.Options) error {
	if f.repo != "" {
		return errors.New("give exactly one of --repo and --dir")
	}
	f.repo = "file://" + dir // names the runner; nothing is cloned
	return withService(a, f.config(), f.stateDir, func(s *service) error {
		o.Path, o.Secrets, o.Logger = f.r.Path, s.cfg.Secrets, a.log()
		rep, err := fn(ctx, dir, s.scanner, o)
		if err != nil {
			return err
		}
		return show(rep)
	})
}

// inspect runs fn on a local directory (dir), or on a fresh checkout of
// --repo, and hands its report to show.
func (f *repoFlags) inspect(ctx context.Context, a *app, dir string, show func(*pass.Report) error, fn passFunc, o pass.Options) error {
	if dir != "" {
		return f.inDir(ctx, a, dir, show, fn, o)
	}
	if err := f.check(); err != nil {
		return errors.New("give exactly one of --repo and --dir")
	}
	return f.withRunner(ctx, a, func(ctx context.Context, r *repoRunner) error {
		rep, err := r.inspect(ctx, a.log().With("repo", r.cfg.Name), fn, o)
		if err != nil {
			return err
		}
		return show(rep)
	})
}
