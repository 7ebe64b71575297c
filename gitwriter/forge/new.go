package forge

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// Providers New accepts.
const (
	Gitea   = "gitea"
	Forgejo = "forgejo" // speaks Gitea's API
	GitHub  = "github"
	GitLab  = "gitlab"
)

// New returns the Forge of provider (gitea, forgejo, github or gitlab) for
// the repository at repoURL (https://, http://, ssh:// or git@host:path; any
// user info is ignored). It makes no network call, so it also serves to
// validate a configuration.
func New(provider, repoURL string, opts ...Option) (Forge, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("configuring %s forge: %w", safeText(provider), err)
	}
	loc, err := parseRepoURL(repoURL)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(provider) {
	case Gitea, Forgejo:
		return newGitea(strings.ToLower(provider), loc, o)
	case GitHub:
		return newGitHub(loc, o)
	case GitLab:
		return newGitLab(loc, o)
	}
	return nil, fmt.Errorf("unknown forge provider %q: want gitea, forgejo, github or gitlab", safeText(provider))
}

// common holds what every forge needs for calls and errors.
type common struct {
	provider string
	host     string // web host, for errors
	repo     string // owner/repo or GitLab path, for errors
	apiURL   *url.URL
	token    func() (string, error)
	log      *slog.Logger
	timeout  time.Duration
}

func newCommon(provider string, loc location, repo, defaultAPI string, o *options) (common, error) {
	api := o.apiURL
	if api == "" {
		api = defaultAPI
	}
	u, err := url.Parse(api)
	if err != nil {
		return common{}, fmt.Errorf("%s API URL %q: %w", provider, redactAPIURL(api), err)
	}
	return common{
		provider: provider, host: loc.host, repo: repo, apiURL: u,
		token: o.token, log: o.log, timeout: o.timeout,
	}, nil
}

// begin bounds a method call by the timeout and reads the token into ctx.
func (c *common) begin(ctx context.Context, op string) (context.Context, context.CancelFunc, string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	ctx, tok, err := c.withToken(ctx)
	if err != nil {
		cancel()
		return ctx, func() {}, "", c.callError(op, 0, "", err, "")
	}
	return ctx, cancel, tok, nil
}
