package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/daemon"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/shard"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/ui"
	"github.com/hoist-dev/hoist/registry"
)

// runFlags configure `hoist run`.
type runFlags struct {
	config   string
	stateDir string
	listen   string
	drain    time.Duration
	jitter   time.Duration
	debounce time.Duration
	ui       bool
	// replicas: with shardNamespace, replicas split the repositories
	shardNamespace string
	kubeconfig     string
	lease          time.Duration
	pprof          string // loopback address for /debug/pprof/, "" for none
}

func newRunCmd(a *app) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: passes on schedules and webhooks, metrics and health endpoints",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.config == "" || f.stateDir == "" {
				return errors.New("--config and --state-dir are required")
			}
			return runDaemon(cmd.Context(), a, f)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.config, "config", "", "the service config file (kind: Config)")
	fs.StringVar(&f.stateDir, "state-dir", "", "where clones and the tag cache are kept")
	fs.StringVar(&f.listen, "listen", ":8080", "address of the HTTP server (metrics, health, webhooks)")
	fs.DurationVar(&f.drain, "drain", 60*time.Second, "how long shutdown waits for in-flight passes")
	fs.DurationVar(&f.jitter, "jitter", 10*time.Second, "random delay before each scheduled pass")
	fs.DurationVar(&f.debounce, "debounce", 200*time.Millisecond, "wait after a webhook before the pass it triggers")
	fs.BoolVar(&f.ui, "ui", true, "serve the read-only status page at / and /api/v1/status")
	fs.StringVar(&f.shardNamespace, "shard-namespace", "", "run as one of several replicas that split the repositories through Leases in this namespace")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "with --shard-namespace: the kubeconfig file (default: the in-cluster config)")
	fs.DurationVar(&f.lease, "lease-duration", 0, "with --shard-namespace: how long a replica's Lease lasts without renewal (default 15s)")
	fs.StringVar(&f.pprof, "pprof-listen", "", "serve Go's profiles (/debug/pprof/) on this loopback address (default: off)")
	return cmd
}

// runDaemon runs the daemon until ctx is done, then drains and returns nil.
func runDaemon(ctx context.Context, a *app, f runFlags) error {
	log := a.log()
	cfg, err := config.Load(f.config)
	if err != nil {
		return err
	}
	svc, err := newService(cfg, f.stateDir, log)
	if err != nil {
		return err
	}
	defer svc.close()
	svc.noDiff = true // the daemon's passes show no diff
	if f.pprof != "" {
		if _, err := servePprof(f.pprof, log, ctx.Done()); err != nil {
			return err
		}
	}
	metrics := daemon.NewMetrics(newScannerCollector(svc.scanner))
	if err := svc.startNotifier(metrics.Registry); err != nil {
		return err
	}
	if err := svc.newRecorder(); err != nil {
		return err
	}
	opts := []daemon.Option{daemon.WithLogger(log), daemon.WithMetrics(metrics),
		daemon.WithDrain(f.drain), daemon.WithJitter(f.jitter), daemon.WithDebounce(f.debounce)}
	s, err := f.shard(svc, log, metrics)
	if err != nil {
		return err
	}
	if s != nil {
		opts = append(opts, daemon.WithOwnership(shardOwner{s: s, ctx: ctx, log: log}))
	}
	d, err := daemon.New(svc.repos(), opts...)
	if err != nil {
		return err
	}
	srv, err := f.serve(d, metrics, svc, s, log)
	if err != nil {
		return err
	}
	if s != nil {
		runShard(ctx, s, d, log)
	}
	err = d.Run(ctx)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	return err
}

// shard makes this replica's shard membership, or nil without
// --shard-namespace.
func (f runFlags) shard(svc *service, log *slog.Logger, metrics *daemon.Metrics) (*shard.Shard, error) {
	if f.shardNamespace == "" {
		return nil, nil
	}
	names := make([]string, len(svc.runners))
	for i, r := range svc.runners {
		names[i] = r.cfg.Name
	}
	return newShard(f.shardNamespace, f.kubeconfig, f.lease, names, log, metrics.Registry)
}

// runShard keeps the shard's Lease and moves repositories as replicas come
// and go, until ctx ends (when the Lease is given up at once).
func runShard(ctx context.Context, s *shard.Shard, d *daemon.Daemon, log *slog.Logger) {
	s.OnTrigger(func(repo string) { d.TriggerRepo(repo) })
	go func() {
		if err := s.Run(ctx); err != nil {
			log.Error("shard membership stopped", "error", err)
		}
	}()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.Changes():
				if taken := d.Rebalance(); len(taken) > 0 {
					log.Info("took repositories over", "repos", taken, "members", s.Members())
				}
			}
		}
	}()
}

// serve starts the HTTP server: metrics, health, webhooks and, unless
// --ui=false, the status page.
func (f runFlags) serve(d *daemon.Daemon, metrics *daemon.Metrics, svc *service, s *shard.Shard, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", f.listen, err)
	}
	srv := daemon.Server(d, metrics, svc.hook) // bounded headers, bodies, time and hook concurrency
	if f.ui {
		var owner func(string) string
		if s != nil {
			owner = s.Owner
		}
		srv.Handler = ui.Mount(srv.Handler, ui.Handler(statusSource(svc.recorder, d, owner), ui.WithLogger(log)))
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "error", err)
		}
	}()
	log.Info("hoist running", "listen", ln.Addr().String(), "repositories", len(svc.runners), "ui", f.ui)
	return srv, nil
}

// secretDir is where earlier versions wrote secrets named by
// environment variables; a service removes it at start. Secrets now stay in
// memory.
func secretDir(stateDir string) string { return filepath.Join(stateDir, "secrets") }

// newScannerCollector exports the registry client's counters.
func newScannerCollector(s *registry.Scanner) *scannerCollector { return &scannerCollector{s: s} }
