package config

import (
	"slices"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/registry"
)

// GitOptions returns the gitwriter options that r sets: branch, push
// branch, auth, author, signing key, message template and push options.
// Secrets named by environment variable are read from it at each network
// operation, never copied to disk. Call [Repository.Default] (Load and
// Parse do) first, so the author is set.
func (r Repository) GitOptions() []gitwriter.Option {
	opts := []gitwriter.Option{gitwriter.WithAuth(r.Auth.gitwriterAuth()), gitwriter.WithAuthor(r.Author.Name, r.Author.Email)}
	if r.Branch != "" {
		opts = append(opts, gitwriter.WithBranch(r.Branch))
	}
	if r.PushBranch != "" {
		opts = append(opts, gitwriter.WithPushBranch(r.PushBranch))
	}
	if k, ok := r.Signing.key(); ok {
		opts = append(opts, gitwriter.WithSigner(k))
	}
	if r.CommitTemplate != "" {
		opts = append(opts, gitwriter.WithMessageTemplate(r.CommitTemplate))
	}
	if len(r.PushOptions) > 0 {
		opts = append(opts, gitwriter.WithPushOptions(r.PushOptions...))
	}
	return opts
}

// gitwriterAuth passes files as paths and the password and token as funcs
// reading them where they are.
func (a GitAuth) gitwriterAuth() gitwriter.Auth {
	return gitwriter.Auth{
		SSHKeyFile: a.SSHKeyFile, SSHPassphraseFile: a.SSHPassphraseFile,
		KnownHostsFile: a.KnownHostsFile, InsecureSkipHostKeyCheck: a.InsecureSkipHostKeyCheck,
		Username: a.Username, UsernameFile: a.UsernameFile,
		Password: a.password().reader(), Token: a.token().reader(), CAFile: a.CAFile,
	}
}

func (s Signing) key() (gitwriter.SigningKey, bool) {
	switch {
	case s.OpenPGPKeyFile != "":
		return gitwriter.SigningKey{Format: "openpgp", KeyFile: s.OpenPGPKeyFile, PassphraseFile: s.OpenPGPPassphraseFile}, true
	case s.SSHKeyFile != "":
		return gitwriter.SigningKey{Format: "ssh", KeyFile: s.SSHKeyFile}, true
	}
	return gitwriter.SigningKey{}, false
}

// RegistryOptions returns a registry.WithHost option per registry in c and
// a registry.WithKeychain that gives the registries naming a user, password
// or token the credentials read from their files or environment variables
// on every request (so rotated secrets are picked up and nothing is written
// to disk). Other hosts get [authn.DefaultKeychain]: the docker config.
func (c *Config) RegistryOptions() []registry.Option {
	opts := make([]registry.Option, 0, len(c.Registries)+1)
	for _, r := range c.Registries {
		opts = append(opts, registry.WithHost(r.Host, r.hostConfig()))
	}
	k := keychain{cfg: &Config{Registries: slices.Clone(c.Registries)}, fallback: authn.DefaultKeychain}
	return append(opts, registry.WithKeychain(k))
}

// hostConfig returns the registry package's settings for r. It names no
// secret but a docker config file: the keychain of RegistryOptions holds
// the others.
func (r Registry) hostConfig() registry.HostConfig {
	return registry.HostConfig{
		Insecure: r.Insecure, CAFile: r.CAFile, CertFile: r.CertFile, KeyFile: r.KeyFile,
		DockerConfigFile: r.Auth.DockerConfigFile,
		RPS:              r.RateLimit.RPS, Burst: r.RateLimit.Burst, MaxConcurrent: r.RateLimit.MaxConcurrent,
	}
}
