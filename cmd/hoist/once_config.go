package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
)

// runOnceConfig runs one pass of each repository in a service config (or
// only the named one). One repository's failure does not stop the others;
// the error names each that failed.
func runOnceConfig(ctx context.Context, a *app, path, stateDir, only string) error {
	return eachConfigured(a, path, stateDir, only, func(r *repoRunner) error {
		out, rep, err := r.pass(ctx, a.log().With("repo", r.cfg.Name))
		if rep != nil {
			printProblems(a.errOut, rep.Problems)
		}
		if err != nil {
			return err
		}
		printOutcome(a.out, out, rep)
		return problemsErr(rep)
	})
}

// runPlanConfig prints, per repository of a service config, the diff a pass
// would commit.
func runPlanConfig(ctx context.Context, a *app, path, stateDir, only string) error {
	return eachConfigured(a, path, stateDir, only, func(r *repoRunner) error {
		rep, err := r.plan(ctx, a.log().With("repo", r.cfg.Name))
		if err != nil {
			return err
		}
		printProblems(a.errOut, rep.Problems)
		printPlan(a.out, rep)
		return problemsErr(rep)
	})
}

// eachConfigured calls fn for each repository of the service config at path
// (or only the named one), going on after failures.
func eachConfigured(a *app, path, stateDir, only string, fn func(*repoRunner) error) error {
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	if only != "" {
		if _, ok := cfg.Repository(only); !ok {
			return fmt.Errorf("%s has no repository named %q", path, only)
		}
	}
	if stateDir == "" {
		if stateDir, err = os.MkdirTemp("", "hoist-state-"); err != nil {
			return err
		}
		defer os.RemoveAll(stateDir)
	}
	svc, err := newService(cfg, stateDir, a.log())
	if err != nil {
		return err
	}
	defer svc.close()
	var errs []error
	for _, r := range svc.runners {
		if only != "" && r.cfg.Name != only {
			continue
		}
		fmt.Fprintf(a.out, "== %s (%s)\n", r.cfg.Name, r.cfg.URL)
		if err := fn(r); err != nil {
			errs = append(errs, fmt.Errorf("repository %s: %w", r.cfg.Name, err))
		}
	}
	return errors.Join(errs...)
}
