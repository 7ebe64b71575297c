package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/demo"
)

func newDemoCmd(a *app) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run two passes on an embedded registry and a local repository",
		Long: "demo starts an in-process registry on 127.0.0.1, pushes small images, makes a local\n" +
			"bare git repository from the sample config repository, runs a pass and prints its\n" +
			"commit, pushes newer tags and runs again. It needs nothing but this binary.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), a, dir)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "testdata/demo", "the sample config repository to start from")
	return cmd
}

// demoRounds are the tags pushed before each pass of the demo.
var demoRounds = []map[string][]string{{
	"acme/api":    {"1.0.0", "1.1.0", "1.2.0-rc.1", "2.0.0"},
	"acme/web":    {"1.0.0", "1.0.1", "1.1.0-debug"},
	"acme/worker": {"main-1700000000-0a1b2c3", "main-1700000500-9f8e7d6", "feature-x"},
}, {
	"acme/api":    {"1.2.0"},
	"acme/worker": {"main-1700003600-4d5e6f7"},
}}

func runDemo(ctx context.Context, a *app, dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("demo needs the sample repository %s (run it from the hoist checkout, or pass --dir): %w", dir, err)
	}
	start := time.Now()
	reg := demo.StartRegistry()
	defer reg.Close()
	tmp, err := os.MkdirTemp("", "hoist-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	files, err := demo.Files(dir, reg.Host())
	if err != nil {
		return err
	}
	url, err := demo.NewBareRepo(tmp, files)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "registry: %s (in-process)\nconfig repository: %s\n", reg.Host(), url)
	f := repoFlags{repo: url, stateDir: filepath.Join(tmp, "state")}
	err = f.withRunner(ctx, a, func(ctx context.Context, r *repoRunner) error {
		for i, round := range demoRounds {
			if err := demoRound(ctx, a, r, reg, i+1, round); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "\ndemo done in %.1fs\n", time.Since(start).Seconds())
	return nil
}

func demoRound(ctx context.Context, a *app, r *repoRunner, reg *demo.Registry, n int, tags map[string][]string) error {
	fmt.Fprintf(a.out, "\n=== pass %d ===\n", n)
	for _, repo := range sortedKeys(tags) {
		if err := reg.Push(ctx, repo, tags[repo]...); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "pushed %s: %v\n", repo, tags[repo])
	}
	for _, l := range r.pass(ctx, a.log(), nil) {
		if err := printLanding(a, l, map[string]bool{}); err != nil {
			return fmt.Errorf("pass %d: %w", n, err)
		}
		if l.out.Pushed {
			fmt.Fprintf(a.out, "\n%s", l.rep.Diff)
		}
	}
	return nil
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
