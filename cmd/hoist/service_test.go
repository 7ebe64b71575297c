package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/daemon"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
)

// TestStageError: a pass that failed in a stage is counted under that
// stage, even inside gitwriter's wrapping; anything else is git's.
func TestStageError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("editing worktree: %w", &pass.Error{Stage: "policy", Err: pass.ErrOutsideWorktree}), "policy"},
		{fmt.Errorf("editing worktree: %w", &pass.Error{Stage: "yamlpatch", Err: errors.New("disk full")}), "yamlpatch"},
		{errors.New("push: connection refused"), "git"},
	} {
		var se *daemon.StageError
		if !errors.As(stageError(tc.err), &se) || se.Stage != tc.want {
			t.Errorf("stageError(%v) = %v, want stage %s", tc.err, se, tc.want)
		}
		if !errors.Is(stageError(tc.err), tc.err) {
			t.Errorf("stageError(%v) lost the error", tc.err)
		}
	}
}

// TestServiceTellsFailingOnceAndRecovered: a repository's failing passes
// give one failing event, and its next success one recovered event.
func TestServiceTellsFailingOnceAndRecovered(t *testing.T) {
	types := make(chan string, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct{ Type string }
		_ = json.NewDecoder(r.Body).Decode(&ev)
		types <- ev.Type
	}))
	defer rcv.Close()
	t.Setenv("HOIST_TEST_HOOK_URL", rcv.URL)
	cfg := &config.Config{
		Repositories:         []config.Repository{{Name: "demo", URL: "file:///nowhere"}},
		Notifications:        []config.Notification{{Kind: "webhook", URLEnv: "HOIST_TEST_HOOK_URL", Events: []string{"failing", "recovered"}}},
		NotificationSettings: config.NotificationSettings{FailingAfterFailures: 2, FailingAfter: "1h"},
	}
	s, err := newService(cfg, t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.startNotifier(nil); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		s.observe("demo", errors.New("push: connection refused"))
	}
	s.observe("demo", nil)
	s.observe("demo", nil)
	s.close() // delivers what is queued
	close(types)
	var got []string
	for ty := range types {
		got = append(got, ty)
	}
	if diff := cmp.Diff([]string{"dev.hoist.failing", "dev.hoist.recovered"}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
