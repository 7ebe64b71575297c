package gitwriter

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestClosedEarly(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("clone ssh://git@h/r.git: %w", fmt.Errorf("closing input: %s", io.EOF)), true}, // as go-git v5 words it
		{io.EOF, false},
		{errors.New("closing input: broken pipe"), false},
		{errors.New("authentication required"), false},
		{nil, false},
	} {
		if got := closedEarly(tc.err); got != tc.want {
			t.Errorf("closedEarly(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
