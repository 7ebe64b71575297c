package kubetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// process is a server started by a test.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string // path of its combined output
	done chan struct{}
}

// start starts a server; a cleanup kills it by PID and waits for it.
func start(tb testing.TB, name string, args ...string) *process {
	tb.Helper()
	logPath := filepath.Join(tb.TempDir(), filepath.Base(name)+".log")
	f, err := os.Create(logPath)
	if err != nil {
		tb.Fatalf("creating log of %s: %v", name, err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		tb.Fatalf("starting %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitFor polls ready until it succeeds, the process exits or the deadline passes.
func (p *process) waitFor(tb testing.TB, deadline time.Duration, ready func() error) {
	tb.Helper()
	end := time.Now().Add(deadline)
	for {
		err := ready()
		if err == nil {
			return
		}
		select {
		case <-p.done:
			tb.Fatalf("%s exited before it was ready: %v\n%s", p.name, p.cmd.ProcessState, p.tail())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(end) {
			tb.Fatalf("%s not ready after %v: %v\n%s", p.name, deadline, err, p.tail())
		}
	}
}

// tail returns the end of the server's log, for failure messages.
func (p *process) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
