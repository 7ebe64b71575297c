package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
	"github.com/hoist-dev/hoist/gitwriter"
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

// runValidate prints every problem with the policies, automations and
// markers under dir, errors first, then warnings, notes and the policies
// each kustomization produced. It fails when there is an error; warnings
// lose nothing.
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
	var errs, warnings []string
	for _, p := range set.Problems {
		if p.Severity == policy.SeverityWarning {
			warnings = append(warnings, p.Error()) // says "warning: " itself
		} else {
			errs = append(errs, p.Error())
		}
	}
	for _, p := range mproblems {
		if p.Warning {
			warnings = append(warnings, p.File+":"+strconv.Itoa(p.Line)+": warning: "+p.Reason)
		} else {
			errs = append(errs, p.Error())
		}
	}
	errs = append(errs, checkTemplates(set.Automations)...)
	printSorted(w, errs)
	printSorted(w, warnings)
	for _, n := range set.Notes {
		if n.Line > 0 {
			fmt.Fprintf(w, "%s:%d: note: %s\n", n.File, n.Line, n.Message)
		} else {
			fmt.Fprintf(w, "%s: note: %s\n", n.File, n.Message)
		}
	}
	printKustomized(w, set.Policies)
	if len(errs) > 0 {
		return fmt.Errorf("%d problem(s) in %s", len(errs), dir)
	}
	fmt.Fprintf(w, "ok: %d policies, %d markers, %d automations\n", len(set.Policies), len(markers), len(set.Automations))
	return nil
}

func printSorted(w io.Writer, lines []string) {
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// checkTemplates renders each automation's message template on sample data
// exactly as its passes would, so a template every pass would reject is
// reported here.
func checkTemplates(autos []*policy.Automation) []string {
	var out []string
	for _, a := range autos {
		if a.MessageTemplate == "" {
			continue
		}
		err := gitwriter.CheckMessageTemplate(a.MessageTemplate, gitwriter.WithAutomation(gitwriter.Automation{
			Namespace: a.Namespace, Name: a.Name, Path: a.Path, Values: a.MessageTemplateValues}))
		if err != nil {
			out = append(out, fmt.Sprintf("%s:%d: automation %s: spec.git.commit.messageTemplate: %v", a.File, a.Line, a.ID, err))
		}
	}
	return out
}

// printKustomized says which kustomization produced which policies.
func printKustomized(w io.Writer, ps []*policy.Policy) {
	by := map[string][]string{}
	for _, p := range ps {
		if p.Kustomization != "" {
			by[p.Kustomization] = append(by[p.Kustomization], p.ID)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(by)) {
		fmt.Fprintf(w, "%s: kustomize built %d policies: %s\n", k, len(by[k]), strings.Join(by[k], ", "))
	}
}
