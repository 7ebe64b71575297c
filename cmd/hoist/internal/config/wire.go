package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/registry"
)

// GitOptions returns the gitwriter options that r sets: branch, push
// branch, auth, author, signing key, message template and push options.
// Secrets named by environment variable are written to files under
// secretDir ([SecretRef.FilePath]), since gitwriter reads files. Call
// [Config.Default] (Load and Parse do) first, so the author is set.
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
	pw, err := a.Password().FilePath(secretDir)
	if err != nil {
		return gitwriter.Auth{}, err
	}
	tok, err := a.Token().FilePath(secretDir)
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

// RegistryOptions returns a registry.WithHost option per registry in c.
// Secrets named by environment variable, and an inline username, are
// written to files under secretDir, since the registry package reads files.
func (c *Config) RegistryOptions(secretDir string) ([]registry.Option, error) {
	opts := make([]registry.Option, 0, len(c.Registries))
	for _, r := range c.Registries {
		hc, err := r.HostConfig(secretDir)
		if err != nil {
			return nil, err
		}
		opts = append(opts, registry.WithHost(r.Host, hc))
	}
	return opts, nil
}

// HostConfig returns the registry package's settings for r; see
// [Config.RegistryOptions] for secretDir.
func (r Registry) HostConfig(secretDir string) (registry.HostConfig, error) {
	hc := registry.HostConfig{
		Insecure: r.Insecure, CAFile: r.CAFile, CertFile: r.CertFile, KeyFile: r.KeyFile,
		DockerConfigFile: r.Auth.DockerConfigFile,
		RPS:              r.RateLimit.RPS, Burst: r.RateLimit.Burst, MaxConcurrent: r.RateLimit.MaxConcurrent,
	}
	var err error
	files := []struct {
		dst *string
		ref SecretRef
	}{{&hc.UsernameFile, r.Auth.UsernameRef()}, {&hc.PasswordFile, r.Auth.Password()}, {&hc.TokenFile, r.Auth.Token()}}
	for _, f := range files {
		if *f.dst, err = f.ref.FilePath(secretDir); err != nil {
			return hc, fmt.Errorf("registry %s: %w", r.Host, err)
		}
	}
	if r.Auth.Username != "" {
		if hc.UsernameFile, err = writeUsername(secretDir, r.Host, r.Auth.Username); err != nil {
			return hc, fmt.Errorf("registry %s: %w", r.Host, err)
		}
	}
	return hc, nil
}

// writeUsername writes an inline user name to a file for the registry
// package, which reads user names from files.
func writeUsername(dir, host, user string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("writing user name: %w", err)
	}
	name := "username-" + strings.NewReplacer(":", "_", "/", "_", "[", "", "]", "").Replace(normalizeHost(host))
	dst := filepath.Join(dir, name)
	if err := writePrivate(dst, []byte(user)); err != nil {
		return "", fmt.Errorf("writing user name: %w", err)
	}
	return dst, nil
}
