package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestLoadFull(t *testing.T) {
	got, err := Load(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		APIVersion: configAPIVersion,
		Kind:       configKind,
		Repositories: []Repository{{
			Name:       "platform",
			URL:        "ssh://git@github.com/acme/config.git",
			Branch:     "main",
			PushBranch: "hoist/updates",
			Path:       "clusters/prod",
			Schedule:   "*/10 * * * *",
			Auth: GitAuth{
				SSHKeyFile:        "/etc/hoist/ssh/identity",
				SSHPassphraseFile: "/etc/hoist/ssh/passphrase",
				KnownHostsFile:    "/etc/hoist/ssh/known_hosts",
			},
			Author:         Author{Name: "hoist-bot", Email: "bot@acme.example"},
			Signing:        Signing{OpenPGPKeyFile: "/etc/hoist/gpg/key.asc", OpenPGPPassphraseFile: "/etc/hoist/gpg/pass"},
			CommitTemplate: "Update images\n\n{{ range .Updates }}- {{ .Policy }}: {{ .From }} -> {{ .To }}\n{{ end }}\n",
			PushOptions:    []string{"merge_request.create"},
		}, {
			Name:     "acme-apps",
			URL:      "https://gitlab.example/acme/apps.git",
			Schedule: defaultSchedule,
			Auth:     GitAuth{Username: "hoist", TokenFile: filepath.Join("testdata", "secrets", "gitlab-token")},
			Author:   Author{Name: DefaultAuthorName, Email: DefaultAuthorEmail},
		}},
		Registries: []Registry{{
			Host:      "ghcr.io",
			Auth:      RegistryAuth{UsernameEnv: "GHCR_USER", PasswordEnv: "GHCR_TOKEN"},
			RateLimit: RateLimit{RPS: 5, Burst: 10, MaxConcurrent: 4},
		}, {
			Host:     "localhost:5000",
			Insecure: true,
			CAFile:   filepath.Join("testdata", "ca.pem"),
			Auth:     RegistryAuth{DockerConfigFile: "/etc/hoist/docker/config.json"},
		}},
		Webhooks: []Webhook{
			{Kind: webhookDistribution, SecretFile: "/etc/hoist/secrets/hook"},
			{Kind: webhookGitHub, SecretEnv: "HOOK_SECRET"},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Config{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Load(full.yaml) mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadMissingFile(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope.yaml")); err == nil {
		t.Fatal("Load of a missing file: got nil error")
	}
}

func TestLookups(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := c.Repository("acme-apps"); !ok || r.URL != "https://gitlab.example/acme/apps.git" {
		t.Errorf(`Repository("acme-apps") = %v, %v`, r, ok)
	}
	if _, ok := c.Repository("nope"); ok {
		t.Error(`Repository("nope") found something`)
	}
	if r, ok := c.registryFor("GHCR.io"); !ok || r.Host != "ghcr.io" {
		t.Errorf(`Registry("GHCR.io") = %v, %v`, r, ok)
	}
	if _, ok := c.registryFor("docker.io"); ok {
		t.Error(`Registry("docker.io") found something`)
	}
}

// TestDeploySampleConfig keeps the sample config shipped in deploy/ valid.
func TestDeploySampleConfig(t *testing.T) {
	p := filepath.Join("..", "..", "..", "..", "deploy", "base", "config.yaml")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the deploy sample config is missing: %v", err)
	}
	if _, err := Load(p); err != nil {
		t.Errorf("Load(%s): %v", p, err)
	}
}

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("full.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
