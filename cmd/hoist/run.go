package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/daemon"
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
	metrics := daemon.NewMetrics(newScannerCollector(svc.scanner))
	if err := svc.startNotifier(metrics.Registry); err != nil {
		return err
	}
	d, err := daemon.New(svc.repos(), daemon.WithLogger(log), daemon.WithMetrics(metrics),
		daemon.WithDrain(f.drain), daemon.WithJitter(f.jitter), daemon.WithDebounce(f.debounce))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", f.listen, err)
	}
	srv := daemon.Server(d, metrics, svc.hook) // bounded headers, bodies, time and hook concurrency
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "error", err)
		}
	}()
	log.Info("hoist running", "listen", ln.Addr().String(), "repositories", len(cfg.Repositories))
	err = d.Run(ctx)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	return err
}

// secretDir is where earlier versions wrote secrets named by
// environment variables; a service removes it at start. Secrets now stay in
// memory.
func secretDir(stateDir string) string { return filepath.Join(stateDir, "secrets") }

// newScannerCollector exports the registry client's counters.
func newScannerCollector(s *registry.Scanner) *scannerCollector { return &scannerCollector{s: s} }
