package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/demo"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// The end-to-end tests run the hoist binary as a subprocess against a real
// CNCF distribution registry process and a real git daemon.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// hoistBin builds the hoist binary once per test process.
func hoistBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hoist-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "hoist")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{out: string(out), err: err}
		}
	})
	if buildErr != nil {
		t.Fatalf("building hoist: %v", buildErr)
	}
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// world is one registry process and one git daemon serving a config
// repository seeded from testdata/demo.
type world struct {
	reg      *registrytest.Server
	url      string // the config repository's git:// URL
	bare     string
	files    map[string]string // the seeded files
	stateDir string
}

func newWorld(t *testing.T, extra map[string]string, opts ...registrytest.Option) *world {
	t.Helper()
	return newWorldFrom(t, "../../testdata/demo", extra, opts...)
}

// newWorldFrom is newWorld seeded from another sample repository.
func newWorldFrom(t *testing.T, sample string, extra map[string]string, opts ...registrytest.Option) *world {
	t.Helper()
	reg := registrytest.Start(t, opts...)
	files, err := demo.Files(sample, reg.Host)
	if err != nil {
		t.Fatal(err)
	}
	for p, c := range extra {
		files[p] = c
	}
	base := t.TempDir()
	bare := gittest.NewBare(t, filepath.Join(base, "config.git"), files)
	srv := gittest.Daemon(t, base)
	return &world{reg: reg, url: srv.URL("config.git"), bare: bare, files: files, stateDir: t.TempDir()}
}

func (w *world) push(t *testing.T, repo string, tags ...string) {
	t.Helper()
	for _, tag := range tags {
		registrytest.Push(t, w.reg.Repo(repo)+":"+tag, time.Now())
	}
}

// hoist runs the binary and returns its stdout, stderr and exit error.
func (w *world) hoist(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(hoistBin(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	t.Logf("hoist %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), out.String(), errOut.String())
	return out.String(), errOut.String(), err
}

func (w *world) remoteHead(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(gittest.Git(t, w.bare, "rev-parse", "refs/heads/main"))
}

func (w *world) showFile(t *testing.T, rev, path string) string {
	t.Helper()
	out, err := gittest.GitCmd(w.bare, "show", rev+":"+path).Output()
	if err != nil {
		t.Fatalf("git show %s:%s: %v", rev, path, err)
	}
	return string(out)
}
