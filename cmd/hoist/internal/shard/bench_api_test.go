package shard_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/shard"
)

// BenchmarkReplicasOnAPIServer runs 3 and 10 replicas over 1,000 and 10,000
// repositories against a real kube-apiserver (lease duration 2s, renewal
// every 0.5s) and reports the spread, the API requests per second per
// replica in steady state, and the handover time after one replica is cut
// off. It measures one run: use -benchtime=1x.
func BenchmarkReplicasOnAPIServer(b *testing.B) {
	c := newCluster(b, 0)
	for _, members := range []int{3, 10} {
		for _, repos := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("members=%d/repos=%d", members, repos), func(b *testing.B) {
				for b.Loop() {
					measure(b, c, members, repos)
				}
			})
		}
	}
}

func measure(b *testing.B, c *cluster, members, repos int) {
	ns := fmt.Sprintf("bench-%d-%d", members, repos)
	if _, err := c.admin.CoreV1().Namespaces().Create(b.Context(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	cc := *c
	cc.repos = nil
	for i := range repos {
		cc.repos = append(cc.repos, fmt.Sprintf("ssh://git@example.com/fleet-%05d", i))
	}
	var rs []*replica
	var ids []string
	for i := range members {
		id := fmt.Sprintf("r%02d", i)
		ids = append(ids, id)
		rs = append(rs, cc.startIn(b, ns, id))
	}
	for _, r := range rs {
		waitMembers(b, r, ids, 60*time.Second)
	}
	// Steady state: requests over a window, per replica.
	before := make([]int64, len(rs))
	for i, r := range rs {
		before[i] = r.requests.Load()
	}
	const window = 2 * time.Second
	time.Sleep(window) // measuring a rate, not waiting for an event
	var reqs int64
	for i, r := range rs {
		reqs += r.requests.Load() - before[i]
	}
	b.ReportMetric(float64(reqs)/float64(members)/window.Seconds(), "req/s/replica")

	most, fewest := 0, repos
	for _, owned := range shard.Assign(ids, cc.repos) {
		most, fewest = max(most, len(owned)), min(fewest, len(owned))
	}
	b.ReportMetric(float64(most), "max/member")
	b.ReportMetric(float64(fewest), "min/member")

	// Kill the last replica: the others take over when its Lease expires.
	rs[len(rs)-1].cut.Store(true)
	start := time.Now()
	for _, r := range rs[:len(rs)-1] {
		waitMembers(b, r, ids[:len(ids)-1], leaseDuration+slack)
	}
	b.ReportMetric(time.Since(start).Seconds(), "handover-s")
	for _, r := range slices.Backward(rs) {
		r.stop(b)
	}
}
