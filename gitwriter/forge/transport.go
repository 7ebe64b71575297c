package forge

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// tokenKey is the context key of the token read for one method call.
type tokenKey struct{}

// tokenError reports that the token function failed.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "reading the forge token: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

// withToken reads the token and puts it on ctx for the transport.
func (c *common) withToken(ctx context.Context) (context.Context, string, error) {
	tok, err := c.token()
	if err != nil {
		return ctx, "", &tokenError{err}
	}
	return context.WithValue(ctx, tokenKey{}, tok), tok, nil
}

func tokenFrom(ctx context.Context) string {
	tok, _ := ctx.Value(tokenKey{}).(string)
	return tok
}

// authTransport adds the call's token to each request as header: value
// prefix+token, and logs each request at debug level.
type authTransport struct {
	base   http.RoundTripper
	header string // "Authorization"
	prefix string // "token ", "Bearer "
	host   string // the API host: no token goes anywhere else (redirects)
	log    *slog.Logger
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch tok := tokenFrom(req.Context()); {
	case req.URL.Host != t.host: // a redirect elsewhere gets no token
		if req.Header.Get(t.header) != "" {
			req = req.Clone(req.Context())
			req.Header.Del(t.header)
		}
	case tok != "" && req.Header.Get(t.header) == "":
		req = req.Clone(req.Context())
		req.Header.Set(t.header, t.prefix+tok)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if t.log.Enabled(req.Context(), slog.LevelDebug) {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.log.Debug("forge request", "method", req.Method, "host", req.URL.Host,
			"path", req.URL.Path, "status", status, "duration", time.Since(start))
	}
	return resp, err
}

// httpClient returns a copy of c whose transport adds the token.
func httpClient(c *http.Client, host, header, prefix string, log *slog.Logger) *http.Client {
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cc := *c
	cc.Transport = &authTransport{base: base, host: host, header: header, prefix: prefix, log: log}
	return &cc
}
