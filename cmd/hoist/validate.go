package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/yamlpatch"
)

func newValidateCmd(a *app) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Lint the policies and markers in a worktree (file:line: message)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runValidate(a.out, dir)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the worktree (or the path inside it) to check")
	return cmd
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
	if len(lines) > 0 {
		return fmt.Errorf("%d problem(s) in %s", len(lines), dir)
	}
	fmt.Fprintf(w, "ok: %d policies, %d markers\n", len(set.Policies), len(markers))
	return nil
}
