package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/registry"
)

// repoFlags name one config repository and how to reach it and its
// registries, for the single-repository commands (once, plan, tags, history).
type repoFlags struct {
	repo, branch, pushBranch, path, stateDir string
	authorName, authorEmail                  string
	auth                                     gitwriter.Auth
	insecureRegistries                       []string
}

func (f *repoFlags) bind(cmd *cobra.Command, writes bool) {
	fs := cmd.Flags()
	fs.StringVar(&f.repo, "repo", "", "URL of the config repository (file://, http(s)://, git://, ssh://)")
	fs.StringVar(&f.branch, "branch", "", "branch to update (default: the remote's HEAD)")
	fs.StringVar(&f.path, "path", "", "directory inside the repository holding policies and manifests")
	fs.StringVar(&f.stateDir, "state-dir", "", "where clones and the tag cache are kept (default: a temporary directory)")
	fs.StringVar(&f.auth.SSHKeyFile, "ssh-key-file", "", "SSH private key file for ssh:// remotes")
	fs.StringVar(&f.auth.KnownHostsFile, "known-hosts-file", "", "known_hosts file that SSH host keys are checked against")
	fs.StringVar(&f.auth.Username, "git-username", "", "username for HTTPS remotes")
	fs.StringVar(&f.auth.PasswordFile, "git-password-file", "", "file holding the HTTPS password")
	fs.StringVar(&f.auth.TokenFile, "git-token-file", "", "file holding an HTTPS token")
	fs.StringVar(&f.auth.CAFile, "git-ca-file", "", "CA bundle for the HTTPS remote")
	fs.StringSliceVar(&f.insecureRegistries, "insecure-registry", nil, "registry host to reach over plain HTTP (repeatable)")
	if writes {
		fs.StringVar(&f.pushBranch, "push-branch", "", "push to this branch instead of the checked-out one")
		fs.StringVar(&f.authorName, "author-name", "hoist", "commit author name")
		fs.StringVar(&f.authorEmail, "author-email", "hoist@localhost", "commit author email")
	}
}

func (f *repoFlags) check() error {
	if f.repo == "" {
		return errors.New("--repo is required")
	}
	return nil
}

// openRepo opens the config repository, cloning it into the state dir.
func (f *repoFlags) openRepo(ctx context.Context, a *app) (*gitwriter.Repo, error) {
	opts := []gitwriter.Option{gitwriter.WithLogger(a.log()), gitwriter.WithAuth(f.auth)}
	if f.branch != "" {
		opts = append(opts, gitwriter.WithBranch(f.branch))
	}
	if f.pushBranch != "" {
		opts = append(opts, gitwriter.WithPushBranch(f.pushBranch))
	}
	if f.authorName != "" || f.authorEmail != "" {
		opts = append(opts, gitwriter.WithAuthor(f.authorName, f.authorEmail))
	}
	if f.stateDir != "" {
		opts = append(opts, gitwriter.WithStateDir(filepath.Join(f.stateDir, "repos")))
	}
	return gitwriter.Open(ctx, f.repo, opts...)
}

// scanner builds the registry client, with its cache in the state dir.
func (f *repoFlags) scanner(a *app) (*registry.Scanner, error) {
	opts := []registry.Option{registry.WithLogger(a.log())}
	for _, h := range f.insecureRegistries {
		opts = append(opts, registry.WithHost(h, registry.HostConfig{Insecure: true}))
	}
	if f.stateDir != "" {
		if err := os.MkdirAll(f.stateDir, 0o700); err != nil {
			return nil, fmt.Errorf("creating state dir: %w", err)
		}
		opts = append(opts, registry.WithCache(filepath.Join(f.stateDir, "cache.db")))
	}
	return registry.New(opts...)
}
