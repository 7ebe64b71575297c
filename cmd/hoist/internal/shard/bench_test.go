package shard

import (
	"fmt"
	"testing"
	"time"
)

var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)

// BenchmarkAssign computes a full assignment: what every replica does on a
// membership change (per repository, one hash per member). It reports the
// spread as max and min repositories per member.
func BenchmarkAssign(b *testing.B) {
	for _, members := range []int{3, 10} {
		for _, repos := range []int{1000, 10000, 100000} {
			b.Run(fmt.Sprintf("members=%d/repos=%d", members, repos), func(b *testing.B) {
				ms, rs := repoNames("hoist-6f7c9d-", members), repoNames("ssh://git@example.com/fleet-", repos)
				var a map[string][]string
				for b.Loop() {
					a = Assign(ms, rs)
				}
				most, fewest := spread(a)
				b.ReportMetric(float64(most), "max/member")
				b.ReportMetric(float64(fewest), "min/member")
			})
		}
	}
}
