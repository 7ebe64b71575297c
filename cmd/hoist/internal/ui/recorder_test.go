package ui

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func newTestRecorder(t *testing.T, cfg RecorderConfig) *Recorder {
	t.Helper()
	cfg.Now = func() time.Time { return now }
	r, err := NewRecorder([]Repo{
		{Name: "demo", URL: "https://bot:tok3n@git.example.com/acme/gitops.git?x=1"},
		{Name: "platform", URL: "git@git.example.com:acme/platform.git"},
	}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRecorderRecords(t *testing.T) {
	r := newTestRecorder(t, RecorderConfig{})
	start := now.Add(-time.Minute)
	r.Record("demo", Record{Start: start, Duration: time.Second, Changes: 1,
		Commit:   &Commit{SHA: "abc", Subject: "Update apps:api to 1.5.0\n\nHoist-Policy: apps:api"},
		Policies: []Policy{{ID: "apps:api", Selected: "1.5.0"}}, Problems: []Problem{{Message: "x.yaml:1: bad"}},
		Events: []Event{{Commit: "abc", Policy: "apps:api", To: "1.5.0", Kind: Update}}})
	r.Record("platform", Record{Start: start, Err: errors.New("git: fetching https://bot:pw@h/x: refused")})
	r.Record("unknown", Record{Start: start}) // dropped: not configured
	r.Schedule("platform", now.Add(time.Minute), &Backoff{Until: now.Add(time.Minute), Failures: 1})
	r.SetOwner("demo", "hoist-0")
	r.SetReplica("hoist-0")

	want := Status{GeneratedAt: now, Replica: "hoist-0", Repositories: []Repository{{
		Name: "demo", URL: "https://git.example.com/acme/gitops.git", Owner: "hoist-0",
		LastPass:   &Pass{Start: start, Duration: time.Second, Result: Committed, Changes: 1},
		LastCommit: &Commit{SHA: "abc", Subject: "Update apps:api to 1.5.0"},
		Policies:   []Policy{{ID: "apps:api", Selected: "1.5.0"}}, Problems: []Problem{{Message: "x.yaml:1: bad"}},
		History: []Event{{Commit: "abc", Policy: "apps:api", To: "1.5.0", Kind: Update}},
		Passes:  []PassPoint{{Time: start, Changes: 1}},
	}, {
		Name: "platform", URL: "git.example.com:acme/platform.git",
		LastPass: &Pass{Start: start, Result: Failed, Error: "git: fetching https://h/x: refused"},
		NextPass: now.Add(time.Minute), Backoff: &Backoff{Until: now.Add(time.Minute), Failures: 1},
		History: []Event{}, Passes: []PassPoint{{Time: start, Failed: true}},
	}}}
	if diff := cmp.Diff(want, r.Status(t.Context())); diff != "" {
		t.Errorf("Status mismatch (-want +got):\n%s", diff)
	}
}

func TestRecorderKeepsPolicies(t *testing.T) {
	r := newTestRecorder(t, RecorderConfig{})
	r.Record("demo", Record{Start: now, Policies: []Policy{{ID: "a"}}})
	r.Record("demo", Record{Start: now, Err: errors.New("fetch failed")}) // read no policies
	got := r.Status(t.Context()).Repositories[0]
	if diff := cmp.Diff([]Policy{{ID: "a"}}, got.Policies); diff != "" {
		t.Errorf("policies after a failed pass mismatch (-want +got):\n%s", diff)
	}
	got.Policies[0].ID = "changed by the caller"
	if id := r.Status(t.Context()).Repositories[0].Policies[0].ID; id != "a" {
		t.Errorf("Status shares its slices: policy ID became %q", id)
	}
}

// TestRecorderBounded records far more than it keeps: its memory does not
// grow with the number of passes, events or names recorded.
func TestRecorderBounded(t *testing.T) {
	r := newTestRecorder(t, RecorderConfig{Points: 10, History: 5})
	for i := range 1000 {
		at := now.Add(time.Duration(i-1000) * time.Minute)
		r.Record("demo", Record{Start: at, Changes: 1, Events: []Event{
			{Commit: fmt.Sprint(i), Kind: Update}, {Commit: fmt.Sprint(i - 1), Kind: Update}}})
		r.Record(fmt.Sprint("repo-", i), Record{Start: at})
	}
	st := r.Status(t.Context())
	if len(st.Repositories) != 2 {
		t.Fatalf("%d repositories, want 2", len(st.Repositories))
	}
	demo := st.Repositories[0]
	if len(demo.Passes) != 10 || !demo.Passes[9].Time.Equal(now.Add(-time.Minute)) {
		t.Errorf("kept %d passes ending %v, want the last 10", len(demo.Passes), demo.Passes[len(demo.Passes)-1].Time)
	}
	var commits []string
	for _, e := range demo.History {
		commits = append(commits, e.Commit)
	}
	if diff := cmp.Diff([]string{"999", "998", "997", "996", "995"}, commits); diff != "" {
		t.Errorf("history mismatch (-want +got):\n%s", diff)
	}
}

func TestNewRecorderRejects(t *testing.T) {
	for name, tc := range map[string]struct {
		repos []Repo
		cfg   RecorderConfig
	}{
		"duplicate": {[]Repo{{Name: "a"}, {Name: "a"}}, RecorderConfig{}},
		"negative":  {nil, RecorderConfig{Points: -1}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewRecorder(tc.repos, tc.cfg); err == nil {
				t.Error("NewRecorder succeeded, want an error")
			}
		})
	}
}

func TestRecorderServes(t *testing.T) {
	r := newTestRecorder(t, RecorderConfig{})
	r.Record("demo", Record{Start: now.Add(-time.Minute), Changes: 2, Commit: &Commit{SHA: "abc"}})
	_, body := get(t, Handler(r), "/")
	for _, want := range []string{"demo", "platform", "committed", "https://git.example.com/acme/gitops.git"} {
		if !contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestRecorderConcurrent(t *testing.T) {
	r := newTestRecorder(t, RecorderConfig{Points: 5})
	h := Handler(r)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 50 {
				r.Record("demo", Record{Start: now, Changes: j, Policies: []Policy{{ID: fmt.Sprint(i)}}})
				r.Schedule("platform", now, nil)
			}
		})
		wg.Go(func() {
			for range 20 {
				get(t, h, "/api/v1/status")
			}
		})
	}
	wg.Wait()
	if n := len(r.Status(t.Context()).Repositories[0].Passes); n != 5 {
		t.Errorf("kept %d passes, want 5", n)
	}
}
