package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hoist-dev/hoist/yamlpatch"
)

// generated is what the generator printed for one tree.
type generated struct {
	Markers int                      `json:"markers"`
	Files   int                      `json:"files"`
	Refs    map[string]yamlpatch.Ref `json:"refs"`
}

// generate writes a tree of files files, pct percent of them marked, to
// dir with the yamlpatch benchmark's generator (an internal package of the
// main module, run with go run there), and writes the policies' references
// to refsFile.
func generate(ctx context.Context, root, dir string, files, pct int, refsFile string) (generated, error) {
	cmd := exec.CommandContext(ctx, "go", "run", "./yamlpatch/internal/benchgen/cmd/benchgen",
		"-dir", dir, "-files", fmt.Sprint(files), "-marked", fmt.Sprint(pct))
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return generated{}, fmt.Errorf("running the generator in %s: %w", root, err)
	}
	var g generated
	if err := json.Unmarshal(out, &g); err != nil {
		return generated{}, fmt.Errorf("reading the generator's output %q: %w", out, err)
	}
	b, err := json.Marshal(g.Refs)
	if err != nil {
		return generated{}, err
	}
	return g, os.WriteFile(refsFile, b, 0o644)
}

// hoistRoot is the main module's directory (the replace target in go.mod).
func hoistRoot(ctx context.Context) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/hoist-dev/hoist")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("finding the hoist module (run from bench/fluxpeer): %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// copyTree copies the regular files and directories of src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// readTree returns every regular file under root by slash path.
func readTree(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	return files, err
}

// changedFiles counts the files of got whose bytes differ from orig.
func changedFiles(orig, got map[string][]byte) int {
	n := 0
	for p, b := range got {
		if !bytes.Equal(orig[p], b) {
			n++
		}
	}
	return n
}
