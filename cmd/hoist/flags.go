package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
)

// repoFlags name one config repository and how to reach it and its
// registries, for the single-repository commands (once, plan, tags,
// history). They build the same config.Repository a service config holds,
// so flags and config files run through one runner.
type repoFlags struct {
	repo, stateDir     string
	r                  config.Repository
	insecureRegistries []string
	secrets            map[string]string
}

func (f *repoFlags) bind(cmd *cobra.Command, writes bool) {
	fs := cmd.Flags()
	fs.StringVar(&f.repo, "repo", "", "URL of the config repository (file://, http(s)://, git://, ssh://)")
	fs.StringVar(&f.r.Branch, "branch", "", "branch to update (default: the remote's HEAD)")
	fs.StringVar(&f.r.Path, "path", "", "directory inside the repository holding policies and manifests")
	fs.StringVar(&f.stateDir, "state-dir", "", "where clones and the tag cache are kept (default: a temporary directory)")
	fs.StringVar(&f.r.Auth.SSHKeyFile, "ssh-key-file", "", "SSH private key file for ssh:// remotes")
	fs.StringVar(&f.r.Auth.KnownHostsFile, "known-hosts-file", "", "known_hosts file that SSH host keys are checked against")
	fs.StringVar(&f.r.Auth.Username, "git-username", "", "username for HTTPS remotes")
	fs.StringVar(&f.r.Auth.PasswordFile, "git-password-file", "", "file holding the HTTPS password")
	fs.StringVar(&f.r.Auth.TokenFile, "git-token-file", "", "file holding an HTTPS token")
	fs.StringVar(&f.r.Auth.CAFile, "git-ca-file", "", "CA bundle for the HTTPS remote")
	fs.StringVar(&f.r.Automations, "automations", config.AutomationsFollow,
		"what to do with Flux ImageUpdateAutomations in the repository: follow (run each as Flux would) or ignore")
	fs.StringToStringVar(&f.secrets, "secret", nil,
		"NAME=PATH: where the Kubernetes secret NAME (namespace/name) that Flux objects name is mounted (repeatable)")
	fs.StringSliceVar(&f.insecureRegistries, "insecure-registry", nil, "registry host to reach over plain HTTP (repeatable; loopback needs none)")
	if writes {
		fs.StringVar(&f.r.PushBranch, "push-branch", "", "push to this branch instead of the checked-out one")
		fs.StringVar(&f.r.Author.Name, "author-name", config.DefaultAuthorName, "commit author name")
		fs.StringVar(&f.r.Author.Email, "author-email", config.DefaultAuthorEmail, "commit author email")
	}
}

// bindPullRequest binds the flags that make a pass propose by pull request.
func (f *repoFlags) bindPullRequest(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.r.PullRequest.Provider, "pull-request", "", "propose by pull request on this forge: gitea (or forgejo), github or gitlab")
	fs.StringVar(&f.r.PullRequest.URL, "forge-url", "", "the forge's API base (default: derived from --repo)")
	fs.StringVar(&f.r.PullRequest.TokenFile, "forge-token-file", "", "file holding the forge API token (default: --git-token-file)")
	fs.StringSliceVar(&f.r.PullRequest.Labels, "pr-label", nil, "label to set on the pull request (repeatable)")
}

func (f *repoFlags) check() error {
	if f.repo == "" {
		return errors.New("--repo is required")
	}
	return nil
}

// config is the one-repository service config the flags describe.
func (f *repoFlags) config() *config.Config {
	r := f.r
	r.URL = f.repo
	r.Default()
	c := &config.Config{Repositories: []config.Repository{r}, Secrets: f.secrets}
	for _, h := range f.insecureRegistries {
		c.Registries = append(c.Registries, config.Registry{Host: h, Insecure: true})
	}
	return c
}

// withRunner starts a service for the flags' repository (in a temporary
// state dir unless --state-dir is set), calls fn with its runner and stops it.
func (f *repoFlags) withRunner(ctx context.Context, a *app, fn func(context.Context, *repoRunner) error) error {
	if m := f.r.Automations; m != config.AutomationsFollow && m != config.AutomationsIgnore && m != "" {
		return fmt.Errorf("--automations %q: want %s or %s", m, config.AutomationsFollow, config.AutomationsIgnore)
	}
	if f.r.PullRequest.Enabled() && f.r.PullRequestToken() == (config.SecretRef{}) {
		return errors.New("--pull-request needs a token: --forge-token-file or --git-token-file")
	}
	return withService(a, f.config(), f.stateDir, func(s *service) error {
		return fn(ctx, s.runners[0])
	})
}

// withService runs fn on a service for cfg, in stateDir or, when it is "",
// a temporary directory removed afterwards.
func withService(a *app, cfg *config.Config, stateDir string, fn func(*service) error) error {
	if stateDir == "" {
		d, err := os.MkdirTemp("", "hoist-state-")
		if err != nil {
			return fmt.Errorf("creating a temporary state dir: %w", err)
		}
		defer os.RemoveAll(d)
		stateDir = d
	}
	svc, err := newService(cfg, stateDir, a.log())
	if err != nil {
		return err
	}
	defer svc.close()
	if err := svc.startNotifier(nil); err != nil { // once --config tells what it pushed too
		return err
	}
	return fn(svc)
}
