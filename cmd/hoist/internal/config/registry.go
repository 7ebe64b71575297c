package config

import "strings"

// Registry holds the settings for one registry host.
type Registry struct {
	// Host is the registry host, with an optional port: "ghcr.io",
	// "localhost:5000". It must be unique.
	Host string `yaml:"host"`
	// Insecure allows plain HTTP and unverified TLS. Tests only.
	Insecure bool `yaml:"insecure"`
	// CAFile holds PEM certificates trusted for this registry, in addition
	// to the system roots.
	CAFile string `yaml:"caFile"`
	// CertFile and KeyFile hold a TLS client certificate and its key. Set
	// both or neither.
	CertFile string `yaml:"certFile"`
	KeyFile  string `yaml:"keyFile"`
	// Auth holds the credentials. The default is anonymous access.
	Auth RegistryAuth `yaml:"auth"`
	// RateLimit bounds the requests hoist sends to this registry.
	RateLimit RateLimit `yaml:"rateLimit"`
}

// RegistryAuth holds registry credentials: a docker config file, or a user
// name with a password, or a token. Every secret is named by a file path
// (…File) or an environment variable name (…Env), never inline.
type RegistryAuth struct {
	// DockerConfigFile is a docker config.json (or a pull secret's
	// .dockerconfigjson) whose entry for Host is used.
	DockerConfigFile string `yaml:"dockerConfigFile"`
	// Username is the user name (not a secret).
	Username string `yaml:"username"`
	// UsernameFile holds the user name.
	UsernameFile string `yaml:"usernameFile"`
	// UsernameEnv names the environment variable holding the user name.
	UsernameEnv string `yaml:"usernameEnv"`
	// PasswordFile holds the password.
	PasswordFile string `yaml:"passwordFile"`
	// PasswordEnv names the environment variable holding the password.
	PasswordEnv string `yaml:"passwordEnv"`
	// TokenFile holds a registry bearer token, used alone (for a personal
	// access token that goes with a user name, use the password fields).
	TokenFile string `yaml:"tokenFile"`
	// TokenEnv names the environment variable holding the token.
	TokenEnv string `yaml:"tokenEnv"`
}

// RateLimit bounds the requests sent to one registry. A zero field means the
// registry package's default; a field set in the file must be positive.
type RateLimit struct {
	// RPS is the sustained number of requests per second.
	RPS float64 `yaml:"rps"`
	// Burst is how many requests may go at once above RPS.
	Burst int `yaml:"burst"`
	// MaxConcurrent is how many requests may be in flight at once.
	MaxConcurrent int `yaml:"maxConcurrent"`
}

// usernameRef returns where the user name is; use Username first.
func (a RegistryAuth) usernameRef() SecretRef {
	return SecretRef{File: a.UsernameFile, Env: a.UsernameEnv}
}

// password returns where the password is.
func (a RegistryAuth) password() SecretRef {
	return SecretRef{File: a.PasswordFile, Env: a.PasswordEnv}
}

// token returns where the token is.
func (a RegistryAuth) token() SecretRef { return SecretRef{File: a.TokenFile, Env: a.TokenEnv} }

// normalizeHost lower-cases a registry host and maps Docker Hub's aliases to
// docker.io.
func normalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	switch h {
	case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		return "docker.io"
	}
	return h
}
