package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// fileAuth reads credentials from the files of a HostConfig each time they
// are needed, so rotated secrets are picked up.
type fileAuth struct {
	host string
	cfg  HostConfig
}

var _ authn.Authenticator = fileAuth{}

// LogValue keeps file contents out of logs.
func (a fileAuth) LogValue() slog.Value { return slog.StringValue("file credentials for " + a.host) }

func (a fileAuth) Authorization() (*authn.AuthConfig, error) {
	switch {
	case a.cfg.TokenFile != "" && a.cfg.UsernameFile != "" && a.cfg.PasswordFile == "":
		user, err := readSecret(a.cfg.UsernameFile)
		if err != nil {
			return nil, err
		}
		tok, err := readSecret(a.cfg.TokenFile) // a personal access token, sent as the password
		return &authn.AuthConfig{Username: user, Password: tok}, err
	case a.cfg.TokenFile != "":
		tok, err := readSecret(a.cfg.TokenFile)
		return &authn.AuthConfig{RegistryToken: tok}, err
	case a.cfg.UsernameFile != "" || a.cfg.PasswordFile != "":
		user, err := readSecret(a.cfg.UsernameFile)
		if err != nil {
			return nil, err
		}
		pass, err := readSecret(a.cfg.PasswordFile)
		return &authn.AuthConfig{Username: user, Password: pass}, err
	default:
		return dockerConfigAuth(a.cfg.DockerConfigFile, a.host)
	}
}

// readSecret reads a secret file, trimming the trailing newline. Its error
// names the file, never the contents.
func readSecret(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading secret file: %w", err)
	}
	return strings.TrimRight(string(data), "\r\n"), nil
}

// dockerConfig is the part of config.json (or a dockerconfigjson secret) we read.
type dockerConfig struct {
	Auths       map[string]dockerAuth `json:"auths"`
	CredHelpers map[string]string     `json:"credHelpers"`
	CredsStore  string                `json:"credsStore"`
}

type dockerAuth struct {
	Auth          string `json:"auth"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	IdentityToken string `json:"identitytoken"`
	RegistryToken string `json:"registrytoken"`
}

// dockerConfigAuth finds host's credentials in a docker config file.
func dockerConfigAuth(path, host string) (*authn.AuthConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading docker config file: %w", err)
	}
	var cfg dockerConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("parsing docker config file %s: invalid JSON", path)
	}
	if cfg.Auths == nil { // the legacy .dockercfg form: auths at the top level
		var legacy map[string]dockerAuth
		if json.Unmarshal(data, &legacy) == nil {
			cfg.Auths = legacy
		}
	}
	for key, a := range cfg.Auths {
		if normalizeHost(authKeyHost(key)) == host {
			return a.config()
		}
	}
	helper := cfg.CredHelpers[host]
	if helper == "" && isDockerHub(host) {
		helper = cfg.CredHelpers["docker.io"]
	}
	if helper == "" {
		helper = cfg.CredsStore
	}
	if helper != "" {
		return credentialHelper(helper, host)
	}
	return &authn.AuthConfig{}, nil
}

// authKeyHost turns an auths key ("https://index.docker.io/v1/") into a host.
func authKeyHost(key string) string {
	key = strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	if i := strings.IndexByte(key, '/'); i >= 0 {
		key = key[:i]
	}
	return key
}

func (a dockerAuth) config() (*authn.AuthConfig, error) {
	c := &authn.AuthConfig{Username: a.Username, Password: a.Password,
		IdentityToken: a.IdentityToken, RegistryToken: a.RegistryToken}
	if a.Auth != "" {
		raw, err := base64.StdEncoding.DecodeString(a.Auth)
		if err != nil {
			return nil, fmt.Errorf("decoding docker config auth: invalid base64")
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if !ok {
			return nil, fmt.Errorf("decoding docker config auth: no colon")
		}
		c.Username, c.Password = user, pass
	}
	return c, nil
}

// credentialHelper runs docker-credential-<helper> get for host.
func credentialHelper(helper, host string) (*authn.AuthConfig, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker-credential-"+helper, "get")
	cmd.Stdin = strings.NewReader(host)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("running credential helper %s for %s: %w", helper, host, err)
	}
	var cred struct{ Username, Secret string }
	if err := json.Unmarshal(out.Bytes(), &cred); err != nil {
		return nil, fmt.Errorf("credential helper %s for %s: invalid output", helper, host)
	}
	if cred.Username == "<token>" {
		return &authn.AuthConfig{IdentityToken: cred.Secret}, nil
	}
	return &authn.AuthConfig{Username: cred.Username, Password: cred.Secret}, nil
}

// authenticator picks the credentials of host: its credential files, else
// the keychain.
// authenticator returns the credentials of host: its credential files, else
// what the keychain has for it, else (the keychain has nothing) the docker
// config a repository named for it (UseDockerConfig), else anonymous.
func authenticator(host string, reg name.Registry, c HostConfig, k authn.Keychain, dockerConfig string) (authn.Authenticator, error) {
	if c.hasCredentials() {
		return fileAuth{host: host, cfg: c}, nil
	}
	a, err := k.Resolve(reg)
	if err != nil {
		return nil, fmt.Errorf("resolving credentials of %s: %w", host, err)
	}
	if a == authn.Anonymous && dockerConfig != "" {
		return fileAuth{host: host, cfg: HostConfig{DockerConfigFile: dockerConfig}}, nil
	}
	return a, nil
}

// parseChallenge parses a WWW-Authenticate header: scheme and parameters.
func parseChallenge(h string) (string, map[string]string) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	params := map[string]string{}
	for rest != "" {
		rest = strings.TrimLeft(rest, " ,")
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		key = strings.ToLower(strings.TrimSpace(key))
		var val string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				val, rest = after[1:], ""
			} else {
				val, rest = after[1:end+1], after[end+2:]
			}
		} else {
			val, rest, _ = strings.Cut(after, ",")
		}
		params[key] = val
	}
	return strings.ToLower(scheme), params
}
