package main

import (
	"errors"
	"fmt"
	"testing"

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
