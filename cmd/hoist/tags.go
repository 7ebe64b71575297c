package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
	"github.com/hoist-dev/hoist/policy"
)

func newTagsCmd(a *app) *cobra.Command {
	var f repoFlags
	var dir, only, output string
	cmd := &cobra.Command{
		Use:   "tags",
		Short: "Show, per policy, what the registry has and what the policy picks, and why",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("--output %q: want text or json", output)
			}
			return runTags(cmd.Context(), a, f, dir, only, output)
		},
	}
	f.bind(cmd, false)
	cmd.Flags().StringVar(&dir, "dir", "", "read policies from this local directory instead of cloning --repo")
	cmd.Flags().StringVar(&only, "policy", "", "show only this policy (ns:name or name)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json (one object per policy per line)")
	return cmd
}

// tagsLine is the stable JSON shape of `hoist tags --output json`.
type tagsLine struct {
	Policy      string             `json:"policy"`
	Image       string             `json:"image"`
	Selected    *selected          `json:"selected"` // null when undecided
	Candidates  int                `json:"candidates"`
	Excluded    int                `json:"excluded"`
	Error       string             `json:"error"`
	Held        string             `json:"held,omitempty"`
	Explanation policy.Explanation `json:"explanation"`
}

type selected struct {
	Tag    string `json:"tag"`
	Digest string `json:"digest"`
}

func runTags(ctx context.Context, a *app, f repoFlags, dir, only, output string) error {
	show := func(rep *pass.Report) error { return showTags(a, rep, only, output, f.r.Path) }
	return f.inspect(ctx, a, dir, show, pass.Decide, pass.Options{AllDigests: true})
}

// showTags prints a line per decision (or only the policy only) and fails
// when any shown policy could not be decided.
func showTags(a *app, rep *pass.Report, only, output, path string) error {
	found, undecided := 0, 0
	for i, d := range rep.Decisions {
		if only != "" && d.Policy != only {
			continue
		}
		found++
		line := tagsLine{Policy: d.Policy, Image: rep.Policies[i].Image, Explanation: d.Explanation,
			Candidates: d.Explanation.Candidates, Excluded: d.Explanation.Excluded}
		switch {
		case errors.Is(d.Err, policy.ErrHeld): // deliberately kept back: not a failure
			line.Held = d.Explanation.Held
		case d.Err != nil:
			line.Error = d.Err.Error()
			undecided++
		default:
			line.Selected = &selected{Tag: d.Tag, Digest: rep.Digests[d.Policy]}
		}
		if err := writeTagsLine(a.out, output, line); err != nil {
			return err
		}
	}
	printProblems(a.errOut, rep.Problems)
	switch {
	case only != "" && found == 0:
		return fmt.Errorf("no policy %q under %s", only, path)
	case undecided > 0:
		return fmt.Errorf("%d of %d policies could not be decided, listed above", undecided, found)
	}
	return problemsErr(rep) // like plan: a problem (a digest that did not resolve) fails too
}

func writeTagsLine(w io.Writer, output string, l tagsLine) error {
	if output == "json" {
		return json.NewEncoder(w).Encode(l)
	}
	if l.Error != "" {
		_, err := fmt.Fprintf(w, "%s\t%s\terror: %s\n", l.Policy, l.Image, l.Error)
		return err
	}
	if l.Selected == nil {
		_, err := fmt.Fprintf(w, "%s\t%s\t%s\n", l.Policy, l.Image, l.Held)
		return err
	}
	pick := l.Selected.Tag // set whenever Error is empty
	if l.Selected.Digest != "" {
		pick += "@" + l.Selected.Digest
	}
	_, err := fmt.Fprintf(w, "%s\t%s\t%s\t(%d candidates, %d excluded: %s)\n",
		l.Policy, l.Image, pick, l.Candidates, l.Excluded, l.Explanation.Reason)
	return err
}
