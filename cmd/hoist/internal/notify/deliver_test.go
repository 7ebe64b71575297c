package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// closedURL is a loopback URL nobody listens on.
func closedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// hang answers nothing until the client gives up (or the test ends).
func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// garbage answers bytes that are not HTTP.
func garbage(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	_, _ = buf.WriteString("\x00\xffSSH-2.0-nope\r\n\r\n")
	_ = buf.Flush()
	conn.Close()
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

// TestFaultyReceivers sends one event to receivers that fail in each way
// the issue names: it is tried as often as the fault allows, then dropped
// and counted, and Notify itself never waits.
func TestFaultyReceivers(t *testing.T) {
	const attempts = 3
	tests := []struct {
		name   string
		answer http.HandlerFunc // nil: nobody listens
		want   map[string]float64
		tries  int // requests the receiver must see
	}{
		{"down", nil, map[string]float64{"failed": 3, "dropped/gave_up": 1}, 0},
		{"slow", hang, map[string]float64{"failed": 3, "dropped/gave_up": 1}, 3},
		{"500", status(500, "upstream broke"), map[string]float64{"failed": 3, "dropped/gave_up": 1}, 3},
		{"429", status(429, "slow down"), map[string]float64{"failed": 3, "dropped/gave_up": 1}, 3},
		{"garbage", garbage, map[string]float64{"failed": 3, "dropped/gave_up": 1}, 3},
		{"404 is not retried", status(404, "no_service"), map[string]float64{"failed": 1, "dropped/gave_up": 1}, 1},
		{"redirect is not followed", status(302, ""), map[string]float64{"failed": 1, "dropped/gave_up": 1}, 1},
		{"garbage with 200 is delivered", status(200, "\x00\x01 not ok"), map[string]float64{"sent": 1}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := closedURL(t)
			var rcv *receiver
			if tc.answer != nil {
				rcv = newReceiver(t, tc.answer)
				url = rcv.URL
			}
			h := start(t, []Destination{{Name: "d", Kind: KindSlack, URL: Value(url)}},
				append(fast(), WithAttempts(attempts), WithTimeout(100*time.Millisecond))...)
			began := time.Now()
			h.Notify(Recovered{Repository: "apps"})
			if took := time.Since(began); took > 50*time.Millisecond {
				t.Errorf("Notify took %v with a %s receiver", took, tc.name)
			}
			h.close(t)
			if diff := cmp.Diff(tc.want, h.counts(t, "d")); diff != "" {
				t.Errorf("counters mismatch (-want +got):\n%s\nlogs:\n%s", diff, h.logs)
			}
			if rcv != nil {
				if got := len(rcv.requests()); got != tc.tries {
					t.Errorf("receiver got %d requests, want %d", got, tc.tries)
				}
			}
		})
	}
}

// TestRetryAfter checks that a 429's Retry-After sets the wait before the
// next attempt, and that the event is then delivered.
func TestRetryAfter(t *testing.T) {
	first := true
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		if first { // one worker: requests come one at a time
			first = false
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
	})
	h := start(t, []Destination{{Name: "d", Kind: KindWebhook, URL: Value(rcv.URL)}}, fast()...)
	h.Notify(Recovered{Repository: "apps"})
	h.close(t)
	reqs := rcv.requests()
	if len(reqs) != 2 {
		t.Fatalf("receiver got %d requests, want 2", len(reqs))
	}
	if gap := reqs[1].at.Sub(reqs[0].at); gap < time.Second {
		t.Errorf("retried after %v, Retry-After asked for 1s", gap)
	}
	if diff := cmp.Diff(map[string]float64{"sent": 1, "failed": 1}, h.counts(t, "d")); diff != "" {
		t.Errorf("counters mismatch (-want +got):\n%s", diff)
	}
}

// TestNotifyOnFullQueue fills a destination's queue behind a receiver that
// holds the first request: the next Notify queues, the one after is
// dropped and counted, and none of them waits.
func TestNotifyOnFullQueue(t *testing.T) {
	release := make(chan struct{})
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	h := start(t, []Destination{{Name: "d", Kind: KindWebhook, URL: Value(rcv.URL)}},
		append(fast(), WithQueueSize(1), WithTimeout(time.Minute))...)
	h.Notify(Recovered{Repository: "apps"})
	<-rcv.got // the worker holds the first event
	returned := make(chan struct{})
	go func() {
		h.Notify(Recovered{Repository: "apps"}) // queued
		h.Notify(Recovered{Repository: "apps"}) // queue full: dropped
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Notify blocked on a full queue")
	}
	close(release)
	h.close(t)
	if diff := cmp.Diff(map[string]float64{"sent": 2, "dropped/queue_full": 1}, h.counts(t, "d")); diff != "" {
		t.Errorf("counters mismatch (-want +got):\n%s", diff)
	}
}

// TestCloseDeadline checks that Close gives up at its deadline, cuts the
// attempt in flight short and counts what was left.
func TestCloseDeadline(t *testing.T) {
	rcv := newReceiver(t, hang)
	h := start(t, []Destination{{Name: "d", Kind: KindWebhook, URL: Value(rcv.URL)}}, WithTimeout(time.Hour))
	h.Notify(Recovered{Repository: "apps"})
	<-rcv.got
	h.Notify(Recovered{Repository: "apps"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := h.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want a deadline error", err)
	}
	h.Notify(Recovered{Repository: "apps"}) // after Close
	want := map[string]float64{"failed": 1, "dropped/closed": 3}
	if diff := cmp.Diff(want, h.counts(t, "d")); diff != "" {
		t.Errorf("counters mismatch (-want +got):\n%s", diff)
	}
}

// TestSecretsNeverShown posts to URLs carrying a token in the host, path,
// query and user info, at receivers that are down, time out, fail and echo
// the request back, and checks the token is in no log line, error or
// metric.
func TestSecretsNeverShown(t *testing.T) {
	const token = "T0KEN-5ecret"
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		fmt.Fprintf(w, "bad request to %s %s", r.URL.String(), r.Header.Get("X-Hoist-Signature"))
	}
	tests := map[string]http.HandlerFunc{"down": nil, "slow": hang, "echo": echo, "garbage": garbage}
	for name, answer := range tests {
		t.Run(name, func(t *testing.T) {
			base := closedURL(t)
			if answer != nil {
				base = newReceiver(t, answer).URL
			}
			urls := []string{
				base + "/services/" + token + "/x?token=" + token,
				strings.Replace(base, "http://", "http://user:"+token+"@", 1) + "/hook",
				"ht!tp://" + token, // not a URL: its parse error would quote it
			}
			var dests []Destination
			for i, u := range urls {
				dests = append(dests, Destination{Name: fmt.Sprint("d", i), Kind: KindWebhook, URL: Value(u), Secret: Value(token)})
			}
			h := start(t, dests, append(fast(), WithAttempts(2), WithTimeout(100*time.Millisecond))...)
			h.Notify(Failing{Repository: "apps", LastError: "boom"})
			h.close(t)
			if !strings.Contains(h.logs.String(), `"destination":"d0"`) {
				t.Fatalf("no delivery logged:\n%s", h.logs)
			}
			if strings.Contains(h.logs.String(), token) {
				t.Errorf("token in logs:\n%s", h.logs)
			}
			mfs, _ := h.reg.Gather()
			if strings.Contains(fmt.Sprint(mfs), token) {
				t.Error("token in metrics")
			}
			for _, d := range h.dests {
				if err := h.post(context.Background(), d, []byte("{}"), "application/json"); err == nil || strings.Contains(err.Error(), token) {
					t.Errorf("post error %v: want an error without the token", err)
				}
			}
		})
	}
}

// TestFilters checks events and repository filters.
func TestFilters(t *testing.T) {
	rcv := newReceiver(t, nil)
	h := start(t, []Destination{
		{Name: "all", Kind: KindWebhook, URL: Value(rcv.URL + "/all")},
		{Name: "failing", Kind: KindWebhook, URL: Value(rcv.URL + "/failing"), Events: []EventType{EventFailing, EventRecovered}},
		{Name: "team", Kind: KindWebhook, URL: Value(rcv.URL + "/team"), Repositories: []string{"team-*", "shared"}},
	}, fast()...)
	for _, e := range []Event{Commit{Repository: "team-a"}, Failing{Repository: "other"}, Hold{Repository: "shared"}, Recovered{Repository: "team-b"}} {
		h.Notify(e)
	}
	h.close(t)
	got := map[string][]string{}
	for _, r := range rcv.requests() {
		var ce struct{ Type, Source string }
		if err := json.Unmarshal(r.body, &ce); err != nil {
			t.Fatal(err)
		}
		got[r.path] = append(got[r.path], ce.Type+" "+ce.Source)
	}
	want := map[string][]string{
		"/all":     {"dev.hoist.commit hoist/team-a", "dev.hoist.failing hoist/other", "dev.hoist.hold hoist/shared", "dev.hoist.recovered hoist/team-b"},
		"/failing": {"dev.hoist.failing hoist/other", "dev.hoist.recovered hoist/team-b"},
		"/team":    {"dev.hoist.commit hoist/team-a", "dev.hoist.hold hoist/shared", "dev.hoist.recovered hoist/team-b"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deliveries mismatch (-want +got):\n%s", diff)
	}
}

// TestNewRefuses checks the destinations New refuses.
func TestNewRefuses(t *testing.T) {
	u := Value("https://example.com/")
	tests := map[string][]Destination{
		"bad name":        {{Name: "a b", Kind: KindSlack, URL: u}},
		"URL as name":     {{Name: "https://hooks.slack.com/x", Kind: KindSlack, URL: u}},
		"duplicate name":  {{Name: "a", Kind: KindSlack, URL: u}, {Name: "a", Kind: KindWebhook, URL: u}},
		"unknown kind":    {{Kind: "email", URL: u}},
		"no URL":          {{Kind: KindSlack}},
		"secret on slack": {{Kind: KindSlack, URL: u, Secret: u}},
		"unknown event":   {{Kind: KindSlack, URL: u, Events: []EventType{"push"}}},
		"bad pattern":     {{Kind: KindSlack, URL: u, Repositories: []string{"["}}},
	}
	for name, dests := range tests {
		if _, err := New(dests); err == nil {
			t.Errorf("%s: New accepted %+v", name, dests)
		}
	}
	n, err := New([]Destination{{Kind: KindSlack, URL: u}, {Kind: KindSlack, URL: u}})
	if err != nil {
		t.Fatalf("default names: %v", err)
	}
	defer n.Close(context.Background())
	if got := []string{n.dests[0].Name, n.dests[1].Name}; !cmp.Equal(got, []string{"slack-0", "slack-1"}) {
		t.Errorf("default names %v", got)
	}
}

// BenchmarkNotify measures Notify with a receiver that never answers and
// a full queue: the cost a pass pays per event.
func BenchmarkNotify(b *testing.B) {
	n, err := New([]Destination{{Name: "d", Kind: KindSlack, URL: Value(closedURL(b))}}, WithQueueSize(10), WithTimeout(time.Hour), WithBackoff(time.Hour, time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		_ = n.Close(ctx)
	}()
	ev := Commit{Repository: "apps", Changes: []Change{{Policy: "p", Image: "i", From: "1", To: "2"}}}
	b.ReportAllocs()
	for b.Loop() {
		n.Notify(ev)
	}
}
