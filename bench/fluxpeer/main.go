// Command fluxpeer runs hoist's yamlpatch beside Flux's setters approach
// (how image-automation-controller rewrites marked image fields: parse with
// kyaml, set, re-serialise; re-implemented with kyaml in internal/setters)
// on the same generated config repository, in one run, and prints a
// Markdown table: each contender's user and system CPU seconds, wall time,
// peak RSS and files changed, with ratios. Each contender runs in a fresh
// child process (this binary re-executed with the "child" subcommand) on
// its own copy of the tree; the figures come from the child's rusage.
// Afterwards it checks that the Flux-style contender and hoist wrote the
// same bytes to every file and explains each difference.
//
// It is its own module so that hoist never depends on Flux. Usage:
//
//	cd bench/fluxpeer && go run . -files 10000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == childCmd {
		os.Exit(childMain(os.Args[2:]))
	}
	var f benchFlags
	f.bind(flag.CommandLine)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, f); err != nil {
		fmt.Fprintln(os.Stderr, "fluxpeer:", err)
		os.Exit(1)
	}
}

// benchFlags are the run's parameters.
type benchFlags struct {
	files   int
	marked  []int // percents of files marked, one tree each
	count   int
	workDir string
	keep    bool
	out     string
	hoist   string // the main module's directory; "" asks go list
}

func (f *benchFlags) bind(fs *flag.FlagSet) {
	fs.IntVar(&f.files, "files", 10000, "files in each generated tree")
	f.marked = []int{100, 1}
	fs.Func("marked", "comma-separated percents of files marked, one tree each (default 100,1)", func(s string) error {
		p, err := parsePercents(s)
		f.marked = p
		return err
	})
	fs.IntVar(&f.count, "count", 1, "runs of each contender per tree; the table shows the one with the least CPU")
	fs.StringVar(&f.workDir, "work", "", "work directory (default: a new temporary directory)")
	fs.BoolVar(&f.keep, "keep", false, "keep the work directory (the generated trees and every contender's output)")
	fs.StringVar(&f.out, "out", "", "also write the Markdown report to this file")
	fs.StringVar(&f.hoist, "hoist", "", "hoist's module directory, where the generator runs (default: the replace target, when run in bench/fluxpeer)")
}
