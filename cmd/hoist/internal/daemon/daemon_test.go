package daemon

import (
	"context"
	"errors"
	"fmt"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recorder is a RunFunc that records its passes and can block them.
type recorder struct {
	mu     sync.Mutex
	passes int
	images []string
	err    error
	gate   chan struct{} // when non-nil, each pass waits for a value (or ctx)
	ran    chan string   // receives each pass id when it starts
	ctxErr error         // the ctx error the last pass saw on return
	pushed [][]string    // each pass's Pass.Pushed
}

func newRecorder(images ...string) *recorder {
	return &recorder{images: images, ran: make(chan string, 100)}
}

func (r *recorder) run(ctx context.Context, p Pass) (Result, error) {
	r.ran <- p.ID
	r.mu.Lock()
	r.pushed = append(r.pushed, p.Pushed)
	r.mu.Unlock()
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-ctx.Done():
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.passes++
	r.ctxErr = ctx.Err()
	return Result{Images: r.images, Changes: 1}, r.err
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.passes
}

// waitPass waits for the next pass to start and returns its id.
func waitPass(t *testing.T, r *recorder) string {
	t.Helper()
	select {
	case id := <-r.ran:
		return id
	case <-time.After(10 * time.Second):
		t.Fatal("no pass started within 10s")
		return ""
	}
}

func noPass(t *testing.T, r *recorder, within time.Duration) {
	t.Helper()
	select {
	case id := <-r.ran:
		t.Fatalf("unexpected pass %s", id)
	case <-time.After(within):
	}
}

// start runs a daemon over repos until the test ends. The returned channel
// yields Run's result, then is closed.
func start(t *testing.T, repos []Repo, opts ...Option) (*Daemon, context.CancelFunc, <-chan error) {
	t.Helper()
	d, err := New(repos, append([]Option{WithJitter(0), WithDebounce(50 * time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- d.Run(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		for range done {
		}
	})
	return d, cancel, done
}

func TestFirstPassThenWebhookTriggersOnlyUsers(t *testing.T) {
	api, web := newRecorder("r.example/acme/api"), newRecorder("r.example/acme/web")
	d, _, _ := start(t, []Repo{
		{Name: "api", Schedule: "@every 1h", Run: api.run},
		{Name: "web", Schedule: "@every 1h", Run: web.run},
	}, WithDebounce(500*time.Millisecond))
	if got := waitPass(t, api); got != "api-1" {
		t.Errorf("first pass id = %q, want api-1", got)
	}
	waitPass(t, web)
	waitReady(t, d)

	// A burst of pushes to the API image makes one pass of the API repo only
	// (the debounce is long enough for a loaded machine to send the burst).
	for range 5 {
		if diff := cmp.Diff([]string{"api"}, d.Trigger([]string{"r.example/acme/api"})); diff != "" {
			t.Fatalf("Trigger mismatch (-want +got):\n%s", diff)
		}
	}
	waitPass(t, api)
	noPass(t, api, 800*time.Millisecond) // longer than the debounce a late kick would wait
	noPass(t, web, 0)
	if got := d.Trigger([]string{"r.example/other"}); len(got) != 0 {
		t.Errorf("Trigger(other) = %v, want none", got)
	}
}

// TestWebhookPassesSayWhatWasPushed: a pass only webhooks asked for names
// the pushed images (all the webhooks of a burst, and those that came while
// a pass ran), so the runner may take the others' tags from its cache; the
// first pass, one that a start or schedule kick joined and the pass after a
// failure list everything.
func TestWebhookPassesSayWhatWasPushed(t *testing.T) {
	r := newRecorder("img/a", "img/b", "img/c")
	r.gate = make(chan struct{})
	d, _, _ := start(t, []Repo{{Name: "a", Schedule: "@every 1h", Run: r.run}}, WithBackoff(time.Millisecond, time.Millisecond))
	waitPass(t, r)
	d.Trigger([]string{"img/b"}) // while the first pass runs
	d.Trigger([]string{"img/a", "img/x"})
	r.gate <- struct{}{}
	waitPass(t, r)
	r.mu.Lock()
	r.err = errors.New("push refused")
	r.mu.Unlock()
	r.gate <- struct{}{}
	d.Trigger([]string{"img/c"})
	waitPass(t, r)
	r.mu.Lock()
	r.err = nil
	r.mu.Unlock()
	r.gate <- struct{}{}
	d.Trigger([]string{"img/c"})
	waitPass(t, r)
	d.workers[0].kick(kickStart) // as Rebalance does when this replica takes the repository over
	d.Trigger([]string{"img/a"})
	r.gate <- struct{}{}
	waitPass(t, r)
	r.gate <- struct{}{}
	waitReady(t, d)
	r.mu.Lock()
	defer r.mu.Unlock()
	want := [][]string{nil, {"img/a", "img/b", "img/x"}, nil, {"img/c"}, nil}
	if diff := cmp.Diff(want, r.pushed); diff != "" {
		t.Errorf("passes' pushed images mismatch (-want +got):\n%s", diff)
	}
}

func TestFailingRepoDoesNotStopOthersAndBacksOff(t *testing.T) {
	bad, good := newRecorder("x/bad"), newRecorder("x/good")
	bad.err = &StageError{Stage: "git", Err: errors.New("remote down")}
	m := NewMetrics()
	start(t, []Repo{
		{Name: "bad", Schedule: "@every 1s", Run: bad.run},
		{Name: "good", Schedule: "@every 1s", Run: good.run},
	}, WithMetrics(m), WithBackoff(time.Hour, time.Hour))
	waitPass(t, bad)
	for range 2 { // the first pass and at least one scheduled one
		waitPass(t, good)
	}
	noPass(t, bad, 1500*time.Millisecond) // backing off: scheduled passes wait
	// A pass is recorded after it returns: wait for the metrics, not the pass.
	waitMetrics(t, Handler(&Daemon{}, m, nil), `hoist_errors_total{repo="bad",stage="git"} 1`,
		`hoist_passes_total{repo="bad",result="failed"} 1`, `hoist_last_success_timestamp_seconds{repo="good"}`)
}

// waitReady waits until every repository's first pass is done.
func waitReady(t *testing.T, d *Daemon) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !d.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("the daemon was not ready within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitMetrics polls h's /metrics until it holds every line of want.
func waitMetrics(t *testing.T, h http.Handler, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		body, missing := scrape(t, h, "/metrics"), ""
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics lack %q after 10s:\n%s", missing, grep(body, "hoist_"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFailedPassCountsUnderItsInnermostStage(t *testing.T) {
	policy := &StageError{Stage: "policy", Err: errors.New("bad policy")}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"no stage", errors.New("disk full"), StagePass},
		{"stage", &StageError{Stage: "registry", Err: errors.New("401")}, "registry"},
		{"wrapped stage", fmt.Errorf("pass 3: %w", &StageError{Stage: "git", Err: errors.New("push")}), "git"},
		{"policy error through git's edit callback", &StageError{Stage: "git", Err: fmt.Errorf("editing: %w", policy)}, "policy"},
		{"empty stage", &StageError{Err: errors.New("x")}, StagePass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMetrics()
			m.observe("r", Result{}, tc.err, time.Second)
			want := `hoist_errors_total{repo="r",stage="` + tc.want + `"} 1`
			if body := scrape(t, Handler(&Daemon{}, m, nil), "/metrics"); !strings.Contains(body, want) {
				t.Errorf("metrics lack %s:\n%s", want, grep(body, "hoist_errors_total"))
			}
		})
	}
}

func TestShutdownLetsInFlightPassFinish(t *testing.T) {
	r := newRecorder()
	r.gate = make(chan struct{})
	_, cancel, done := start(t, []Repo{{Name: "a", Schedule: "@every 1h", Run: r.run}}, WithDrain(time.Minute))
	waitPass(t, r)
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned while a pass was in flight")
	case <-time.After(200 * time.Millisecond):
	}
	r.gate <- struct{}{}
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if r.count() != 1 || r.ctxErr != nil {
		t.Errorf("passes = %d, ctx error = %v; want 1 pass that finished uncancelled", r.count(), r.ctxErr)
	}
}

func TestShutdownCancelsPassAfterDrain(t *testing.T) {
	r := newRecorder()
	r.gate = make(chan struct{}) // never released
	_, cancel, done := start(t, []Repo{{Name: "a", Schedule: "@every 1h", Run: r.run}}, WithDrain(100*time.Millisecond))
	waitPass(t, r)
	cancel()
	<-done
	if !errors.Is(r.ctxErr, context.Canceled) {
		t.Errorf("pass ctx error = %v, want context.Canceled after the drain", r.ctxErr)
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	run := newRecorder().run
	for name, repos := range map[string][]Repo{
		"bad schedule": {{Name: "a", Schedule: "every day", Run: run}},
		"duplicate":    {{Name: "a", Schedule: "@hourly", Run: run}, {Name: "a", Schedule: "@hourly", Run: run}},
		"none":         nil,
	} {
		if _, err := New(repos); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
}

func TestHandler(t *testing.T) {
	r := newRecorder("r.example/acme/api")
	r.gate = make(chan struct{})
	m := NewMetrics()
	d, _, _ := start(t, []Repo{{Name: "a", Schedule: "@every 1h", Run: r.run}}, WithMetrics(m))
	hook := func(kind string, req *http.Request) ([]string, error) {
		b, _ := io.ReadAll(req.Body)
		if kind == "dockerhub" && req.URL.Path == "/hooks/dockerhub/t0ken" {
			return []string{"r.example/acme/api"}, nil
		}
		if kind != "generic" || string(b) != "ok" {
			return nil, errors.New("bad payload")
		}
		return []string{"r.example/acme/api"}, nil
	}
	srv := httptest.NewServer(Handler(d, m, hook))
	defer srv.Close()
	waitPass(t, r)
	check := func(method, path, body string, want int) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s %s = %d, want %d", method, path, resp.StatusCode, want)
		}
	}
	check("GET", "/healthz", "", 200)
	check("GET", "/readyz", "", 503) // first pass still running
	r.gate <- struct{}{}
	waitReady(t, d)
	check("GET", "/readyz", "", 200)
	check("POST", "/hooks/generic", "nope", 400)
	check("POST", "/hooks/generic", "ok", 202)
	waitPass(t, r)
	r.gate <- struct{}{}
	check("POST", "/hooks/dockerhub/t0ken", "{}", 202)
	waitPass(t, r)
	r.gate <- struct{}{}
	if body := scrape(t, Handler(d, m, hook), "/metrics"); !strings.Contains(body, `hoist_webhooks_total{kind="generic",result="rejected"} 1`) {
		t.Errorf("metrics lack the rejected webhook:\n%s", body)
	}
}

func scrape(t *testing.T, h http.Handler, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Body.String()
}

func TestWebhookDuringBackoffRunsWhenItEnds(t *testing.T) {
	r := newRecorder("x/app")
	r.err = errors.New("remote down")
	d, _, _ := start(t, []Repo{{Name: "a", Schedule: "@every 1h", Run: r.run}}, WithBackoff(time.Second, time.Second))
	waitPass(t, r)
	waitReady(t, d)
	r.mu.Lock()
	r.err = nil
	r.mu.Unlock()
	d.Trigger([]string{"x/app"})
	noPass(t, r, 300*time.Millisecond) // still backing off
	waitPass(t, r)                     // the webhook was kept, not dropped
}

// TestMetricsHeldAndPullRequests: a pass's holds set the gauge, and its
// pull request actions count, unknown actions as "other".
func TestMetricsHeldAndPullRequests(t *testing.T) {
	m := NewMetrics()
	m.observe("fleet", Result{Held: 2, PullRequests: []string{"opened", "bogus"}}, nil, time.Second)
	m.observe("fleet", Result{Held: 1, PullRequests: []string{"updated"}}, nil, time.Second)
	for series, want := range map[prometheus.Collector]float64{
		m.held.WithLabelValues("fleet"):             1,
		m.pulls.WithLabelValues("fleet", "opened"):  1,
		m.pulls.WithLabelValues("fleet", "other"):   1,
		m.pulls.WithLabelValues("fleet", "updated"): 1,
		m.pulls.WithLabelValues("fleet", "closed"):  0,
	} {
		if got := testutil.ToFloat64(series); got != want {
			t.Errorf("%v = %v, want %v", series, got, want)
		}
	}
}
