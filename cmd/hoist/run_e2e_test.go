package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// daemonWorld is a world whose registry sends its push notifications to a
// hoist daemon.
type daemonWorld struct {
	*world
	addr   string // the daemon's address: its relay's
	relay  *relay
	config string
}

const hookSecret = "Bearer s3cret-hook-token"

func newDaemonWorld(t *testing.T, extraRepos string) *daemonWorld {
	t.Helper()
	return newDaemonWorldFiles(t, extraRepos, nil)
}

// newDaemonWorldFiles is newDaemonWorld with extra files in the repository.
func newDaemonWorldFiles(t *testing.T, extraRepos string, files map[string]string) *daemonWorld {
	t.Helper()
	rl := newRelay(t)
	w := newWorld(t, files, registrytest.WithNotifications("http://"+rl.addr+"/hooks/distribution", hookSecret))
	dir := t.TempDir()
	secret := filepath.Join(dir, "hook-secret")
	if err := os.WriteFile(secret, []byte(hookSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`apiVersion: hoist.dev/v1alpha1
kind: Config
repositories:
  - name: demo
    url: %s
    schedule: "@every 1h"
    author: {name: Image Bot, email: bot@example.com}
%sregistries:
  - host: %q
    insecure: true
webhooks:
  - kind: distribution
    secretFile: %s
`, w.url, extraRepos, w.reg.Host, secret)
	d := &daemonWorld{world: w, addr: rl.addr, relay: rl, config: filepath.Join(dir, "config.yaml")}
	if err := os.WriteFile(d.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return d
}

// listenLine is the daemon's log line that says where it listens.
var listenLine = regexp.MustCompile(`msg="hoist running" listen=(127\.0\.0\.1:[0-9]+)`)

// relay holds a loopback port for the whole test and forwards each
// connection to the daemon behind it, which binds a port of its own
// choosing (--listen 127.0.0.1:0): on a busy machine another process can
// take a port between a test finding it free and a daemon binding it, and
// the registry's notifications must go to an address known before the
// daemon starts (and across its restarts).
type relay struct {
	addr   string
	target atomic.Pointer[string]
}

func newRelay(t *testing.T) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	r := &relay{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go r.pipe(c)
		}
	}()
	return r
}

// point sends the next connections to addr.
func (r *relay) point(addr string) { r.target.Store(&addr) }

func (r *relay) pipe(c net.Conn) {
	defer c.Close()
	to := r.target.Load()
	if to == nil {
		return
	}
	d, err := net.Dial("tcp", *to)
	if err != nil {
		return
	}
	defer d.Close()
	go func() {
		_, _ = io.Copy(d, c)
		_ = d.(*net.TCPConn).CloseWrite()
	}()
	_, _ = io.Copy(c, d)
}

// start runs `hoist run` and waits until it is ready (its first passes
// are done). The process is killed when the test ends.
func (d *daemonWorld) start(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(hoistBin(t), "run", "--config", d.config, "--state-dir", d.stateDir,
		"--listen", "127.0.0.1:0", "--jitter", "0", "--debounce", "50ms", "--log-level", "info")
	return d.startCmd(t, cmd)
}

// startCmd starts a `hoist run` command listening on 127.0.0.1:0, points
// d's relay at the address it bound and waits until it is ready. The process
// is killed when the test ends.
func (d *daemonWorld) startCmd(t *testing.T, cmd *exec.Cmd) *exec.Cmd {
	t.Helper()
	logFile, err := os.Create(filepath.Join(t.TempDir(), "hoist.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("hoist run log:\n%s", b)
		}
	})
	var bound string
	waitFor(t, 60*time.Second, "the daemon to listen", func() bool {
		b, _ := os.ReadFile(logFile.Name())
		if m := listenLine.FindSubmatch(b); m != nil {
			bound = string(m[1])
		}
		return bound != "" || cmd.ProcessState != nil
	})
	d.relay.point(bound)
	waitFor(t, 60*time.Second, "the daemon to be ready", func() bool {
		resp, err := http.Get("http://" + d.addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return cmd
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (d *daemonWorld) apiAt(t *testing.T, tag string) bool {
	t.Helper()
	return strings.Contains(d.showFile(t, "main", "apps/api/deployment.yaml"), d.reg.Repo("acme/api")+":"+tag+" ")
}

func TestRunCommitsOnWebhookAndSurvivesAFailingRepo(t *testing.T) {
	d := newDaemonWorld(t, "  - name: broken\n    url: git://127.0.0.1:1/nothing.git\n    schedule: \"@every 1h\"\n")
	pushDemoTags(t, d.world)
	cmd := d.start(t)
	if !d.apiAt(t, "1.1.0") {
		t.Fatal("the first pass did not move api to 1.1.0")
	}

	// The schedule is hourly: only the registry's webhook can bring this in.
	pushed := time.Now()
	d.push(t, "acme/api", "1.2.0")
	waitFor(t, 30*time.Second, "the webhook's commit", func() bool { return d.apiAt(t, "1.2.0") })
	t.Logf("webhook latency (push done -> commit on the remote): %v", time.Since(pushed))
	author := gittest.Git(t, d.bare, "log", "-1", "--format=%an")
	if author != "Image Bot" {
		t.Errorf("author = %q, want the configured Image Bot", author)
	}

	// The pass is recorded after its commit lands: wait for the metrics, not
	// for the commit.
	body := d.waitMetrics(t, 30*time.Second, map[string]float64{
		`hoist_passes_total{repo="demo",result="committed"}`:                    2,
		`hoist_passes_total{repo="broken",result="failed"}`:                     1,
		`hoist_webhooks_total{kind="distribution",result="accepted"}`:           1,
		`hoist_registry_requests_total{host="` + d.reg.Host + `",status="200"}`: 1,
		`hoist_tags_cached{image="` + d.reg.Repo("acme/api") + `"}`:             5,
	})
	if strings.Contains(body, "s3cret") {
		t.Error("metrics contain the webhook secret")
	}

	// SIGTERM: a clean exit 0.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("hoist run after SIGTERM: %v, want exit 0", err)
	}
}

func TestRunConvergesAfterKill9(t *testing.T) {
	d := newDaemonWorld(t, "")
	pushDemoTags(t, d.world)
	tags := []string{"1.2.0", "1.3.0", "1.4.0"}
	for i, tag := range tags {
		cmd := d.start(t)
		d.push(t, "acme/api", tag)
		time.Sleep(time.Duration(i*40) * time.Millisecond) // kill at different points of the pass
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_, _ = cmd.Process.Wait()
	}
	cmd := d.start(t) // the restarted daemon's first pass catches up
	if !d.apiAt(t, "1.4.0") {
		t.Fatalf("after restarts api is not at 1.4.0:\n%s", d.showFile(t, "main", "apps/api/deployment.yaml"))
	}

	// SIGTERM while the webhook's pass is starting: the pass finishes or
	// never starts, and the daemon exits 0.
	d.push(t, "acme/api", "1.5.0")
	time.Sleep(60 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("hoist run after SIGTERM mid-pass: %v, want exit 0", err)
	}
	d.start(t)
	if !d.apiAt(t, "1.5.0") {
		t.Fatalf("after SIGTERM and restart api is not at 1.5.0:\n%s", d.showFile(t, "main", "apps/api/deployment.yaml"))
	}
	// History is linear and every commit on the remote is a whole pass:
	// each changes only the marked files and says what it changed.
	for _, c := range strings.Fields(gittest.Git(t, d.bare, "rev-list", "main")) {
		if parents := strings.Fields(gittest.Git(t, d.bare, "rev-list", "--parents", "-n1", c)); len(parents) > 2 {
			t.Errorf("merge commit %s on the remote", c)
		}
		files := gittest.Git(t, d.bare, "show", "--name-only", "--format=", c)
		if strings.Contains(gittest.Git(t, d.bare, "log", "-1", "--format=%an", c), "Image Bot") {
			for _, f := range strings.Fields(files) {
				if !strings.HasPrefix(f, "apps/") {
					t.Errorf("hoist commit %s touches %s", c, f)
				}
			}
			if !strings.Contains(gittest.Git(t, d.bare, "log", "-1", "--format=%B", c), "Hoist-Policy:") {
				t.Errorf("hoist commit %s has no trailers", c)
			}
		}
	}
	if reflog := gittest.Git(t, d.bare, "reflog", "show", "main"); strings.Contains(reflog, "forced") {
		t.Errorf("the remote branch was force-updated:\n%s", reflog)
	}
}

// waitMetrics polls the daemon's /metrics until each series in atLeast has
// at least its value, and returns the last body read.
func (d *daemonWorld) waitMetrics(t *testing.T, limit time.Duration, atLeast map[string]float64) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		body, missing := "", ""
		if resp, err := http.Get("http://" + d.addr + "/metrics"); err == nil {
			body = readAll(t, resp)
		}
		for series, want := range atLeast {
			if v, ok := metricValue(body, series); !ok || v < want {
				missing = fmt.Sprintf("%s >= %v", series, want)
				break
			}
		}
		if missing == "" {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v metrics lack %s:\n%s", limit, missing, grepLines(body, "hoist_"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// metricValue returns the value of the sample named exactly series
// (name{labels}) in a Prometheus text exposition.
func metricValue(body, series string) (float64, bool) {
	for _, l := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(l, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b := new(strings.Builder)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
