package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// indexChartVersions lists the versions of chart name in the classic Helm
// repository at repository.
func (s *Scanner) indexChartVersions(ctx context.Context, repository, name string) (ChartList, error) {
	if name == "" {
		return ChartList{}, fmt.Errorf("chart repository %s: no chart name", sanitize(redactText(repository), 200))
	}
	u, err := chartRepoURL(repository)
	if err != nil {
		return ChartList{}, err
	}
	key := u.String()
	h, err := s.chartHost(u)
	if err != nil {
		return ChartList{}, err
	}
	v, err, _ := s.lists.Do("chart-index\x00"+key, func() (any, error) { return s.refreshIndex(ctx, h, u) })
	if err != nil {
		return ChartList{}, fmt.Errorf("reading index of chart repository %s: %w", key, err)
	}
	charts, _ := v.(map[string][]byte)
	enc, ok := charts[name]
	if charts == nil {
		enc, ok = s.store.ChartEntry(key, name)
	}
	if !ok {
		return ChartList{}, fmt.Errorf("chart repository %s has no chart %q: %w", key, sanitize(name, 100), ErrNotFound)
	}
	l, err := decodeChart(enc)
	if err != nil {
		return ChartList{}, fmt.Errorf("chart repository %s chart %s: %w", key, name, err)
	}
	if l.Dropped > 0 {
		s.log.Warn("dropped invalid chart versions", "repository", key, "chart", name, "dropped", l.Dropped)
	}
	if l.Truncated {
		s.log.Warn("chart version limit reached", "repository", key, "chart", name, "limit", s.o.maxTags)
		return l, fmt.Errorf("chart repository %s chart %s: more than %d versions: %w", key, name, s.o.maxTags, ErrTruncated)
	}
	return l, nil
}

// chartHost returns the client of a chart repository's host. Plain HTTP is
// allowed only where a registry would use it: loopback, HostConfig.Insecure
// or AllowInsecure.
func (s *Scanner) chartHost(u *url.URL) (*hostClient, error) {
	host := normalizeHost(u.Host)
	if u.Scheme == "http" {
		s.mu.Lock()
		marked := s.insecure[host]
		s.mu.Unlock()
		if !marked && !isLoopback(host) && !s.o.hostConfig(host).Insecure {
			return nil, fmt.Errorf("chart repository %s: plain HTTP refused (use https, or mark the host insecure)", u)
		}
	}
	return s.hostFor(host)
}

// refreshIndex fetches index.yaml unless it is unchanged since the cached
// copy. It returns the encoded charts of a new index, or nil when the
// cache is current (304 Not Modified).
func (s *Scanner) refreshIndex(ctx context.Context, h *hostClient, u *url.URL) (map[string][]byte, error) {
	key := u.String()
	meta, cached := s.store.ChartIndex(key)
	resp, err := s.getIndex(ctx, h, u, meta, cached)
	if err != nil {
		return nil, err
	}
	defer drain(resp.Body)
	if resp.StatusCode == http.StatusNotModified {
		s.stats.update(func(st *Stats) { st.ChartIndexNotModified++ })
		return nil, nil
	}
	c, err := s.parseIndex(resp)
	if err != nil {
		return nil, err
	}
	meta = chartIndexMeta{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Fetched: time.Now()}
	if err := s.store.PutChartIndex(key, meta, c.charts); err != nil {
		s.log.Warn("caching chart index failed", "repository", key, "error", err)
	}
	s.stats.update(func(st *Stats) { st.ChartIndexFetches++ })
	s.log.Debug("fetched chart index", "repository", key, "charts", len(c.charts), "versions", c.count)
	return c.charts, nil
}

// getIndex sends the (conditional) GET of index.yaml and returns a 200 or
// 304 response; other answers become an *Error.
func (s *Scanner) getIndex(ctx context.Context, h *hostClient, u *url.URL, meta chartIndexMeta, cached bool) (*http.Response, error) {
	target := u.JoinPath("index.yaml").String()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, redact(err)
	}
	req.Header.Set("User-Agent", h.ua)
	req.Header.Set("Accept", "application/yaml, application/x-yaml, text/yaml, application/json;q=0.9, */*;q=0.8")
	if cached && meta.ETag != "" {
		req.Header.Set("If-None-Match", meta.ETag)
	}
	if cached && meta.LastModified != "" {
		req.Header.Set("If-Modified-Since", meta.LastModified)
	}
	if err := setChartAuth(req, h); err != nil {
		return nil, err
	}
	client := &http.Client{Transport: h.base, CheckRedirect: chartRedirect}
	resp, err := client.Do(req)
	if err != nil {
		return nil, redact(err) // a *url.Error: method, URL and cause
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		return resp, nil
	case resp.StatusCode == http.StatusNotModified && cached:
		return resp, nil
	}
	return nil, newError(h.host, u.Path, resp, h.secrets)
}

// setChartAuth adds the host's credentials: basic, or a bearer token.
func setChartAuth(req *http.Request, h *hostClient) error {
	cfg, err := h.auth.Authorization()
	if err != nil {
		return fmt.Errorf("credentials of %s: %w", h.host, redact(err))
	}
	switch {
	case cfg == nil:
	case cfg.Username != "" || cfg.Password != "":
		req.SetBasicAuth(cfg.Username, cfg.Password)
	case cfg.RegistryToken != "":
		req.Header.Set("Authorization", "Bearer "+cfg.RegistryToken)
	}
	return nil
}

// chartRedirect follows a redirect of index.yaml only on the same host and
// scheme, or from http to https on the same host name: the index decides
// what runs, and the credentials go with it.
func chartRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	prev := via[len(via)-1].URL
	same := req.URL.Scheme == prev.Scheme && strings.EqualFold(req.URL.Host, prev.Host)
	upgrade := prev.Scheme == "http" && req.URL.Scheme == "https" && strings.EqualFold(req.URL.Hostname(), prev.Hostname())
	if !same && !upgrade {
		return fmt.Errorf("%w: %s://%s", ErrRedirect, req.URL.Scheme, sanitize(req.URL.Host, 100))
	}
	return nil
}

// parseIndex decodes a 200 answer's index, refusing one over the size limit.
func (s *Scanner) parseIndex(resp *http.Response) (*chartCollector, error) {
	limit := s.o.maxIndexSize
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("index.yaml is %d bytes, more than the %d allowed: %w", resp.ContentLength, limit, ErrTooLarge)
	}
	body := &limitedReader{r: resp.Body, n: limit + 1}
	c := newChartCollector(s.o.maxTags)
	err := decodeIndex(body, c)
	if body.hit {
		return nil, fmt.Errorf("index.yaml larger than %d bytes: %w", limit, ErrTooLarge)
	}
	if err != nil {
		return nil, fmt.Errorf("decoding index.yaml: %w", redact(err))
	}
	return c, nil
}

// ErrTooLarge is wrapped by the error of an index.yaml larger than
// WithMaxIndexSize.
var ErrTooLarge = errors.New("too large")
