package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/shard"
)

// newShard makes this replica's membership in namespace, through the
// kubeconfig file or, in a pod, the in-cluster config. Its identity is
// $POD_NAME, else the host name.
func newShard(namespace, kubeconfig string, lease time.Duration, repos []string, log *slog.Logger, reg prometheus.Registerer) (*shard.Shard, error) {
	var cfg *rest.Config
	var err error
	if kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
	} else {
		cfg, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, fmt.Errorf("kubernetes client config: %w", err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	id := os.Getenv("POD_NAME")
	if id == "" {
		if id, err = os.Hostname(); err != nil {
			return nil, fmt.Errorf("replica identity: %w", err)
		}
	}
	opts := []shard.Option{shard.WithLogger(log), shard.WithMetrics(reg), shard.WithRepositories(repos)}
	if lease > 0 {
		opts = append(opts, shard.WithLeaseDuration(lease))
	}
	return shard.New(client, namespace, id, opts...)
}

// shardOwner is the daemon's view of the shard.
type shardOwner struct {
	s   *shard.Shard
	ctx context.Context
	log *slog.Logger
}

func (o shardOwner) Owns(repo string) bool { return o.s.Owns(repo) }
func (o shardOwner) Ready() bool           { return o.s.Ready() }

// Forward passes a webhook's pass to the owner through its Lease.
func (o shardOwner) Forward(repo string) {
	ctx, cancel := context.WithTimeout(o.ctx, 5*time.Second)
	defer cancel()
	if err := o.s.Trigger(ctx, repo); err != nil {
		o.log.Warn("forwarding a webhook to the repository's owner failed", "repo", repo, "owner", o.s.Owner(repo), "error", err)
	}
}
