package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidateBuiltInCode(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{{
		name: "minimal after Default",
		cfg:  Config{Repositories: []Repository{{URL: "file:///srv/config.git"}}},
	}, {
		name: "zero rate limits mean the default",
		cfg: Config{
			Repositories: []Repository{{URL: "/srv/config.git"}},
			Registries:   []Registry{{Host: "ghcr.io"}},
		},
	}, {
		name: "negative limits, no lines",
		cfg: Config{
			Repositories: []Repository{{URL: "/srv/config.git"}},
			Registries:   []Registry{{Host: "ghcr.io", RateLimit: RateLimit{RPS: -1, MaxConcurrent: -2}}},
		},
		want: []string{
			"registries[0].rateLimit.rps: must be a positive number",
			"registries[0].rateLimit.maxConcurrent: must be a positive number",
		},
	}, {
		name: "auth rules",
		cfg: Config{Repositories: []Repository{{
			URL: "https://h/a.git",
			Auth: GitAuth{Username: "u", UsernameFile: "/u", PasswordFile: "/p", PasswordEnv: "P",
				TokenFile: "/t"},
			Signing: Signing{OpenPGPKeyFile: "/k", SSHKeyFile: "/s"},
			Author:  Author{Name: "a <b>", Email: "nope"},
		}, {
			URL:     "ssh://git@h/b.git",
			Auth:    GitAuth{SSHPassphraseFile: "/pp", KnownHostsFile: "/kh", InsecureSkipHostKeyCheck: true},
			Signing: Signing{OpenPGPPassphraseFile: "/x"},
		}}},
		want: []string{
			"repositories[0].auth.usernameFile: set only one of username and usernameFile",
			"repositories[0].auth.passwordEnv: set only one of passwordFile and passwordEnv",
			"repositories[0].auth: set either a password or a token, not both",
			"repositories[0].author.name: must be one line without '<' or '>'",
			"repositories[0].author.email: must be an address like hoist@example.com",
			"repositories[0].signing: set either openPGPKeyFile or sshKeyFile, not both",
			"repositories[1].auth.sshPassphraseFile: needs sshKeyFile",
			"repositories[1].auth.insecureSkipHostKeyCheck: set only one of knownHostsFile and insecureSkipHostKeyCheck",
			"repositories[1].signing.openPGPPassphraseFile: needs openPGPKeyFile",
		},
	}, {
		name: "registry username without secret",
		cfg: Config{
			Repositories: []Repository{{URL: "/srv/config.git"}},
			Registries:   []Registry{{Host: "[::1]:5000", Auth: RegistryAuth{Username: "u", UsernameEnv: "U"}}},
		},
		want: []string{
			"registries[0].auth: set only one of username, usernameFile and usernameEnv",
			"registries[0].auth: a username needs a password",
		},
	}, {
		name: "no repositories, wrong kind",
		cfg:  Config{Kind: "ConfigMap"},
		want: []string{
			"kind: must be Config",
			"repositories: at least one repository is required",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.setDefaults()
			if diff := cmp.Diff(tc.want, errLines(tc.cfg.validate())); diff != "" {
				t.Errorf("validate() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	c := Config{Repositories: []Repository{{URL: "git@github.com:acme/config.git", Author: Author{Name: "bot"}}}}
	c.setDefaults()
	want := Config{
		APIVersion: configAPIVersion,
		Kind:       configKind,
		Repositories: []Repository{{
			Name:     "acme-config",
			URL:      "git@github.com:acme/config.git",
			Schedule: defaultSchedule,
			Author:   Author{Name: "bot", Email: DefaultAuthorEmail},
		}},
	}
	if diff := cmp.Diff(want, c, cmp.AllowUnexported(Config{})); diff != "" {
		t.Errorf("Default() mismatch (-want +got):\n%s", diff)
	}
}
