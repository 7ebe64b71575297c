package deploy_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// repoRoot is the module root, where image.sh and the Flux/Argo paths are relative to.
const repoRoot = ".."

// need returns the path of a binary the test needs. When it is missing the test
// is skipped, or fails when CI=true (CI must run every test).
func need(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found on PATH (run .ci/install.sh, .ci/tools.sh and .ci/kube.sh): %v", name, err)
	}
	t.Skipf("%s not found on PATH: %v", name, err)
	return ""
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("picking a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// server is a process started by a test.
type server struct {
	name string
	cmd  *exec.Cmd
	log  string // path of its combined output
	done chan struct{}
}

// startServer starts a server process; t.Cleanup kills it by PID and waits for it.
func startServer(t *testing.T, name string, args ...string) *server {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), filepath.Base(name)+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("creating log of %s: %v", name, err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	s := &server{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(s.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
	})
	return s
}

// waitFor polls ready until it succeeds, the process exits or the deadline passes.
func (s *server) waitFor(t *testing.T, deadline time.Duration, ready func() error) {
	t.Helper()
	end := time.Now().Add(deadline)
	for {
		err := ready()
		if err == nil {
			return
		}
		select {
		case <-s.done:
			t.Fatalf("%s exited before it was ready: %v\n%s", s.name, s.cmd.ProcessState, s.tail())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(end) {
			t.Fatalf("%s not ready after %v: %v\n%s", s.name, deadline, err, s.tail())
		}
	}
}

// tail returns the end of the server's log, for failure messages.
func (s *server) tail() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// run runs a command and returns its stdout; a non-zero exit fails the test.
func run(t *testing.T, stdin []byte, env []string, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, err := tryRun(stdin, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout, stderr
}

// tryRun runs a command and returns its output and how it ended.
func tryRun(stdin []byte, env []string, name string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// object is one decoded Kubernetes manifest.
type object map[string]any

func (o object) kind() string { s, _ := lookup(o, "kind").(string); return s }
func (o object) name() string { s, _ := lookup(o, "metadata", "name").(string); return s }
func (o object) namespace() string {
	s, _ := lookup(o, "metadata", "namespace").(string)
	return s
}

// id names an object as kind/namespace/name.
func (o object) id() string { return o.kind() + "/" + o.namespace() + "/" + o.name() }

// lookup walks maps by key and lists by index ("0"); it returns nil when the path is absent.
func lookup(v any, path ...string) any {
	for _, p := range path {
		switch c := v.(type) {
		case map[string]any:
			v = c[p]
		case object:
			v = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// decodeAll decodes a multi-document YAML stream.
func decodeAll(b []byte) ([]object, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var objs []object
	for {
		var o map[string]any // not object: nested maps would take that type too
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decoding document %d: %w", len(objs)+1, err)
		}
		if o != nil {
			objs = append(objs, object(o))
		}
	}
}

// render builds a kustomization (a path relative to this directory) with
// `kubectl kustomize`, or `kustomize build` when only that is installed.
func render(t *testing.T, dir string) ([]byte, []object) {
	t.Helper()
	var out string
	if _, err := exec.LookPath("kubectl"); err == nil {
		out, _ = run(t, nil, nil, "kubectl", "kustomize", dir)
	} else {
		out, _ = run(t, nil, nil, need(t, "kustomize"), "build", dir)
	}
	objs, err := decodeAll([]byte(out))
	if err != nil {
		t.Fatalf("rendering %s: %v", dir, err)
	}
	return []byte(out), objs
}

// find returns the only object of a kind, failing the test when there is not exactly one.
func find(t *testing.T, objs []object, kind string) object {
	t.Helper()
	var found []object
	for _, o := range objs {
		if o.kind() == kind {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want exactly one %s, got %d", kind, len(found))
	}
	return found[0]
}
