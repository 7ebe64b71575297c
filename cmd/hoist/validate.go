package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/yamlpatch"
)

func newValidateCmd(a *app) *cobra.Command {
	var dir, cfg string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Lint the policies and markers in a worktree, or a service config (file:line: message)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg != "" {
				return runValidateConfig(a.out, cfg)
			}
			return runValidate(a.out, dir)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the worktree (or the path inside it) to check")
	cmd.Flags().StringVar(&cfg, "config", "", "check this service config file instead (runs nothing)")
	return cmd
}

// runValidateConfig checks a service config file: syntax, keys, values,
// and that the secret files and environment variables it names exist.
func runValidateConfig(w io.Writer, path string) error {
	c, err := config.Load(path)
	if err != nil {
		return err
	}
	if err := c.CheckReferences(); err != nil {
		return err
	}
	fmt.Fprintf(w, "ok: %s: %d repositories, %d registries, %d webhooks\n", path, len(c.Repositories), len(c.Registries), len(c.Webhooks))
	return nil
}

// runValidate prints every problem with the policies and markers under dir,
// and fails when there is one.
func runValidate(w io.Writer, dir string) error {
	set, err := policy.Load(dir)
	if err != nil {
		return err
	}
	ids := make([]string, len(set.Policies))
	for i, p := range set.Policies {
		ids[i] = p.ID
	}
	markers, mproblems, err := yamlpatch.Scan(dir, yamlpatch.WithKnownPolicies(ids...))
	if err != nil {
		return err
	}
	var lines []string
	for _, p := range set.Problems {
		lines = append(lines, p.Error())
	}
	for _, p := range mproblems {
		lines = append(lines, p.Error())
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	for _, n := range set.Notes {
		fmt.Fprintf(w, "%s:%d: note: %s\n", n.File, n.Line, n.Message)
	}
	if len(lines) > 0 {
		return fmt.Errorf("%d problem(s) in %s", len(lines), dir)
	}
	fmt.Fprintf(w, "ok: %d policies, %d markers\n", len(set.Policies), len(markers))
	return nil
}
