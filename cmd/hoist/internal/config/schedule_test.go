package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseSchedule(t *testing.T) {
	from := time.Date(2026, 3, 4, 10, 7, 30, 0, time.UTC)
	tests := []struct {
		spec    string
		want    time.Time
		wantErr string
	}{
		{spec: "@every 5m", want: from.Add(5 * time.Minute)},
		{spec: "*/10 * * * *", want: time.Date(2026, 3, 4, 10, 10, 0, 0, time.UTC)},
		{spec: "@hourly", want: time.Date(2026, 3, 4, 11, 0, 0, 0, time.UTC)},
		{spec: "CRON_TZ=UTC 0 12 * * *", want: time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)},
		{spec: "@every 1s", want: from.Add(time.Second)},
		{spec: "", wantErr: "empty spec string"},
		{spec: "@every 999ms", wantErr: "@every interval must be at least 1s"},
		{spec: "@every -5m", wantErr: "@every interval must be at least 1s"},
		{spec: "@every soon", wantErr: `parsing @every interval: time: invalid duration "soon"`},
		{spec: "TZ=", wantErr: "time zone prefix must be followed by a space and a schedule"},
		{spec: "@fortnightly", wantErr: "unrecognized descriptor: @fortnightly"},
		{spec: "* * *", wantErr: "expected exactly 5 fields, found 3: [* * *]"},
	}
	for _, tc := range tests {
		var got time.Time
		gotErr := ""
		s, err := parseSchedule(tc.spec)
		if err != nil {
			gotErr = err.Error()
		} else {
			got = s.Next(from)
		}
		if diff := cmp.Diff([]any{tc.want, tc.wantErr}, []any{got, gotErr}); diff != "" {
			t.Errorf("parseSchedule(%q) then Next mismatch (-want +got):\n%s", tc.spec, diff)
		}
	}
}
