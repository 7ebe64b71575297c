package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// hoistd is a running `hoist run`.
type hoistd struct {
	cmd   *exec.Cmd
	base  string // http://addr
	pprof string // http://addr of its pprof server, "" for none
	start time.Time
	done  chan error
}

// serviceConfig renders the service config of the daemon.
func serviceConfig(bares []string, host, schedule, secretFile string) string {
	var b strings.Builder
	b.WriteString("apiVersion: hoist.dev/v1alpha1\nkind: Config\nrepositories:\n")
	for i, bare := range bares {
		fmt.Fprintf(&b, "  - name: fleet-%d\n    url: file://%s\n    branch: main\n    schedule: %q\n"+
			"    author: {name: Fleet Bot, email: bot@example.com}\n", i, bare, schedule)
	}
	fmt.Fprintf(&b, "registries:\n  - host: %q\n    insecure: true\n    rateLimit: {rps: 100000, burst: 1000, maxConcurrent: 16}\n", host)
	fmt.Fprintf(&b, "webhooks:\n  - kind: generic\n    secretFile: %s\n", secretFile)
	return b.String()
}

// startHoist starts `hoist run` and returns once its HTTP server answers;
// with pprof, it serves its profiles too.
func startHoist(ctx context.Context, bin, dir, config string, debounce time.Duration, pprof bool) (*hoistd, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	var extra []string
	pprofBase := ""
	if pprof {
		paddr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		extra, pprofBase = []string{"--pprof-listen", paddr}, "http://"+paddr
	}
	log, err := os.Create(filepath.Join(dir, "hoist.log"))
	if err != nil {
		return nil, fmt.Errorf("creating log: %w", err)
	}
	args := append([]string{"run", "--config", config, "--state-dir", filepath.Join(dir, "state"),
		"--listen", addr, "--jitter", "0", "--debounce", debounce.String(), "--log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	h := &hoistd{cmd: cmd, base: "http://" + addr, pprof: pprofBase, start: time.Now(), done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting hoist: %w", err)
	}
	go func() { h.done <- cmd.Wait(); _ = log.Close() }()
	for {
		if resp, err := http.Get(h.base + "/healthz"); err == nil {
			resp.Body.Close()
			return h, nil
		}
		select {
		case err := <-h.done:
			return nil, fmt.Errorf("hoist exited: %v (see %s)", err, log.Name())
		case <-ctx.Done():
			h.stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// saveHeap writes the daemon's heap profile to dir/name, when it serves
// profiles and dir is set.
func (h *hoistd) saveHeap(dir, name string) error {
	if h.pprof == "" || dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	resp, err := http.Get(h.pprof + "/debug/pprof/heap")
	if err != nil {
		return fmt.Errorf("reading heap profile: %w", err)
	}
	defer resp.Body.Close()
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("saving heap profile: %w", err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("saving heap profile: %w", err)
	}
	progress("heap profile: go tool pprof -sample_index=inuse_space %s", f.Name())
	return f.Close()
}

// stop interrupts the daemon and waits for it.
func (h *hoistd) stop() {
	_ = h.cmd.Process.Signal(os.Interrupt)
	select {
	case <-h.done:
	case <-time.After(10 * time.Second):
		_ = h.cmd.Process.Kill()
		<-h.done
	}
}

// ready reports whether /readyz says the first passes are done.
func (h *hoistd) ready() bool {
	resp, err := http.Get(h.base + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// metrics scrapes /metrics and sums every series of each metric name.
func (h *hoistd) metrics() (map[string]float64, error) {
	resp, err := http.Get(h.base + "/metrics")
	if err != nil {
		return nil, fmt.Errorf("scraping metrics: %w", err)
	}
	defer resp.Body.Close()
	return parseMetrics(resp.Body)
}

// metricsSize returns the size of a /metrics answer, uncompressed.
func (h *hoistd) metricsSize() (int, error) {
	resp, err := http.Get(h.base + "/metrics")
	if err != nil {
		return 0, fmt.Errorf("scraping metrics: %w", err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return int(n), err
}

// parseMetrics reads the Prometheus text format, summing the series of
// each name (histogram parts keep their suffixes).
func parseMetrics(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		if k := strings.IndexByte(line, '{'); k >= 0 {
			name = line[:k]
			_, rest, _ = strings.Cut(line[strings.LastIndexByte(line, '}'):], " ")
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		out[name] += v
	}
	return out, sc.Err()
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
