package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
)

// logFlags are the flags every command shares.
type logFlags struct {
	level  string
	format string
}

func (f *logFlags) bind(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&f.level, "log-level", "warn", "log level: debug, info, warn or error")
	cmd.PersistentFlags().StringVar(&f.format, "log-format", "text", "log format: text or json")
}

// logger builds the process's logger; it writes to w (stderr).
func (f *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", f.level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(f.format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", f.format)
}

// app is what every command gets: where to write and how to log.
type app struct {
	out, errOut io.Writer
	logFlags
}

func (a *app) log() *slog.Logger {
	l, err := a.logger(a.errOut)
	if err != nil { // validated in PersistentPreRunE
		return slog.New(slog.DiscardHandler)
	}
	return l
}

func newRootCmd(out, errOut io.Writer) *cobra.Command {
	a := &app{out: out, errOut: errOut}
	root := &cobra.Command{
		Use:           "hoist",
		Version:       version,
		Short:         "Keep the image references in a GitOps config repository up to date",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			_, err := a.logger(errOut)
			return err
		},
	}
	root.SetOut(out)
	root.SetErr(errOut)
	a.bind(root)
	root.AddCommand(newOnceCmd(a), newPlanCmd(a), newTagsCmd(a), newValidateCmd(a),
		newHistoryCmd(a), newDemoCmd(a), newRunCmd(a))
	return root
}
