package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
)

// runOnceConfig runs one pass of each repository in a service config (or
// only the named one). One repository's failure does not stop the others;
// the error names each that failed.
func runOnceConfig(ctx context.Context, a *app, path, stateDir, only string) error {
	return eachConfigured(a, path, stateDir, only, func(r *repoRunner) error {
		return onceRunner(ctx, a, r)
	})
}

// runPlanConfig prints, per repository of a service config, the diff a pass
// would commit.
func runPlanConfig(ctx context.Context, a *app, path, stateDir, only string) error {
	return eachConfigured(a, path, stateDir, only, func(r *repoRunner) error {
		return planRunner(ctx, a, r)
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
	return withService(a, cfg, stateDir, func(svc *service) error {
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
	})
}
