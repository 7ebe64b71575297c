package registry

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"golang.org/x/sync/singleflight"
)

// Scanner reads tags, digests and build times from registries. It is safe
// for concurrent use; make one per process and Close it.
type Scanner struct {
	o     *options
	log   *slog.Logger
	store store
	stats *statsRecorder
	lists singleflight.Group // one tag list per repository at a time

	mu    sync.Mutex // protects hosts
	hosts map[string]*hostClient
}

// New makes a Scanner.
func New(opts ...Option) (*Scanner, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	var st store = newMemStore()
	if o.cachePath != "" {
		if st, err = openBoltStore(o.cachePath, o.logger); err != nil {
			return nil, err
		}
	}
	return &Scanner{o: o, log: o.logger, store: st, stats: newStatsRecorder(),
		hosts: map[string]*hostClient{}}, nil
}

// Close releases the cache and idle connections.
func (s *Scanner) Close() error {
	s.mu.Lock()
	for _, h := range s.hosts {
		h.tls.CloseIdleConnections()
	}
	s.mu.Unlock()
	return s.store.Close()
}

// Stats returns what the scanner did so far.
func (s *Scanner) Stats() Stats {
	return s.stats.snapshot()
}

// hostFor returns the client of host, making it on first use.
func (s *Scanner) hostFor(host string) (*hostClient, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.hosts[host]; ok {
		return h, nil
	}
	h, err := newHostClient(host, s.o, s.stats)
	if err != nil {
		return nil, err
	}
	s.hosts[host] = h
	return h, nil
}

// NormalizeRepository returns the canonical name of an image repository
// ("nginx" becomes "index.docker.io/library/nginx"), the form Event and
// the cache use.
func NormalizeRepository(repo string) (string, error) {
	r, err := parseRepo(repo)
	if err != nil {
		return "", err
	}
	return r.Name(), nil
}

func parseRepo(repo string) (name.Repository, error) {
	if strings.ContainsAny(repo, "@") || strings.Contains(repo, "://") {
		return name.Repository{}, fmt.Errorf("parsing repository %q: want host/path without tag, digest or scheme", repo)
	}
	r, err := name.NewRepository(repo)
	if err != nil {
		return name.Repository{}, fmt.Errorf("parsing repository %q: %w", repo, err)
	}
	return r, nil
}

// client returns the host client and the transport for repo.
func (s *Scanner) client(repo string) (*hostClient, name.Repository, error) {
	r, err := parseRepo(repo)
	if err != nil {
		return nil, r, err
	}
	h, err := s.hostFor(normalizeHost(r.RegistryStr()))
	return h, r, err
}
