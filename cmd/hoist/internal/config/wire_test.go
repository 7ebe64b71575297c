package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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
	opts, err := c.Repositories[0].GitOptions(t.TempDir())
	if err != nil {
		t.Fatalf("GitOptions: %v", err)
	}
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
	dir := t.TempDir()
	t.Setenv("HOIST_TEST_TOKEN", "t0ken")
	a := GitAuth{Username: "x-access-token", TokenEnv: "HOIST_TEST_TOKEN", CAFile: "/ca.pem"}
	got, err := a.gitwriterAuth(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := gitwriter.Auth{Username: "x-access-token", TokenFile: filepath.Join(dir, "env-HOIST_TEST_TOKEN"), CAFile: "/ca.pem"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gitwriterAuth mismatch (-want +got):\n%s", diff)
	}
	if b, _ := os.ReadFile(got.TokenFile); string(b) != "t0ken" {
		t.Errorf("token file holds %q", b)
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
	opts, err := c.RegistryOptions(filepath.Join(t.TempDir(), "secrets"))
	if err != nil {
		t.Fatalf("RegistryOptions: %v", err)
	}
	s, err := registry.New(append(opts, registry.WithRetry(0, time.Millisecond))...)
	if err != nil {
		t.Fatalf("registry.New: %v", err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Tags(ctx, repo)
}

func TestHostConfigInlineUsername(t *testing.T) {
	dir := t.TempDir()
	r := Registry{Host: "LocalHost:5000", Auth: RegistryAuth{Username: "bob", PasswordFile: "/pw"},
		RateLimit: RateLimit{RPS: 2.5, Burst: 3, MaxConcurrent: 1}}
	got, err := r.HostConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := registry.HostConfig{UsernameFile: filepath.Join(dir, "username-localhost_5000"), PasswordFile: "/pw",
		RPS: 2.5, Burst: 3, MaxConcurrent: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("HostConfig mismatch (-want +got):\n%s", diff)
	}
	if b, _ := os.ReadFile(got.UsernameFile); string(b) != "bob" {
		t.Errorf("username file holds %q, want bob", b)
	}
}
