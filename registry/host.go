package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/sync/singleflight"
)

// hostClient talks to one registry host through its own transport stack.
type hostClient struct {
	host  string
	probe bool // the ping tries HTTPS, then HTTP if the server answers in plain HTTP
	reg   name.Registry
	cfg   HostConfig
	base  http.RoundTripper // retry, limit, count, TLS
	tls   *http.Transport
	auth  authn.Authenticator
	ua    string
	log   *slog.Logger
	group singleflight.Group // shares pings and token exchanges

	mu        sync.Mutex // protects scheme, challenge and repos
	scheme    string     // "https" or "http"; fixed by the first ping when probe is set
	challenge *transport.Challenge
	repos     map[string]http.RoundTripper // authenticated transport per repository (bearer) or "" (host-wide)
}

// newHostClient makes the client of host; allowInsecure says the host was
// marked insecure at run time (Scanner.AllowInsecure).
// hostOverrides are what a Scanner was told about a host at run time.
type hostOverrides struct {
	insecure     bool   // AllowInsecure
	dockerConfig string // UseDockerConfig
}

func newHostClient(host string, o *options, stats *statsRecorder, ov hostOverrides) (*hostClient, error) {
	c := o.hostConfig(host)
	allowInsecure := ov.insecure
	tls, err := baseTransport(c)
	if err != nil {
		return nil, fmt.Errorf("configuring registry %s: %w", host, err)
	}
	scheme, nameOpts := "https", []name.Option{name.WeakValidation}
	if c.Insecure {
		scheme, nameOpts = "http", append(nameOpts, name.Insecure)
	}
	reg, err := name.NewRegistry(host, nameOpts...)
	if err != nil {
		return nil, fmt.Errorf("parsing registry host %q: %w", host, err)
	}
	auth, err := authenticator(host, reg, c, o.keychain, ov.dockerConfig)
	if err != nil {
		return nil, err
	}
	limits := newLimitTransport(&countTransport{inner: tls, stats: stats}, c, stats)
	base := &retryTransport{inner: limits, limits: limits, stats: stats, retries: o.retries,
		backoff: o.backoff, maxWait: o.maxWait, timeout: o.timeout}
	return &hostClient{host: host, scheme: scheme, probe: probePlainHTTP(host, c, allowInsecure), reg: reg, cfg: c, base: base, tls: tls, auth: auth,
		ua: o.userAgent, log: o.logger.With("registry", host), repos: map[string]http.RoundTripper{}}, nil
}

// transportFor returns the authenticated transport for repo, pinging the
// host once and exchanging a token once per repository.
func (h *hostClient) transportFor(ctx context.Context, repo string) (http.RoundTripper, error) {
	ch, err := h.ping(ctx)
	if err != nil {
		return nil, err
	}
	key := ""
	if ch.Scheme == "bearer" {
		key = repo
	}
	h.mu.Lock()
	rt, ok := h.repos[key]
	h.mu.Unlock()
	if ok {
		return rt, nil
	}
	v, err, _ := h.group.Do("auth:"+key, func() (any, error) { return h.login(ctx, ch, repo) })
	if err != nil {
		return nil, err
	}
	rt = v.(http.RoundTripper)
	h.mu.Lock()
	h.repos[key] = rt
	h.mu.Unlock()
	return rt, nil
}

func (h *hostClient) login(ctx context.Context, ch *transport.Challenge, repo string) (http.RoundTripper, error) {
	switch ch.Scheme {
	case "":
		return h.base, nil
	case "bearer":
		if cfg, err := h.auth.Authorization(); err == nil && cfg.RegistryToken != "" {
			return transport.FromToken(h.reg, h.auth, h.base, ch, &transport.Token{Token: cfg.RegistryToken})
		}
		scope := h.reg.Repo(repo).Scope(transport.PullScope)
		tok, err := transport.Exchange(ctx, h.reg, h.auth, h.base, []string{scope}, ch)
		if err != nil {
			return nil, fmt.Errorf("registry %s repository %s: getting token: %w", h.host, repo, redact(err))
		}
		h.log.Debug("exchanged token", "repository", repo)
		return transport.FromToken(h.reg, h.auth, h.base, ch, tok)
	default:
		return transport.FromToken(h.reg, h.auth, h.base, ch, &transport.Token{})
	}
}

// ping asks the host which auth it wants, once (a failed ping is retried
// by the next call).
func (h *hostClient) ping(ctx context.Context) (*transport.Challenge, error) {
	h.mu.Lock()
	ch := h.challenge
	h.mu.Unlock()
	if ch != nil {
		return ch, nil
	}
	v, err, _ := h.group.Do("ping", func() (any, error) { return h.pingScheme(ctx) })
	if err != nil {
		return nil, err
	}
	ch = v.(*transport.Challenge)
	h.mu.Lock()
	h.challenge = ch
	if ch.Insecure {
		h.scheme = "http"
	}
	h.mu.Unlock()
	return ch, nil
}

// pingScheme pings over the host's scheme and, for a probed host whose
// server answered HTTPS in plain HTTP, over HTTP.
func (h *hostClient) pingScheme(ctx context.Context) (*transport.Challenge, error) {
	scheme := h.urlScheme()
	ch, err := h.doPing(ctx, scheme)
	if err != nil && scheme == "https" && h.probe && answeredPlainHTTP(err) {
		h.log.Debug("registry answers in plain HTTP, using HTTP")
		return h.doPing(ctx, "http")
	}
	return ch, err
}

func (h *hostClient) doPing(ctx context.Context, scheme string) (*transport.Challenge, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+h.host+"/v2/", nil)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", h.host, err)
	}
	req.Header.Set("User-Agent", h.ua)
	resp, err := h.base.RoundTrip(req)
	if err != nil {
		return nil, fmt.Errorf("registry %s: pinging: %w", h.host, redact(err))
	}
	defer drain(resp.Body)
	ch := &transport.Challenge{Insecure: scheme == "http", Parameters: map[string]string{}}
	switch resp.StatusCode {
	case http.StatusOK:
		return ch, nil
	case http.StatusUnauthorized:
		ch.Scheme, ch.Parameters = parseChallenge(resp.Header.Get("WWW-Authenticate"))
		if ch.Scheme != "bearer" && ch.Scheme != "basic" {
			return nil, fmt.Errorf("registry %s: unsupported auth challenge %q", h.host, sanitize(ch.Scheme, 40))
		}
		return ch, nil
	}
	return nil, newError(h.host, "", resp, h.secrets)
}

// secrets are the credentials the host client sends, in the forms a
// server could echo them (to keep them out of error messages).
func (h *hostClient) secrets() []string {
	cfg, err := h.auth.Authorization()
	if err != nil || cfg == nil {
		return nil
	}
	out := []string{cfg.Password, cfg.Auth, cfg.IdentityToken, cfg.RegistryToken}
	if cfg.Username != "" && cfg.Password != "" {
		out = append(out, base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)))
	}
	return out
}

// urlScheme is the scheme requests to the host use.
func (h *hostClient) urlScheme() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.scheme
}

// do sends one request for repo to rt and returns a 2xx response; other
// answers become an *Error. Only blobs may be redirected to another host.
func (h *hostClient) do(ctx context.Context, rt http.RoundTripper, repo, method, path string, query url.Values, accept string) (*http.Response, error) {
	u := url.URL{Scheme: h.urlScheme(), Host: h.host, Path: "/v2/" + repo + "/" + path, RawQuery: query.Encode()}
	return h.doURL(ctx, rt, repo, method, u.String(), accept, !strings.HasPrefix(path, "blobs/"))
}

// doURL sends one request; with onHost set, a redirect that leaves the
// registry host (or its scheme) is refused: tag lists and manifests decide
// what runs, and only blobs are served from a CDN.
func (h *hostClient) doURL(ctx context.Context, rt http.RoundTripper, repo, method, u, accept string, onHost bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, fmt.Errorf("registry %s repository %s: %w", h.host, repo, redact(err))
	}
	req.Header.Set("User-Agent", h.ua)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	client := &http.Client{Transport: rt, CheckRedirect: checkRedirect(h.host, onHost)}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("registry %s repository %s: %s: %w", h.host, repo, method, redact(err))
	}
	if resp.StatusCode/100 != 2 {
		return nil, newError(h.host, repo, resp, h.secrets)
	}
	return resp, nil
}

// ErrRedirect is wrapped by the error of a tag list or manifest request
// that the registry redirected to another host.
var ErrRedirect = errors.New("redirect to another host refused")

func checkRedirect(host string, onHost bool) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if onHost && (!strings.EqualFold(req.URL.Host, host) || req.URL.Scheme != via[0].URL.Scheme) {
			return fmt.Errorf("%w: %s://%s", ErrRedirect, req.URL.Scheme, sanitize(req.URL.Host, 100))
		}
		return nil
	}
}

// readAll reads at most limit bytes of a response body and closes it.
func readAll(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("response larger than %d bytes", limit)
	}
	return data, nil
}
