package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestDaemon returns a daemon (not running) logging to the returned
// buffer.
func newTestDaemon(t *testing.T, opts ...Option) (*Daemon, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	opts = append([]Option{WithLogger(slog.New(slog.NewTextHandler(logs, nil)))}, opts...)
	d, err := New([]Repo{{Name: "a", Schedule: "@hourly", Run: newRecorder().run}}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return d, logs
}

// webhookSeries returns the label pairs of every hoist_webhooks_total series.
func webhookSeries(t testing.TB, m *Metrics) []string {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range families {
		if f.GetName() != "hoist_webhooks_total" {
			continue
		}
		for _, metric := range f.GetMetric() {
			var labels []string
			for _, l := range metric.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out = append(out, strings.Join(labels, ","))
		}
	}
	return out
}

// webhookSeriesCount counts the hoist_webhooks_total series (cheaper than
// gathering the registry).
func webhookSeriesCount(m *Metrics) int {
	ch := make(chan prometheus.Metric, 64)
	go func() {
		m.webhooks.Collect(ch)
		close(ch)
	}()
	n := 0
	for range ch {
		n++
	}
	return n
}

func TestHookKindAndQuoted(t *testing.T) {
	for _, tc := range []struct{ raw, kind string }{
		{"distribution", "distribution"}, {"dockerhub", "dockerhub"}, {"generic", "generic"},
		{"github", "github"}, {"harbor", "harbor"}, {"quay", "quay"},
		{"GitHub", "unknown"}, {"", "unknown"}, {strings.Repeat("x", 2000), "unknown"},
	} {
		if got := hookKind(tc.raw); got != tc.kind {
			t.Errorf("hookKind(%.20q) = %q, want %q", tc.raw, got, tc.kind)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"quay", `"quay"`},
		{"a\nb\x1b", `"a\nb\x1b"`},
		{"abcdefgh", `"abcd"...(4 more bytes)`},
		{"abcé", `"abc"...(2 more bytes)`}, // never cuts a rune in two
	} {
		if diff := cmp.Diff(tc.want, quoted(tc.in, 4)); diff != "" {
			t.Errorf("quoted(%q, 4) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}

func randomKind(r *rand.Rand, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

func TestWebhookFloodKeepsSeriesAndLogsBounded(t *testing.T) {
	d, logs := newTestDaemon(t, WithHTTPLimits(HTTPLimits{RejectLogs: 5, RejectLogInterval: time.Hour}))
	m := NewMetrics()
	h := Handler(d, m, func(string, *http.Request) ([]string, error) {
		t.Error("the hook ran for an unknown kind")
		return nil, errors.New("unreachable")
	})
	want := webhookSeries(t, m)
	if len(want) != 7*3 { // 6 kinds and "unknown", 3 results
		t.Fatalf("webhook series before the flood = %d, want 21:\n%s", len(want), strings.Join(want, "\n"))
	}
	r := rand.New(rand.NewPCG(1, 2))
	var kinds []string
	for range 1000 {
		kind := randomKind(r, 2000)
		kinds = append(kinds, kind)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/hooks/"+kind, strings.NewReader("{}")))
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), kind[:100]) {
			t.Fatalf("POST /hooks/<random> = %d %.200s, want 404 without the kind", rec.Code, rec.Body)
		}
	}
	if diff := cmp.Diff(want, webhookSeries(t, m)); diff != "" {
		t.Errorf("webhook series changed (-want +got):\n%s", diff)
	}
	if body := scrape(t, h, "/metrics"); !strings.Contains(body, `hoist_webhooks_total{kind="unknown",result="rejected"} 1000`) {
		t.Errorf("metrics lack 1000 unknown rejected webhooks:\n%s", grep(body, "hoist_webhooks_total"))
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 5 || len(logs.String()) > 5*400 {
		t.Errorf("log has %d lines, %d bytes; want 5 lines under 400 bytes each:\n%s", len(lines), len(logs.String()), logs)
	}
	for _, kind := range kinds[:5] {
		if strings.Contains(logs.String(), kind[:maxLogged+1]) {
			t.Errorf("log holds more than %d raw bytes of a kind", maxLogged)
		}
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestRejectLogReportsDropped(t *testing.T) {
	logs := &syncBuffer{}
	l := newRejectLog(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == slog.LevelKey {
				return slog.Attr{}
			}
			return a
		}})), HTTPLimits{RejectLogs: 2, RejectLogInterval: time.Minute})
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	for i := range 5 {
		l.warn("webhook rejected", "n", i)
	}
	now = now.Add(time.Minute)
	l.warn("webhook rejected", "n", 5)
	want := `msg="webhook rejected" n=0
msg="webhook rejected" n=1
msg="dropped rejected-request logs" count=3
msg="webhook rejected" n=5
`
	if diff := cmp.Diff(want, logs.String()); diff != "" {
		t.Errorf("log mismatch (-want +got):\n%s", diff)
	}
}

// serve serves Server(d, m, hook) on a loopback port until the test ends and
// returns its address.
func serve(t *testing.T, d *Daemon, m *Metrics, hook HookFunc) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := Server(d, m, hook)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

func TestSlowBodyIsCutOff(t *testing.T) {
	d, _ := newTestDaemon(t, WithHTTPLimits(HTTPLimits{ReadTimeout: 300 * time.Millisecond, MaxConcurrentHooks: 1}))
	hookErrs := make(chan error, 10)
	addr := serve(t, d, NewMetrics(), func(_ string, r *http.Request) ([]string, error) {
		_, err := io.ReadAll(r.Body)
		hookErrs <- err
		return []string{"x/app"}, err
	})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers promise 1000 bytes; 3 come, then nothing.
	if _, err := fmt.Fprint(conn, "POST /hooks/generic HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second)) // the test's own bound
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("server held the slow connection for %v: %v", time.Since(start).Round(time.Millisecond), err)
	}
	select {
	case err := <-hookErrs:
		t.Errorf("the hook was called for a body that never arrived (read error %v)", err)
	default: // bodies are read before the hook runs
	}
	// The slot the slow request held is free again.
	resp, err := http.Post("http://"+addr+"/hooks/generic", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("POST after the cut-off = %d, want 202", resp.StatusCode)
	}
}

// TestSlowBodiesDoNotBlockHooks: clients that send their bodies slowly hold
// a reading slot (for at most HookBodyTimeout), never the slots that handle
// webhooks: a registry's webhook still gets through beside as many slow
// senders as there are handling slots.
func TestSlowBodiesDoNotBlockHooks(t *testing.T) {
	d, _ := newTestDaemon(t, WithHTTPLimits(HTTPLimits{MaxConcurrentHooks: 2}))
	h := Handler(d, NewMetrics(), func(_ string, r *http.Request) ([]string, error) {
		_, err := io.ReadAll(r.Body) // as the registry parsers do
		return []string{"x/app"}, err
	})
	reading := make(chan struct{}, 2)
	done := make(chan int, 2)
	for range 2 {
		pr, pw := io.Pipe()
		defer pw.Close()
		go func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/hooks/generic", &signalReader{r: pr, first: reading}))
			done <- rec.Code
		}()
	}
	<-reading // both slow bodies are being read
	<-reading
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/hooks/generic", strings.NewReader("{}")))
	if rec.Code != http.StatusAccepted {
		t.Errorf("a webhook beside two slow senders = %d, want 202", rec.Code)
	}
}

// signalReader signals first once, at its first Read.
type signalReader struct {
	r     io.Reader
	first chan<- struct{}
	sent  bool
}

func (s *signalReader) Read(p []byte) (int, error) {
	if !s.sent {
		s.sent = true
		s.first <- struct{}{}
	}
	return s.r.Read(p)
}

func TestHookConcurrencyCapAnswers503(t *testing.T) {
	d, _ := newTestDaemon(t, WithHTTPLimits(HTTPLimits{MaxConcurrentHooks: 2}))
	entered, release := make(chan struct{}, 10), make(chan struct{})
	addr := serve(t, d, NewMetrics(), func(string, *http.Request) ([]string, error) {
		entered <- struct{}{}
		<-release
		return []string{"x/app"}, nil
	})
	client := &http.Client{Timeout: 20 * time.Second}
	post := func() (int, error) {
		resp, err := client.Post("http://"+addr+"/hooks/generic", "application/json", strings.NewReader("{}"))
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	codes := make(chan int, 2)
	for range 2 {
		go func() {
			code, err := post()
			if err != nil {
				t.Error(err)
			}
			codes <- code
		}()
	}
	<-entered
	<-entered
	if code, err := post(); err != nil || code != http.StatusServiceUnavailable {
		t.Errorf("third concurrent hook = %d, %v; want 503 at once", code, err)
	}
	close(release)
	for range 2 {
		if code := <-codes; code != http.StatusAccepted {
			t.Errorf("held hook = %d, want 202", code)
		}
	}
	if code, err := post(); err != nil || code != http.StatusAccepted {
		t.Errorf("hook after the others finished = %d, %v; want 202", code, err)
	}
}

func TestHookBodyLimitAnswers413(t *testing.T) {
	d, _ := newTestDaemon(t, WithHTTPLimits(HTTPLimits{MaxHookBody: 10}))
	h := Handler(d, NewMetrics(), func(_ string, r *http.Request) ([]string, error) {
		if _, err := io.ReadAll(r.Body); err != nil {
			return nil, fmt.Errorf("reading body: %w", err)
		}
		return nil, nil
	})
	for body, want := range map[string]int{"0123456789": http.StatusAccepted, "0123456789x": http.StatusRequestEntityTooLarge} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/hooks/generic", strings.NewReader(body)))
		if rec.Code != want {
			t.Errorf("POST %d bytes = %d, want %d", len(body), rec.Code, want)
		}
	}
}

func TestWithHTTPLimitsRejectsNegative(t *testing.T) {
	if _, err := New([]Repo{{Name: "a", Schedule: "@hourly", Run: newRecorder().run}},
		WithHTTPLimits(HTTPLimits{ReadTimeout: -1})); err == nil {
		t.Error("New accepted a negative read timeout")
	}
}

// FuzzWebhookPath sends POST /hooks/<path> through the handler: it must not
// panic, pass only known kinds to the hook, add no metric series and log no
// more than maxLogged raw bytes of the path.
func FuzzWebhookPath(f *testing.F) {
	for _, s := range []string{"generic", "dockerhub/t0ken", "quay/a/b", "", "..", "%2e%2e/x", "ünknown", "a\x00b", strings.Repeat("k", 300)} {
		f.Add(s)
	}
	logs := &syncBuffer{}
	d, err := New([]Repo{{Name: "a", Schedule: "@hourly", Run: newRecorder().run}},
		WithLogger(slog.New(slog.NewTextHandler(logs, nil))), WithHTTPLimits(HTTPLimits{RejectLogs: 1 << 30}))
	if err != nil {
		f.Fatal(err)
	}
	m := NewMetrics()
	series := webhookSeriesCount(m)
	var badKind string // a kind the hook was wrongly called with
	h := Handler(d, m, func(kind string, _ *http.Request) ([]string, error) {
		if hookKind(kind) != kind {
			badKind = kind
		}
		if kind == "generic" {
			return []string{"x/app"}, nil
		}
		return nil, errors.New("bad payload")
	})
	f.Fuzz(func(t *testing.T, p string) {
		logs.mu.Lock()
		logs.buf.Reset()
		logs.mu.Unlock()
		req := httptest.NewRequest("POST", "/hooks/x", strings.NewReader("{}"))
		req.URL = &url.URL{Path: "/hooks/" + p}
		req.RequestURI = req.URL.RequestURI()
		h.ServeHTTP(httptest.NewRecorder(), req)
		if badKind != "" {
			t.Fatalf("hook called with kind %q", badKind)
		}
		if n := webhookSeriesCount(m); n != series {
			t.Fatalf("webhook series = %d, want %d", n, series)
		}
		if len(p) > 2*maxLogged && strings.Contains(logs.String(), p) {
			t.Fatalf("log holds the raw path %.80q...", p)
		}
		if n := len(logs.String()); n > 1000 {
			t.Fatalf("one request logged %d bytes", n)
		}
	})
}
