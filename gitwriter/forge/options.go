package forge

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"
)

// Option configures New.
type Option func(*options) error

type options struct {
	apiURL  string
	token   func() (string, error)
	client  *http.Client
	caFile  string
	log     *slog.Logger
	timeout time.Duration
}

// WithAPIURL sets the forge's API base URL. The default is derived from the
// repository URL: https://host (plus any path prefix before owner/repo) for
// Gitea/Forgejo, https://api.github.com for github.com and
// https://host/api/v3 for GitHub Enterprise, https://host for GitLab.
// An http:// repository URL keeps http for the derived default.
func WithAPIURL(u string) Option {
	return func(o *options) error {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("forge API URL %q: want http(s)://host[/path]", redactAPIURL(u))
		}
		if p.User != nil {
			return fmt.Errorf("forge API URL %q: credentials belong in the token, not the URL", redactAPIURL(u))
		}
		o.apiURL = p.String()
		return nil
	}
}

// WithToken sets the function that returns the API token. It is called on
// every method call, so a rotated token file is picked up; the token never
// reaches logs or errors. The default sends no token.
func WithToken(token func() (string, error)) Option {
	return func(o *options) error {
		if token == nil {
			return errors.New("token function is nil")
		}
		o.token = token
		return nil
	}
}

// WithHTTPClient sets the HTTP client; its transport is wrapped to add the
// token. The default is a client with http.DefaultTransport's settings.
// It conflicts with WithCAFile.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("http client is nil")
		}
		o.client = c
		return nil
	}
}

// WithCAFile adds the PEM certificates in file to the system roots that
// the forge's TLS certificate is checked against. The default is the
// system roots alone.
func WithCAFile(file string) Option {
	return func(o *options) error {
		o.caFile = file
		return nil
	}
}

// WithLogger sets the logger for debug lines about each API call (method,
// path, status, duration; never the token). The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("logger is nil")
		}
		o.log = l
		return nil
	}
}

// WithTimeout bounds each method call (all the API calls it makes).
// The default is 60 seconds.
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("timeout must be positive, got %s", d)
		}
		o.timeout = d
		return nil
	}
}

func makeOptions(opts []Option) (*options, error) {
	o := &options{
		token:   func() (string, error) { return "", nil },
		log:     slog.New(slog.DiscardHandler),
		timeout: 60 * time.Second,
	}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	if o.client != nil && o.caFile != "" {
		return nil, errors.New("WithHTTPClient and WithCAFile conflict: put the CA in the client's transport")
	}
	if o.client == nil {
		c, err := defaultClient(o.caFile)
		if err != nil {
			return nil, err
		}
		o.client = c
	}
	return o, nil
}

// defaultClient returns a client with http.DefaultTransport's settings,
// trusting the certificates in caFile as well when it is set.
func defaultClient(caFile string) (*http.Client, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading forge CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("forge CA file %s holds no PEM certificate", caFile)
		}
		t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: t}, nil
}

// redactAPIURL drops user info from u for messages.
func redactAPIURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable)"
	}
	p.User = nil
	return p.String()
}
