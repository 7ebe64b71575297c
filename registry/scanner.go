package registry

import (
	"fmt"
	"log/slog"
	"regexp"
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

	mu            sync.Mutex // protects hosts, insecure, dockerConfigs and retired
	hosts         map[string]*hostClient
	insecure      map[string]bool   // hosts marked by AllowInsecure
	dockerConfigs map[string]string // docker config files set by UseDockerConfig
	retired       []*hostClient     // clients replaced at run time, closed by Close
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
		hosts: map[string]*hostClient{}, insecure: map[string]bool{}, dockerConfigs: map[string]string{}}, nil
}

// Close releases the cache and idle connections.
func (s *Scanner) Close() error {
	s.mu.Lock()
	for _, h := range s.hosts {
		h.tls.CloseIdleConnections()
	}
	for _, h := range s.retired {
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
	h, err := newHostClient(host, s.o, s.stats, hostOverrides{insecure: s.insecure[host], dockerConfig: s.dockerConfigs[host]})
	if err != nil {
		return nil, err
	}
	s.hosts[host] = h
	return h, nil
}

// AllowInsecure lets the scanner reach host ("name" or "name:port") over
// plain HTTP, as a Flux ImageRepository with `insecure: true` asks: like
// go-containerregistry with name.Insecure, the first request tries HTTPS
// (certificates still verified) and switches to HTTP when the server
// answers in plain HTTP. Loopback hosts behave so already. A host with
// HostConfig.Insecure stays plain HTTP. It is safe for concurrent use and
// applies from the next request to host; marking a host twice is harmless.
func (s *Scanner) AllowInsecure(host string) {
	host = normalizeHost(host)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.insecure[host] {
		return
	}
	s.insecure[host] = true
	if h, ok := s.hosts[host]; ok && !h.probe && h.urlScheme() == "https" {
		delete(s.hosts, host) // made before the mark: the next request makes one that may probe
		s.retired = append(s.retired, h)
	}
}

// UseDockerConfig makes the scanner take host's credentials from the docker
// config file at path (a config.json, or a mounted .dockerconfigjson), as a
// Flux ImageRepository's secretRef asks, unless WithHost already gives the
// host credentials: the operator's configuration wins over the
// repository's. Only the entry of host in the file is ever sent, and only to
// host. It is safe for concurrent use and applies from the next request to
// host.
func (s *Scanner) UseDockerConfig(host, path string) {
	host = normalizeHost(host)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dockerConfigs[host] == path {
		return
	}
	s.dockerConfigs[host] = path
	if h, ok := s.hosts[host]; ok {
		delete(s.hosts, host) // the next request makes a client with the file
		s.retired = append(s.retired, h)
	}
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

// repoComponent is one path component of a repository name (OCI
// distribution spec): no "..", ".", empty or upper-case segments.
var repoComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$`)

func parseRepo(repo string) (name.Repository, error) {
	if strings.ContainsAny(repo, "@") || strings.Contains(repo, "://") {
		return name.Repository{}, fmt.Errorf("parsing repository %q: want host/path without tag, digest or scheme", repo)
	}
	r, err := name.NewRepository(repo)
	if err != nil {
		return name.Repository{}, fmt.Errorf("parsing repository %q: %w", repo, err)
	}
	for c := range strings.SplitSeq(r.RepositoryStr(), "/") {
		if !repoComponent.MatchString(c) {
			return name.Repository{}, fmt.Errorf("parsing repository %q: path component %q is not a valid repository name component", repo, c)
		}
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
