package main

import (
	"context"
	"errors"
	"fmt"
	"io"

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
	rep, err := decideIn(ctx, a, f, dir, pass.Options{Path: f.path, DryRun: true, Logger: a.log()}, pass.Run)
	if err != nil {
		return err
	}
	printProblems(a.errOut, rep.Problems)
	printPlan(a.out, rep)
	return problemsErr(rep)
}

func printPlan(w io.Writer, rep *pass.Report) {
	if len(rep.Changes) == 0 {
		fmt.Fprintf(w, "no changes: %d policies checked, every marked value is up to date\n", len(rep.Policies))
		return
	}
	fmt.Fprint(w, rep.Diff)
}

// passFunc is pass.Run or pass.Decide.
type passFunc func(ctx context.Context, dir string, s pass.Scanner, o pass.Options) (*pass.Report, error)

// decideIn runs fn on a local directory, or on a fresh checkout of --repo.
func decideIn(ctx context.Context, a *app, f repoFlags, dir string, o pass.Options, fn passFunc) (*pass.Report, error) {
	if (dir == "") == (f.repo == "") {
		return nil, errors.New("give exactly one of --repo and --dir")
	}
	sc, err := f.scanner(a)
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	if dir != "" {
		return fn(ctx, dir, sc, o)
	}
	repo, err := f.openRepo(ctx, a)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	wt, _, err := repo.Checkout(ctx)
	if err != nil {
		return nil, err
	}
	return fn(ctx, wt, sc, o)
}
