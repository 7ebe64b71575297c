package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/gitwriter"
)

func newHistoryCmd(a *app) *cobra.Command {
	var f repoFlags
	var dir, output string
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Print the audit log read back from hoist's commit trailers",
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

func runHistory(ctx context.Context, a *app, f repoFlags, limit int, output string) error {
	var entries []gitwriter.Entry
	err := f.withRunner(ctx, a, func(ctx context.Context, r *repoRunner) error {
		repo, err := r.open(ctx, a.log())
		if err != nil {
			return err
		}
		defer repo.Close()
		entries, err = repo.History(ctx, limit)
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
	return nil
}

func writeHistory(w io.Writer, output string, e gitwriter.Entry) error {
	if output == "json" {
		return json.NewEncoder(w).Encode(e)
	}
	_, err := fmt.Fprintf(w, "%s  %s  %-24s %s -> %s  (%s)\n",
		e.When.Format("2006-01-02 15:04:05Z07:00"), short(e.Commit), e.Policy, e.From, e.To, e.Image)
	return err
}
