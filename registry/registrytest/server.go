package registrytest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Server is a running registry process.
type Server struct {
	// Host is "127.0.0.1:port".
	Host string
	// TLS is true when the server speaks HTTPS (WithTLS).
	TLS bool
	// CAFile is the PEM file of the CA that signed the server certificate (WithTLS).
	CAFile string
	// ClientCertFile and ClientKeyFile are a client certificate the server requires (WithClientCert).
	ClientCertFile, ClientKeyFile string
	// Username and Password are the htpasswd credentials (WithHtpasswd).
	Username, Password string
	// Dir is the storage root directory.
	Dir string
	// PID is the process id of the registry.
	PID int

	out *syncBuffer // process output, shown when the test fails
}

// Option configures Start.
type Option func(*config)

type config struct {
	binary       string
	tls          bool
	clientCert   bool
	user, pass   string
	notifyURL    string
	notifyHeader string
}

// WithTLS serves HTTPS with a certificate for 127.0.0.1 signed by a CA made
// for the test (Server.CAFile). The default is plain HTTP.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithClientCert requires clients to present a certificate signed by the test
// CA (mutual TLS); it implies WithTLS. Server.ClientCertFile and
// Server.ClientKeyFile hold one.
func WithClientCert() Option { return func(c *config) { c.tls, c.clientCert = true, true } }

// WithHtpasswd requires basic auth (bcrypt htpasswd) with these credentials.
// The default is no auth.
func WithHtpasswd(user, pass string) Option {
	return func(c *config) { c.user, c.pass = user, pass }
}

// WithNotifications makes the registry POST its event envelopes to url with
// authHeader as the Authorization header ("" sends none). Blob events are not sent.
func WithNotifications(url, authHeader string) Option {
	return func(c *config) { c.notifyURL, c.notifyHeader = url, authHeader }
}

// WithBinary runs another registry binary with the same config format, such
// as "docker-registry" (Debian's distribution 2.8). The default is "registry"
// (CNCF distribution v3).
func WithBinary(name string) Option { return func(c *config) { c.binary = name } }

// Start runs a registry process on a free loopback port and stops it when the
// test ends. If the binary is not on PATH the test is skipped, or fails when
// the environment variable CI is "true".
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	c := config{binary: "registry"}
	for _, o := range opts {
		o(&c)
	}
	bin, err := exec.LookPath(c.binary)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("registry binary %q not found: %v", c.binary, err)
		}
		t.Skipf("registry binary %q not found: %v", c.binary, err)
	}
	dir := t.TempDir()
	s := &Server{Dir: storageDir(t, dir), out: &syncBuffer{}}
	cfg, err := s.prepare(dir, c)
	if err != nil {
		t.Fatalf("preparing registry: %v", err)
	}
	var lastErr error
	for range 3 { // the free port may be taken between probe and start
		if lastErr = s.run(t, bin, dir, cfg); lastErr == nil {
			return s
		}
	}
	t.Fatalf("starting %s: %v\n%s", c.binary, lastErr, s.out.String())
	return nil
}

// prepare writes certificates and the htpasswd file, and returns the config.
func (s *Server) prepare(dir string, c config) (map[string]any, error) {
	httpCfg := map[string]any{"secret": "registrytest"}
	cfg := map[string]any{
		"version": "0.1",
		"log":     map[string]any{"level": "error", "accesslog": map[string]any{"disabled": true}},
		"storage": map[string]any{
			"filesystem": map[string]any{"rootdirectory": s.Dir},
			"delete":     map[string]any{"enabled": true},
			"cache":      map[string]any{"blobdescriptor": "inmemory"},
		},
		"http": httpCfg,
	}
	if c.tls {
		tlsCfg, err := s.makeCerts(dir, c.clientCert)
		if err != nil {
			return nil, err
		}
		httpCfg["tls"] = tlsCfg
	}
	if c.user != "" {
		hash, err := bcrypt.GenerateFromPassword([]byte(c.pass), bcrypt.MinCost)
		if err != nil {
			return nil, fmt.Errorf("hashing password: %w", err)
		}
		path := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(path, []byte(c.user+":"+string(hash)+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("writing htpasswd: %w", err)
		}
		s.Username, s.Password = c.user, c.pass
		cfg["auth"] = map[string]any{"htpasswd": map[string]any{"realm": "registrytest", "path": path}}
	}
	if c.notifyURL != "" {
		cfg["notifications"] = notifications(c.notifyURL, c.notifyHeader)
	}
	return cfg, nil
}

func notifications(url, header string) map[string]any {
	ep := map[string]any{
		"name": "registrytest", "url": url, "timeout": "2s", "threshold": 3, "backoff": "100ms",
		"ignoredmediatypes": []string{"application/octet-stream"},
	}
	if header != "" {
		ep["headers"] = map[string]any{"Authorization": []string{header}}
	}
	return map[string]any{"endpoints": []any{ep}}
}

func (s *Server) makeCerts(dir string, clientCert bool) (map[string]any, error) {
	ca, err := makeCA(dir)
	if err != nil {
		return nil, err
	}
	srv, err := makeLeaf(dir, "server", ca, x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, err
	}
	s.TLS, s.CAFile = true, ca.certFile
	tlsCfg := map[string]any{"certificate": srv.certFile, "key": srv.keyFile}
	if clientCert {
		cl, err := makeLeaf(dir, "client", ca, x509.ExtKeyUsageClientAuth)
		if err != nil {
			return nil, err
		}
		s.ClientCertFile, s.ClientKeyFile = cl.certFile, cl.keyFile
		tlsCfg["clientcas"] = []string{ca.certFile}
	}
	return tlsCfg, nil
}

// run starts the process on a fresh free port and waits until it answers.
func (s *Server) run(t testing.TB, bin, dir string, cfg map[string]any) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.Host = fmt.Sprintf("127.0.0.1:%d", port)
	cfg["http"].(map[string]any)["addr"] = s.Host
	data, err := json.Marshal(cfg) // JSON is YAML
	if err != nil {
		return fmt.Errorf("encoding config: %w", err)
	}
	path := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	cmd := exec.Command(bin, "serve", path)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none") // distribution v3 exports traces to localhost:4318 by default
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running %s: %w", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	stop := func() { _ = cmd.Process.Kill(); <-done }
	if err := s.waitReady(done); err != nil {
		stop()
		return err
	}
	s.PID = cmd.Process.Pid
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("registry %s output (tail):\n%s", s.Host, tail(s.out.String(), 4000))
		}
	})
	return nil
}

func (s *Server) waitReady(done <-chan struct{}) error {
	client := &http.Client{Transport: s.Transport(), Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("registry exited early")
		default:
		}
		resp, err := client.Get(s.URL() + "/v2/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("registry on %s not ready after 15s", s.Host)
}

// URL is the base URL, "http://127.0.0.1:port" or "https://...".
func (s *Server) URL() string {
	if s.TLS {
		return "https://" + s.Host
	}
	return "http://" + s.Host
}

// Repo returns the repository name path on this server, "127.0.0.1:port/path".
func (s *Server) Repo(path string) string { return s.Host + "/" + path }

// Transport returns an HTTP transport that trusts the server's CA and
// presents the client certificate when there is one.
func (s *Server) Transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64 // Tag keeps many requests in flight
	if !s.TLS {
		return tr
	}
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(s.CAFile); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if s.ClientCertFile != "" {
		if cert, err := tls.LoadX509KeyPair(s.ClientCertFile, s.ClientKeyFile); err == nil {
			tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
		}
	}
	return tr
}

// storageDir is a fresh directory for registry storage: in /dev/shm when
// there is one (many small files are much faster in memory), else in dir.
// It is removed when the test ends (after the process stops: cleanups run
// last-registered first).
func storageDir(t testing.TB, dir string) string {
	d, err := os.MkdirTemp("/dev/shm", "registrytest-")
	if err != nil {
		return filepath.Join(dir, "storage")
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer collects process output from two writers.
type syncBuffer struct {
	mu  sync.Mutex // protects buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
