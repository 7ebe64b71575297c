package config

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// TestGitOptionsAgainstBareRepo: the options of a parsed repository make
// gitwriter push to the push branch with the configured author and message.
func TestGitOptionsAgainstBareRepo(t *testing.T) {
	bare := gittest.NewBare(t, filepath.Join(t.TempDir(), "config.git"), map[string]string{"a.yaml": "x: 1\n"})
	doc := head + `  - url: ` + bare + `
    branch: main
    pushBranch: hoist/updates
    author: {name: config-bot, email: bot@acme.example}
    commitTemplate: "chore: {{len .Updates}} update(s)\n"
`
	c, err := Parse("config.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	opts := c.Repositories[0].GitOptions()
	ctx := context.Background()
	repo, err := gitwriter.Open(ctx, bare, append(opts, gitwriter.WithStateDir(t.TempDir()))...)
	if err != nil {
		t.Fatalf("gitwriter.Open: %v", err)
	}
	defer repo.Close()
	out, err := repo.Update(ctx, func(_ context.Context, dir string) (gitwriter.Change, error) {
		err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("x: 2\n"), 0o644)
		return gitwriter.Change{Updates: []gitwriter.Update{{File: "a.yaml", Policy: "p", Old: "1", New: "2", From: "1", To: "2"}}}, err
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	got := []string{out.Branch, gittest.Git(t, bare, "log", "-1", "--format=%an <%ae>|%s", "hoist/updates")}
	want := []string{"hoist/updates", "config-bot <bot@acme.example>|chore: 1 update(s)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pushed branch and commit mismatch (-want +got):\n%s", diff)
	}
}

func TestGitwriterAuth(t *testing.T) {
	t.Setenv("HOIST_TEST_TOKEN", "t0ken")
	a := GitAuth{Username: "x-access-token", TokenEnv: "HOIST_TEST_TOKEN", CAFile: "/ca.pem"}.gitwriterAuth()
	if a.Token == nil || a.Password != nil || a.TokenFile != "" {
		t.Fatalf("gitwriterAuth() = %+v, want a token func only", a)
	}
	tok, err := a.Token()
	t.Setenv("HOIST_TEST_TOKEN", "rotated")
	rotated, _ := a.Token()
	got := []string{a.Username, a.CAFile, tok, rotated}
	if diff := cmp.Diff([]string{"x-access-token", "/ca.pem", "t0ken", "rotated"}, got); diff != "" || err != nil {
		t.Errorf("gitwriterAuth (user, CA, token, rotated token) mismatch, error %v (-want +got):\n%s", err, diff)
	}
}

// TestGitSecretsNeverOnDisk: a pass pushing over HTTP with a token from an
// environment variable leaves no file under the state dir holding it.
func TestGitSecretsNeverOnDisk(t *testing.T) {
	base := t.TempDir()
	gittest.NewBare(t, filepath.Join(base, "config.git"), map[string]string{"a.yaml": "x: 1\n"})
	srv := gittest.HTTP(t, base, "hoist-git-user", "s3cret-git-token")
	t.Setenv("HOIST_TEST_GIT_TOKEN", "s3cret-git-token")
	doc := head + "  - url: " + srv.URL("config.git") + "\n    auth: {username: hoist-git-user, tokenEnv: HOIST_TEST_GIT_TOKEN}\n"
	c, err := Parse("config.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	ctx := context.Background()
	repo, err := gitwriter.Open(ctx, c.Repositories[0].URL, append(c.Repositories[0].GitOptions(), gitwriter.WithStateDir(state))...)
	if err != nil {
		t.Fatalf("gitwriter.Open: %v", err)
	}
	defer repo.Close()
	_, err = repo.Update(ctx, func(_ context.Context, dir string) (gitwriter.Change, error) {
		err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("x: 2\n"), 0o644)
		return gitwriter.Change{Updates: []gitwriter.Update{{File: "a.yaml", Policy: "p", Old: "1", New: "2", From: "1", To: "2"}}}, err
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got := gittest.Git(t, filepath.Join(base, "config.git"), "show", "HEAD:a.yaml"); got != "x: 2" {
		t.Errorf("pushed a.yaml = %q, want x: 2", got)
	}
	noFileHolds(t, state, "s3cret-git-token")
}

// noFileHolds fails t if a file under dir contains one of secrets.
func noFileHolds(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", path, s)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRegistryOptionsAgainstRealRegistry: credentials named in the config
// (an env var and a file) and the CA reach a real TLS registry with basic
// auth; the same config without them is refused.
func TestRegistryOptionsAgainstRealRegistry(t *testing.T) {
	srv := registrytest.Start(t, registrytest.WithTLS(), registrytest.WithHtpasswd("hoist", "s3cret-pw"))
	registrytest.Push(t, srv.Host+"/acme/api:1.0.0", time.Unix(0, 0), srv.RemoteOptions()...)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte("s3cret-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOIST_TEST_REG_USER", "hoist")
	withAuth := "    auth: {usernameEnv: HOIST_TEST_REG_USER, passwordFile: pw}\n"
	for _, tc := range []struct {
		name, auth string
		want       []string
	}{{"with auth", withAuth, []string{"1.0.0"}}, {"without auth", "", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			doc := head + "  - url: /srv/x\nregistries:\n  - host: " + srv.Host + "\n    caFile: " + srv.CAFile + "\n" + tc.auth
			if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(filepath.Join(dir, "config.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			tags, err := listTags(t, c, srv.Host+"/acme/api")
			if diff := cmp.Diff(tc.want, tags); diff != "" || (tc.want == nil) != (err != nil) {
				t.Errorf("Tags = %v, %v; mismatch (-want +got):\n%s", tags, err, diff)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

func listTags(t *testing.T, c *Config, repo string) ([]string, error) {
	return listTagsWith(t, c, repo, registry.WithRetry(0, time.Millisecond))
}

func listTagsWith(t *testing.T, c *Config, repo string, opts ...registry.Option) ([]string, error) {
	s, err := registry.New(append(c.RegistryOptions(), opts...)...)
	if err != nil {
		t.Fatalf("registry.New: %v", err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Tags(ctx, repo)
}

// TestRegistrySecretsNeverOnDisk: after scanning a registry with
// credentials from environment variables and an inline user name, no file
// under the state dir holds any of them.
func TestRegistrySecretsNeverOnDisk(t *testing.T) {
	srv := registrytest.Start(t, registrytest.WithTLS(), registrytest.WithHtpasswd("hoist-env-user", "s3cret-env-pw"))
	registrytest.Push(t, srv.Host+"/acme/api:1.0.0", time.Unix(0, 0), srv.RemoteOptions()...)
	t.Setenv("HOIST_TEST_REG_USER", "hoist-env-user")
	t.Setenv("HOIST_TEST_REG_PW", "s3cret-env-pw")
	state := t.TempDir()
	for _, auth := range []string{
		"{usernameEnv: HOIST_TEST_REG_USER, passwordEnv: HOIST_TEST_REG_PW}",
		"{username: hoist-env-user, passwordEnv: HOIST_TEST_REG_PW}",
	} {
		doc := head + "  - url: /srv/x\nregistries:\n  - host: " + srv.Host + "\n    caFile: " + srv.CAFile + "\n    auth: " + auth + "\n"
		c, err := Parse("config.yaml", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		tags, err := listTagsWith(t, c, srv.Host+"/acme/api", registry.WithCache(filepath.Join(state, "cache.db")))
		if diff := cmp.Diff([]string{"1.0.0"}, tags); diff != "" || err != nil {
			t.Fatalf("Tags with auth %s = %v, %v; mismatch (-want +got):\n%s", auth, tags, err, diff)
		}
	}
	noFileHolds(t, state, "s3cret-env-pw", "hoist-env-user")
}

// fixedKeychain resolves every resource to one authenticator.
type fixedKeychain struct{ auth authn.Authenticator }

func (k fixedKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.auth, nil }

// TestKeychain: configured hosts read their secrets on every call (so a
// rotated secret is used), Docker Hub's aliases match, and hosts without
// configured credentials go to the fallback.
func TestKeychain(t *testing.T) {
	t.Setenv("HOIST_TEST_PW", "one")
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("t0ken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fallback := authn.FromConfig(authn.AuthConfig{Username: "from-docker-config"})
	k := keychain{fallback: fixedKeychain{fallback}, cfg: &Config{Registries: []Registry{
		{Host: "LocalHost:5000", Auth: RegistryAuth{Username: "bob", PasswordEnv: "HOIST_TEST_PW"}},
		{Host: "docker.io", Auth: RegistryAuth{TokenFile: tokenFile}},
		{Host: "ghcr.io", RateLimit: RateLimit{RPS: 1}},
		{Host: "quay.io", Auth: RegistryAuth{DockerConfigFile: "/config.json"}},
	}}}
	authz := func(host string) authn.AuthConfig {
		t.Helper()
		reg, err := name.NewRegistry(host)
		if err != nil {
			t.Fatal(err)
		}
		a, err := k.Resolve(reg)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", host, err)
		}
		ac, err := a.Authorization()
		if err != nil {
			t.Fatalf("Authorization of %s: %v", host, err)
		}
		return *ac
	}
	got := []authn.AuthConfig{authz("localhost:5000"), authz("index.docker.io"), authz("ghcr.io"), authz("quay.io"), authz("example.com")}
	t.Setenv("HOIST_TEST_PW", "two")
	got = append(got, authz("localhost:5000"))
	fromDocker := authn.AuthConfig{Username: "from-docker-config"}
	want := []authn.AuthConfig{{Username: "bob", Password: "one"}, {RegistryToken: "t0ken"}, fromDocker, fromDocker, fromDocker,
		{Username: "bob", Password: "two"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("credentials per host mismatch (-want +got):\n%s", diff)
	}
}

// TestKeychainErrorsHideSecrets: a missing secret is an error naming where
// it should be.
func TestKeychainErrorsHideSecrets(t *testing.T) {
	t.Setenv("HOIST_TEST_USER", "s3cret-user")
	a := secretAuth{host: "h", auth: RegistryAuth{UsernameEnv: "HOIST_TEST_USER", PasswordEnv: "HOIST_TEST_UNSET"}}
	_, err := a.Authorization()
	if want := "registry h: password: reading secret: environment variable HOIST_TEST_UNSET is not set"; err == nil || err.Error() != want {
		t.Errorf("Authorization() error = %v, want %s", err, want)
	}
}

func TestHostConfigNamesNoSecret(t *testing.T) {
	r := Registry{Host: "LocalHost:5000", CAFile: "/ca", Auth: RegistryAuth{Username: "bob", PasswordFile: "/pw", DockerConfigFile: "/d"},
		RateLimit: RateLimit{RPS: 2.5, Burst: 3, MaxConcurrent: 1}}
	want := registry.HostConfig{CAFile: "/ca", DockerConfigFile: "/d", RPS: 2.5, Burst: 3, MaxConcurrent: 1}
	if diff := cmp.Diff(want, r.hostConfig()); diff != "" {
		t.Errorf("hostConfig mismatch (-want +got):\n%s", diff)
	}
}
