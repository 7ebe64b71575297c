// Command benchgen writes the yamlpatch benchmark tree (see package
// benchgen) to a directory and prints, as JSON on standard output, the
// number of markers written and every policy's up-to-date reference, so
// that benchmarks outside the yamlpatch package (bench/fluxpeer, its own
// module) can run on the same tree:
//
//	go run ./yamlpatch/internal/benchgen/cmd/benchgen -dir /tmp/tree -files 10000 -marked 1
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hoist-dev/hoist/yamlpatch"
	"github.com/hoist-dev/hoist/yamlpatch/internal/benchgen"
)

// Output is what benchgen prints.
type Output struct {
	Markers int                      `json:"markers"` // marked values written
	Files   int                      `json:"files"`   // files written
	Refs    map[string]yamlpatch.Ref `json:"refs"`    // policy ID ("apps:svc-00") → its up-to-date reference
}

func main() {
	var dir string
	var files, marked int
	flag.StringVar(&dir, "dir", "", "directory to write the tree to (must not exist or be empty)")
	flag.IntVar(&files, "files", 10000, "number of files")
	flag.IntVar(&marked, "marked", 100, "percent of files that carry markers (1..100)")
	flag.Parse()
	if err := run(os.Stdout, dir, files, marked); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, dir string, files, marked int) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	n, err := benchgen.Generate(dir, files, marked)
	if err != nil {
		return fmt.Errorf("generating %d files in %s: %w", files, dir, err)
	}
	return json.NewEncoder(w).Encode(Output{Markers: n, Files: files, Refs: benchgen.Refs()})
}
