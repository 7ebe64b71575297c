package config

import (
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/registry"
)

// GitOptions returns the gitwriter options that r sets: branch, push
// branch, auth, author, signing key, message template and push options.
// Secrets named by environment variable are written to files under
// secretDir (SecretRef.filePath), since gitwriter reads files. Call
// [Repository.Default] (Load and Parse do) first, so the author is set.
func (r Repository) GitOptions(secretDir string) ([]gitwriter.Option, error) {
	auth, err := r.Auth.gitwriterAuth(secretDir)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", r.Name, err)
	}
	opts := []gitwriter.Option{gitwriter.WithAuth(auth), gitwriter.WithAuthor(r.Author.Name, r.Author.Email)}
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
	return opts, nil
}

func (a GitAuth) gitwriterAuth(secretDir string) (gitwriter.Auth, error) {
	pw, err := a.password().filePath(secretDir)
	if err != nil {
		return gitwriter.Auth{}, err
	}
	tok, err := a.token().filePath(secretDir)
	if err != nil {
		return gitwriter.Auth{}, err
	}
	return gitwriter.Auth{
		SSHKeyFile: a.SSHKeyFile, SSHPassphraseFile: a.SSHPassphraseFile,
		KnownHostsFile: a.KnownHostsFile, InsecureSkipHostKeyCheck: a.InsecureSkipHostKeyCheck,
		Username: a.Username, UsernameFile: a.UsernameFile,
		PasswordFile: pw, TokenFile: tok, CAFile: a.CAFile,
	}, nil
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
