package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	reflectorv1 "github.com/fluxcd/image-reflector-controller/api/v1"
	"github.com/hoist-dev/hoist/bench/fluxpeer/internal/setters"
	"github.com/hoist-dev/hoist/yamlpatch"
)

// childCmd is the subcommand that runs one contender: child NAME ROOT REFS.
const childCmd = "child"

// The contenders, in the order they run.
const (
	readFloor    = "read floor"
	flux         = "flux-style setters"
	hoistInPlace = "hoist in place"
	hoistAtomic  = "hoist atomic"
)

var contenders = []string{readFloor, flux, hoistInPlace, hoistAtomic}

// childReport is what a child prints on standard output.
type childReport struct {
	Files    int   `json:"files"`    // files read (read floor) or changed (as the contender reports it)
	Changes  int   `json:"changes"`  // values changed
	Problems int   `json:"problems"` // problems reported
	HWMKiB   int64 `json:"hwmKiB"`   // VmHWM of /proc/self/status at the end: peak RSS of this process image alone
}

// childMain runs one contender on a tree and returns the exit code.
func childMain(args []string) int {
	if len(args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: fluxpeer child CONTENDER ROOT REFS.json")
		return 2
	}
	rep, err := runContender(args[0], args[1], args[2])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", args[0], err)
		return 1
	}
	rep.HWMKiB = vmHWM()
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func runContender(name, root, refsFile string) (childReport, error) {
	refs, err := readRefs(refsFile)
	if err != nil {
		return childReport{}, err
	}
	switch name {
	case readFloor:
		n, err := readAll(root)
		return childReport{Files: n}, err
	case flux:
		return runFlux(root, refs)
	case hoistInPlace:
		return runHoist(root, refs, yamlpatch.WithInPlaceWrites(), yamlpatch.WithoutDiff()) // as the daemon's passes
	case hoistAtomic:
		return runHoist(root, refs)
	}
	return childReport{}, fmt.Errorf("unknown contender %q", name)
}

func readRefs(path string) (map[string]yamlpatch.Ref, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading refs: %w", err)
	}
	var refs map[string]yamlpatch.Ref
	if err := json.Unmarshal(b, &refs); err != nil {
		return nil, fmt.Errorf("parsing refs %s: %w", path, err)
	}
	return refs, nil
}

// readAll reads every regular file under root: the I/O floor.
func readAll(root string) (int, error) {
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		n++
		_, err = os.ReadFile(path)
		return err
	})
	return n, err
}

// runFlux updates root in place as image-automation-controller does (with
// hoist's kyaml re-implementation of its setters update), with every
// policy's latest reference in its status.
func runFlux(root string, refs map[string]yamlpatch.Ref) (childReport, error) {
	res, err := setters.Update(root, fluxPolicies(refs))
	if err != nil {
		return childReport{}, fmt.Errorf("updating with setters: %w", err)
	}
	return childReport{Files: res.Files(), Changes: len(res.Changes)}, nil
}

// fluxPolicies turns policy IDs ("ns:name") and references into the
// ImagePolicy objects Flux would list, their latest reference set.
func fluxPolicies(refs map[string]yamlpatch.Ref) []reflectorv1.ImagePolicy {
	var ps []reflectorv1.ImagePolicy
	for id, r := range refs {
		p := reflectorv1.ImagePolicy{}
		p.Namespace, p.Name, _ = strings.Cut(id, ":")
		if p.Name == "" {
			p.Namespace, p.Name = "", id
		}
		p.Status.LatestRef = &reflectorv1.ImageRef{Name: r.Name, Tag: r.Tag, Digest: r.Digest}
		ps = append(ps, p)
	}
	return ps
}

func runHoist(root string, refs map[string]yamlpatch.Ref, opts ...yamlpatch.Option) (childReport, error) {
	res, err := yamlpatch.Apply(root, refs, opts...)
	if err != nil {
		return childReport{}, fmt.Errorf("applying: %w", err)
	}
	files := map[string]bool{}
	for _, c := range res.Changes {
		files[c.File] = true
	}
	return childReport{Files: len(files), Changes: len(res.Changes), Problems: len(res.Problems)}, nil
}

// vmHWM returns the VmHWM line of /proc/self/status in KiB, or 0.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
