package registry

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// HostConfig is the configuration of one registry host. The zero value of
// each field means its default. Secrets are never inline: the *File fields
// are paths of files holding them, read when needed (so rotated secrets are
// picked up).
type HostConfig struct {
	// Insecure uses plain HTTP instead of HTTPS. The default is HTTPS with
	// certificate verification, except on loopback hosts (localhost,
	// 127.0.0.0/8, [::1]) without CAFile or a client certificate: there
	// HTTPS is tried first and plain HTTP used when the server answers in
	// it, as docker and crane do. Private address ranges are not loopback.
	Insecure bool
	// CAFile is a PEM file of extra CAs trusted for this host, added to the
	// system pool.
	CAFile string
	// CertFile and KeyFile are a PEM client certificate and key (mutual TLS).
	CertFile, KeyFile string
	// UsernameFile and PasswordFile hold basic credentials.
	UsernameFile, PasswordFile string
	// TokenFile holds a registry bearer token used as is; with UsernameFile
	// (and no PasswordFile) it is a personal access token sent as the
	// password, as `docker login` does.
	TokenFile string
	// DockerConfigFile is a docker config.json or a Kubernetes
	// kubernetes.io/dockerconfigjson secret file; its "auths" entry for this
	// host, or its credential helper, is used.
	DockerConfigFile string
	// RPS is the most requests per second sent to this host; a negative value
	// means no limit. The default is 2 for Docker Hub and 20 for other hosts.
	RPS float64
	// Burst is how many requests may be sent at once above RPS. The default
	// is 10 for Docker Hub and 40 for other hosts.
	Burst int
	// MaxConcurrent is the most requests in flight to this host. The default
	// is 4 for Docker Hub and 8 for other hosts.
	MaxConcurrent int
}

// validate rejects settings that cannot work.
func (c HostConfig) validate() error {
	switch {
	case c.Burst < 0 || c.MaxConcurrent < 0:
		return fmt.Errorf("burst and max concurrent must not be negative, got %d and %d", c.Burst, c.MaxConcurrent)
	case (c.CertFile == "") != (c.KeyFile == ""):
		return fmt.Errorf("a client certificate needs both a cert file and a key file")
	case (c.UsernameFile == "") != (c.PasswordFile == "") && c.TokenFile == "":
		return fmt.Errorf("basic auth needs both a username file and a password file (or a token file)")
	}
	return nil
}

// merge returns c with its zero fields taken from d.
func (c HostConfig) merge(d HostConfig) HostConfig {
	c.Insecure = c.Insecure || d.Insecure
	pick := func(a *string, b string) {
		if *a == "" {
			*a = b
		}
	}
	pick(&c.CAFile, d.CAFile)
	pick(&c.CertFile, d.CertFile)
	pick(&c.KeyFile, d.KeyFile)
	pick(&c.UsernameFile, d.UsernameFile)
	pick(&c.PasswordFile, d.PasswordFile)
	pick(&c.TokenFile, d.TokenFile)
	pick(&c.DockerConfigFile, d.DockerConfigFile)
	if c.RPS == 0 {
		c.RPS = d.RPS
	}
	if c.Burst == 0 {
		c.Burst = d.Burst
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = d.MaxConcurrent
	}
	return c
}

// builtinConfig is the default limits for host.
func builtinConfig(host string) HostConfig {
	if isDockerHub(host) {
		return HostConfig{RPS: 2, Burst: 10, MaxConcurrent: 4}
	}
	return HostConfig{RPS: 20, Burst: 40, MaxConcurrent: 8}
}

func isDockerHub(host string) bool {
	switch host {
	case name.DefaultRegistry, "docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		return true
	}
	return false
}

// normalizeHost maps the spellings of a registry host to one key.
func normalizeHost(host string) string {
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://"), "/"))
	if isDockerHub(host) {
		return name.DefaultRegistry
	}
	return host
}

// hasCredentials reports whether c names credentials of its own.
func (c HostConfig) hasCredentials() bool {
	return c.UsernameFile != "" || c.PasswordFile != "" || c.TokenFile != "" || c.DockerConfigFile != ""
}
