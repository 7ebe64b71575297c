package config

// configAPIVersion and configKind identify a hoist service config file.
const (
	configAPIVersion = "hoist.dev/v1alpha1"
	configKind       = "Config"
)

// Config is hoist's service config. The zero value of every field means
// "use the default"; [Load] and [Parse] fill the defaults in.
type Config struct {
	// APIVersion must be hoist.dev/v1alpha1. Parse requires it; in a Config built
	// in code an empty value means the current version.
	APIVersion string `yaml:"apiVersion"`
	// Kind must be Config. Parse requires it; in a Config built in code an
	// empty value means Config.
	Kind string `yaml:"kind"`
	// Repositories are the config repositories hoist keeps up to date.
	Repositories []Repository `yaml:"repositories"`
	// Registries holds per-registry settings. A registry not listed here is
	// used anonymously over TLS with the registry package's defaults.
	Registries []Registry `yaml:"registries"`
	// Webhooks are the registry webhooks served under /hooks/<kind>.
	Webhooks []Webhook `yaml:"webhooks"`
	// Secrets maps the name of a Kubernetes secret that Flux objects in the
	// repositories refer to ("flux-system/gpg-key", or "name" for objects
	// without a namespace) to where it is mounted: a directory holding the
	// secret's keys as files (git.asc and passphrase for a signing key,
	// .dockerconfigjson for a registry), as a Secret volume mounts it, or a
	// single file (the armored key, or the docker config). hoist does not
	// read Kubernetes secrets itself.
	Secrets map[string]string `yaml:"secrets"`
	// Notifications are where hoist says what it did and what failed.
	Notifications []Notification `yaml:"notifications"`
	// NotificationSettings say when a repository counts as failing.
	NotificationSettings NotificationSettings `yaml:"notificationSettings"`

	// pos locates the keys of a parsed file; nil for a Config built in code.
	pos *positions
}

// Repository returns the repository called name.
func (c *Config) Repository(name string) (*Repository, bool) {
	for i := range c.Repositories {
		if c.Repositories[i].Name == name {
			return &c.Repositories[i], true
		}
	}
	return nil, false
}

// registryFor returns the settings for a registry host such as "ghcr.io" or
// "localhost:5000". Host names compare case-insensitively, and docker.io,
// index.docker.io and registry-1.docker.io are the same registry.
func (c *Config) registryFor(host string) (*Registry, bool) {
	want := normalizeHost(host)
	for i := range c.Registries {
		if normalizeHost(c.Registries[i].Host) == want {
			return &c.Registries[i], true
		}
	}
	return nil, false
}
