package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
	"github.com/hoist-dev/hoist/gitwriter"
)

func newHistoryCmd(a *app) *cobra.Command {
	var f repoFlags
	var dir, output string
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Print the audit log read back from hoist's commit trailers, with reverts, releases and holds",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir != "" {
				f.repo = dir
			}
			if err := f.check(); err != nil {
				return fmt.Errorf("give --repo or --dir")
			}
			return runHistory(cmd.Context(), a, f, limit, output)
		},
	}
	f.bind(cmd, false)
	cmd.Flags().StringVar(&dir, "dir", "", "read the history of this local repository")
	cmd.Flags().IntVar(&limit, "limit", 100, "how many commits to read at most")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json (one object per line)")
	return cmd
}

// heldLine is the JSON shape of a rejection in `hoist history --output json`.
type heldLine struct {
	Kind      string              `json:"kind"` // "rejected"
	Policy    string              `json:"policy"`
	Rejection gitwriter.Rejection `json:"rejection"`
	Text      string              `json:"text"`
}

func runHistory(ctx context.Context, a *app, f repoFlags, limit int, output string) error {
	var entries []gitwriter.Entry
	var held map[string][]gitwriter.Rejection
	var problems []pass.Problem
	err := f.withRunner(ctx, a, func(ctx context.Context, r *repoRunner) error {
		repo, err := r.open(ctx, a.log())
		if err != nil {
			return err
		}
		defer repo.Close()
		if entries, err = repo.History(ctx, limit); err != nil {
			return err
		}
		held, problems, err = currentHolds(ctx, repo, r.cfg.Path, a.log())
		return err
	})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := writeHistory(a.out, output, e); err != nil {
			return err
		}
	}
	for _, p := range slices.Sorted(maps.Keys(held)) {
		for _, rj := range held[p] {
			if err := writeHeld(a.out, output, p, rj); err != nil {
				return err
			}
		}
	}
	printProblems(a.errOut, pass.Errors(problems))
	return nil
}

// currentHolds reads the rejections that hold policies at the head.
func currentHolds(ctx context.Context, repo *gitwriter.Repo, path string, log *slog.Logger) (map[string][]gitwriter.Rejection, []pass.Problem, error) {
	dir, _, err := repo.Checkout(ctx)
	if err != nil {
		return nil, nil, err
	}
	return pass.Rejections(ctx, dir, pass.Options{Path: path, History: repo, Logger: log})
}

func writeHistory(w io.Writer, output string, e gitwriter.Entry) error {
	if output == "json" {
		return json.NewEncoder(w).Encode(e)
	}
	when := e.When.Format("2006-01-02 15:04:05Z07:00")
	var err error
	switch e.Kind {
	case "revert":
		_, err = fmt.Fprintf(w, "%s  %s  %-24s %s -> %s  reverted %s by %s\n", when, short(e.Commit), e.Policy, e.From, e.To, short(e.Reverts), e.Author)
	case "release":
		_, err = fmt.Fprintf(w, "%s  %s  %-24s holds released by %s\n", when, short(e.Commit), e.Policy, e.Author)
	default:
		_, err = fmt.Fprintf(w, "%s  %s  %-24s %s -> %s  (%s)\n", when, short(e.Commit), e.Policy, e.From, e.To, e.Image)
	}
	return err
}

// writeHeld prints a rejection that holds a policy now:
// "held: apps:api: 1.1.0 was reverted in abc1234 by ... on 2026-11-20".
func writeHeld(w io.Writer, output, policy string, r gitwriter.Rejection) error {
	text := fmt.Sprintf("held: %s: %s %s", policy, r.Version, r.Why())
	if output == "json" {
		return json.NewEncoder(w).Encode(heldLine{Kind: "rejected", Policy: policy, Rejection: r, Text: text})
	}
	_, err := fmt.Fprintln(w, text)
	return err
}
