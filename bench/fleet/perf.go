package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// perfRecorder records the daemon's CPU with Linux perf, phase by phase,
// since `hoist run` serves no pprof. A nil recorder records nothing.
type perfRecorder struct {
	dir string
	pid int
	cmd *exec.Cmd // the recording in progress, nil between phases
}

// newPerfRecorder records into dir, or returns nil when dir is "".
func newPerfRecorder(dir string, pid int) (*perfRecorder, error) {
	if dir == "" {
		return nil, nil
	}
	if _, err := exec.LookPath("perf"); err != nil {
		return nil, fmt.Errorf("-perf needs Linux perf: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	return &perfRecorder{dir: dir, pid: pid}, nil
}

// start begins recording phase into <dir>/<phase>.perf.
func (p *perfRecorder) start(phase string) error {
	if p == nil {
		return nil
	}
	out := filepath.Join(p.dir, phase+".perf")
	p.cmd = exec.Command("perf", "record", "-q", "-F", "499", "-g", "-p", strconv.Itoa(p.pid), "-o", out)
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("starting perf: %w", err)
	}
	progress("recording %s (perf report -i %s --children --sort sym -g none)", phase, out)
	return nil
}

// stop ends the recording in progress.
func (p *perfRecorder) stop() {
	if p == nil || p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	_ = p.cmd.Wait()
	p.cmd = nil
}
