package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestChart(t *testing.T) {
	points := []PassPoint{
		{Time: now.Add(-25 * time.Hour), Changes: 9}, // older than a day: left out
		{Time: now.Add(-23*time.Hour - 30*time.Minute), Changes: 1},
		{Time: now.Add(-23*time.Hour - 10*time.Minute), Failed: true},
		{Time: now.Add(-10 * time.Minute), Changes: 3},
		{Time: now.Add(-5 * time.Minute)},
		{Time: now.Add(-1 * time.Minute)},
		{Time: now.Add(time.Hour)}, // in the future: left out
	}
	c := newChart(points, now)
	if got, want := [4]int{c.Passes, c.Failed, c.Changes, c.Max}, [4]int{5, 1, 4, 3}; got != want {
		t.Errorf("passes, failed, changes, max = %v, want %v", got, want)
	}
	want := []bar{
		{X: 25, Y: 35, W: 8, H: 57, Class: "ok", Title: "12:00 UTC: 2 passes, 1 failed, 1 changes"},
		{X: 25, Y: 64, W: 8, H: 28, Class: "failed", Title: "12:00 UTC: 2 passes, 1 failed, 1 changes"},
		{X: 34, Y: 64, W: 8, H: 28, Class: "changes", Title: "12:00 UTC: 2 passes, 1 failed, 1 changes"},
		{X: 462, Y: 6, W: 8, H: 86, Class: "ok", Title: "11:00 UTC: 3 passes, 0 failed, 3 changes"},
		{X: 471, Y: 6, W: 8, H: 86, Class: "changes", Title: "11:00 UTC: 3 passes, 0 failed, 3 changes"},
	}
	if diff := cmp.Diff(want, c.Bars); diff != "" {
		t.Errorf("bars mismatch (-want +got):\n%s", diff)
	}
}
