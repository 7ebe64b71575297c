// Package config parses and validates hoist's service config file.
//
// The file names the config repositories hoist keeps up to date, the
// registries it scans and the webhooks that trigger a pass:
//
//	apiVersion: hoist.dev/v1alpha1
//	kind: Config
//	repositories:
//	  - url: ssh://git@github.com/acme/config.git
//	    schedule: "@every 5m"
//	    auth: {sshKeyFile: /etc/hoist/ssh/identity, knownHostsFile: /etc/hoist/ssh/known_hosts}
//	registries:
//	  - host: ghcr.io
//	    auth: {usernameFile: /etc/hoist/ghcr/user, tokenFile: /etc/hoist/ghcr/token}
//	webhooks:
//	  - kind: distribution
//	    secretEnv: HOOK_SECRET
//
// [Load] and [Parse] decode the file, apply defaults and validate it.
// Every problem is reported, not just the first (up to 100, then a count):
// the returned error has one line per problem, naming the file, line and
// key path, as in
//
//	config.yaml:12: repositories[0].schedul: unknown key (did you mean "schedule"?)
//
// Parse looks only at the file. [Config.CheckReferences] then checks
// that every named file exists and every named environment variable is set,
// where the secrets are mounted.
//
// Secrets are never written inline: the file names a file path or an
// environment variable holding each one, and [SecretRef.Read] reads it
// when needed. [Config.RegistryOptions] gives the registry package a
// keychain that reads registry credentials on every request, so none is
// copied to disk. An inline key such as password: or token: is an error,
// and no error of this package contains a secret value.
package config
