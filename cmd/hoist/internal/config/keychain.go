package config

import (
	"fmt"
	"log/slog"

	"github.com/google/go-containerregistry/pkg/authn"
)

// keychain gives the registries of a config that name a user, password or
// token an authenticator reading them where they are, on every request,
// so nothing is copied to disk and rotated secrets are picked up. Other
// hosts get the fallback's credentials.
type keychain struct {
	cfg      *Config // only its registries
	fallback authn.Keychain
}

var _ authn.Keychain = keychain{}

// Resolve returns the credentials of r's host.
func (k keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if reg, ok := k.cfg.registryFor(r.RegistryStr()); ok && reg.Auth.hasSecrets() {
		return secretAuth{host: reg.Host, auth: reg.Auth}, nil
	}
	return k.fallback.Resolve(r)
}

// hasSecrets reports whether a names a user, password or token.
func (a RegistryAuth) hasSecrets() bool {
	return a.Username != "" || !a.usernameRef().isZero() || !a.password().isZero() || !a.token().isZero()
}

// secretAuth reads the credentials of one registry each time it is asked.
type secretAuth struct {
	host string
	auth RegistryAuth
}

var _ authn.Authenticator = secretAuth{}

// LogValue names the host, never the credentials.
func (a secretAuth) LogValue() slog.Value {
	return slog.StringValue("config credentials for " + a.host)
}

// Authorization reads a bearer token, or a user name and password. Its
// errors name where a secret is, never the secret.
func (a secretAuth) Authorization() (*authn.AuthConfig, error) {
	if !a.auth.token().isZero() {
		tok, err := a.auth.token().ReadString()
		if err != nil {
			return nil, fmt.Errorf("registry %s: token: %w", a.host, err)
		}
		return &authn.AuthConfig{RegistryToken: tok}, nil
	}
	user := a.auth.Username
	if user == "" {
		var err error
		if user, err = a.auth.usernameRef().ReadString(); err != nil {
			return nil, fmt.Errorf("registry %s: user name: %w", a.host, err)
		}
	}
	pw, err := a.auth.password().ReadString()
	if err != nil {
		return nil, fmt.Errorf("registry %s: password: %w", a.host, err)
	}
	return &authn.AuthConfig{Username: user, Password: pw}, nil
}
