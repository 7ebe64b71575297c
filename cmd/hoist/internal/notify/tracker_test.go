package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTracker feeds pass results and checks which passes cause events.
func TestTracker(t *testing.T) {
	boom := errors.New("boom")
	at := func(min int) time.Time { return fixedNow.Add(time.Duration(min) * time.Minute) }
	type pass struct {
		min int
		err error
	}
	tests := []struct {
		name   string
		passes []pass
		want   []string // "<index> <event>"
	}{
		{"three in a row", []pass{{0, boom}, {1, boom}, {2, boom}, {3, boom}, {4, boom}, {5, nil}, {6, nil}},
			[]string{"2 failing since=0 failures=3", "5 recovered after=5m0s"}},
		{"two, then fine", []pass{{0, boom}, {1, boom}, {2, nil}, {3, boom}, {4, boom}, {5, nil}}, nil},
		{"slow failures cross the duration", []pass{{0, boom}, {16, boom}, {40, nil}},
			[]string{"1 failing since=0 failures=2", "2 recovered after=40m0s"}},
		{"fails again after recovering", []pass{{0, boom}, {1, boom}, {2, boom}, {3, nil}, {4, boom}, {5, boom}, {6, boom}},
			[]string{"2 failing since=0 failures=3", "3 recovered after=3m0s", "6 failing since=4 failures=3"}},
		{"success alone", []pass{{0, nil}, {1, nil}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := NewTracker()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, p := range tc.passes {
				tr.Observe("other", at(p.min), boom) // another repository never interferes
				switch e := tr.Observe("apps", at(p.min), p.err).(type) {
				case nil:
				case Failing:
					got = append(got, fmt.Sprintf("%d failing since=%d failures=%d", i, int(e.Since.Sub(fixedNow).Minutes()), e.Failures))
				case Recovered:
					got = append(got, fmt.Sprintf("%d recovered after=%v", i, e.After))
				default:
					t.Fatalf("unexpected event %T", e)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFailingThenRecovering runs a repository that fails for a while and
// then recovers through a Tracker and a Notifier to a real receiver: it
// gets exactly one failing and one recovered event.
func TestFailingThenRecovering(t *testing.T) {
	rcv := newReceiver(t, nil)
	h := start(t, []Destination{{Name: "ops", Kind: KindWebhook, URL: Value(rcv.URL), Events: []EventType{EventFailing, EventRecovered}}}, fast()...)
	tr, err := NewTracker(WithFailures(3), WithFailingAfter(15*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		var err error
		if i < 9 {
			err = fmt.Errorf("pass %d: git: connection refused", i)
		}
		if ev := tr.Observe("apps", fixedNow.Add(time.Duration(i)*time.Minute), err); ev != nil {
			h.Notify(ev)
		}
	}
	h.close(t)
	var got []string
	for _, r := range rcv.requests() {
		var ce struct {
			Type string
			Data map[string]any
		}
		if err := json.Unmarshal(r.body, &ce); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(ce.Type, " ", ce.Data))
	}
	want := []string{
		"dev.hoist.failing map[failures:3 lastError:pass 2: git: connection refused repository:apps since:2026-03-01T12:00:00Z]",
		"dev.hoist.recovered map[afterSeconds:540 repository:apps]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
}
