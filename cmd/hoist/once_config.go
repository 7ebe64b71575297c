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
// the error says how many failed.
func runOnceConfig(ctx context.Context, a *app, path, stateDir, only string) error {
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
		out, rep, err := r.pass(ctx, a.log().With("repo", r.cfg.Name))
		if rep != nil {
			printProblems(a.errOut, rep.Problems)
		}
		if err == nil {
			printOutcome(a.out, out, rep)
			err = problemsErr(rep)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("repository %s: %w", r.cfg.Name, err))
		}
	}
	return errors.Join(errs...)
}
