package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// head is the start of every test document; repositories begin on line 4.
const head = "apiVersion: hoist.dev/v1alpha1\nkind: Config\nrepositories:\n"

// errLines splits a joined error into its messages.
func errLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{{
		name: "typo gets a suggestion",
		yaml: head + "  - url: file:///srv/a.git\n    schedul: '@hourly'\n",
		want: []string{`config.yaml:5: repositories[0].schedul: unknown key (did you mean "schedule"?)`},
	}, {
		name: "unknown key far from any",
		yaml: head + "  - url: file:///srv/a.git\n    frobnicate: 1\n",
		want: []string{`config.yaml:5: repositories[0].frobnicate: unknown key`},
	}, {
		name: "unknown top-level key",
		yaml: head + "  - url: file:///srv/a.git\nserver: {}\n",
		want: []string{`config.yaml:5: server: unknown key`},
	}, {
		name: "inline password",
		yaml: head + "  - url: https://h/a.git\n    auth:\n      username: u\n      password: hunter2\n",
		want: []string{`config.yaml:7: repositories[0].auth.password: inline secrets are not allowed; use passwordFile or passwordEnv to name a file or environment variable holding it`},
	}, {
		name: "inline registry token",
		yaml: head + "  - url: file:///srv/a.git\nregistries:\n  - host: ghcr.io\n    auth: {token: abc}\n",
		want: []string{`config.yaml:7: registries[0].auth.token: inline secrets are not allowed; use tokenFile or tokenEnv to name a file or environment variable holding it`},
	}, {
		name: "inline webhook secret",
		yaml: head + "  - url: file:///srv/a.git\nwebhooks:\n  - kind: quay\n    secretEnv: S\n    secret: abc\n",
		want: []string{`config.yaml:8: webhooks[0].secret: inline secrets are not allowed; use secretFile or secretEnv to name a file or environment variable holding it`},
	}, {
		name: "inline secret with no file form",
		yaml: head + "  - url: file:///srv/a.git\n    apiKey: abc\n",
		want: []string{`config.yaml:5: repositories[0].apiKey: inline secrets are not allowed; name a file or environment variable holding the secret`},
	}, {
		name: "typo of a secret file key is a typo",
		yaml: head + "  - url: https://h/a.git\n    auth: {username: u, passwordFil: /p}\n",
		want: []string{`config.yaml:5: repositories[0].auth.passwordFil: unknown key (did you mean "passwordFile"?)`},
	}, {
		name: "secret pasted into an Env field",
		yaml: head + "  - url: file:///srv/a.git\nwebhooks:\n  - kind: quay\n    secretEnv: hunter2-secret\n",
		want: []string{`config.yaml:7: webhooks[0].secretEnv: must be the name of an environment variable (letters, digits and '_'), not the secret`},
	}, {
		name: "bad cron spec",
		yaml: head + "  - url: file:///srv/a.git\n    schedule: '61 * * * *'\n",
		want: []string{`config.yaml:5: repositories[0].schedule: end of range (61) above maximum (59): 61`},
	}, {
		name: "cron seconds field not accepted",
		yaml: head + "  - url: file:///srv/a.git\n    schedule: '0 */5 * * * *'\n",
		want: []string{`config.yaml:5: repositories[0].schedule: expected exactly 5 fields, found 6: [0 */5 * * * *]`},
	}, {
		name: "every below a second",
		yaml: head + "  - url: file:///srv/a.git\n    schedule: '@every 100ms'\n",
		want: []string{`config.yaml:5: repositories[0].schedule: @every interval must be at least 1s`},
	}, {
		name: "bare time zone does not panic",
		yaml: head + "  - url: file:///srv/a.git\n    schedule: CRON_TZ=UTC\n",
		want: []string{`config.yaml:5: repositories[0].schedule: time zone prefix must be followed by a space and a schedule`},
	}, {
		name: "unsupported scheme",
		yaml: head + "  - url: ftp://h/a.git\n",
		want: []string{`config.yaml:4: repositories[0].url: unsupported scheme "ftp"; use file, http, https, git or ssh`},
	}, {
		name: "password in url is not echoed",
		yaml: head + "  - url: https://u:hunter2@h/a.git\n",
		want: []string{`config.yaml:4: repositories[0].url: must not embed a password; use auth.passwordFile or auth.tokenFile`},
	}, {
		name: "missing url",
		yaml: head + "  - name: a\n",
		want: []string{`config.yaml:4: repositories[0].url: is required`},
	}, {
		name: "duplicate names, explicit and derived",
		yaml: head + "  - url: file:///srv/acme/a.git\n  - url: ssh://git@h/acme/a\n  - {name: x, url: file:///x}\n  - {name: x, url: file:///y}\n",
		want: []string{
			`config.yaml:5: repositories[1].name: duplicate "acme-a" (also repositories[0].name)`,
			`config.yaml:7: repositories[3].name: duplicate "x" (also repositories[2].name)`,
		},
	}, {
		name: "bad name",
		yaml: head + "  - {name: 'a b', url: file:///x}\n",
		want: []string{`config.yaml:4: repositories[0].name: must be at most 63 letters, digits, '.', '_' or '-', starting with a letter or digit`},
	}, {
		name: "path escapes the repo",
		yaml: head + "  - {url: file:///x, path: a/../../etc, branch: 'a..b'}\n",
		want: []string{
			`config.yaml:4: repositories[0].branch: is not a valid branch name`,
			`config.yaml:4: repositories[0].path: must stay inside the repository`,
		},
	}, {
		name: "ssh settings on an https url",
		yaml: head + "  - url: https://h/a.git\n    auth: {sshKeyFile: /k}\n",
		want: []string{`config.yaml:5: repositories[0].auth: ssh settings (sshKeyFile, sshPassphraseFile, knownHostsFile, insecureSkipHostKeyCheck) need an ssh url`},
	}, {
		name: "token on an scp-like url",
		yaml: head + "  - url: git@github.com:acme/config.git\n    auth: {tokenEnv: T}\n",
		want: []string{`config.yaml:5: repositories[0].auth: http settings (username, password, token, caFile) need an http or https url`},
	}, {
		name: "bad commit template",
		yaml: head + "  - url: file:///x\n    commitTemplate: '{{ .Foo '\n",
		want: []string{`config.yaml:5: repositories[0].commitTemplate: parsing commit message template: template: message:1: unclosed action`},
	}, {
		// validate runs a template on sample data as a pass does: one that
		// parses but fails every pass is refused here.
		name: "commit template failing on data",
		yaml: head + "  - url: file:///x\n    commitTemplate: '{{ .Changed.Nope }}'\n",
		want: []string{`config.yaml:5: repositories[0].commitTemplate: commit message template fails on sample data: rendering commit message: template: message:1:11: executing "message" at <.Changed.Nope>: can't evaluate field Nope in type gitwriter.ChangeResult`},
	}, {
		name: "bad secrets",
		yaml: head + "  - url: file:///x\nsecrets:\n  a/b/c: /x\n  ok/name: /y\n  d: [1]\n  ok/name: /z\n",
		want: []string{
			`config.yaml:6: secrets.a/b/c: want a secret name (namespace/name or name) and the path it is mounted at`,
			`config.yaml:8: secrets.d: expected a string, got a list`,
			`config.yaml:9: secrets.ok/name: duplicate key`,
		},
	}, {
		name: "bad pull request blocks",
		yaml: head + "  - url: https://git.example.com/acme/a.git\n    pullRequest: {provider: bitbucket, per: file, tokenFile: /t}\n" +
			"  - url: https://git.example.com/acme/b.git\n    pullRequest:\n      provider: gitea\n      url: 'ftp://x'\n" +
			"  - url: https://git.example.com/acme/c.git\n    pullRequest: {labels: [x]}\n    auth: {tokenFile: /t}\n",
		want: []string{
			`config.yaml:5: repositories[0].pullRequest.provider: must be gitea (or forgejo), github or gitlab, got "bitbucket"`,
			`config.yaml:5: repositories[0].pullRequest.per: must be repository or policy`,
			`config.yaml:7: repositories[1].pullRequest: needs a token: tokenFile or tokenEnv here, or the repository's auth tokenFile/tokenEnv`,
			`config.yaml:9: repositories[1].pullRequest.url: must be an http(s) URL without credentials`,
			`config.yaml:11: repositories[2].pullRequest.provider: is required: gitea (or forgejo), github or gitlab`,
		},
	}, {
		name: "bad notifications",
		yaml: head + "  - url: file:///x\nnotifications:\n  - {kind: pager, urlFile: /u}\n  - {kind: slack, secretFile: /k, events: [commit, deploy]}\n" +
			"  - {kind: webhook, name: 'bad name', urlEnv: HOOK_URL}\nnotificationSettings: {failingAfter: soon}\n",
		want: []string{
			`config.yaml:6: notifications[0].kind: must be one of slack, msteams, webhook, got "pager"`,
			`config.yaml:7: notifications[1]: urlFile or urlEnv is required`,
			`config.yaml:7: notifications[1]: secretFile/secretEnv sign the webhook kind only`,
			`config.yaml:7: notifications[1].events[1]: must be one of commit, pullRequest, hold, failing, recovered, got "deploy"`,
			`config.yaml:8: notifications[2].name: must be 1 to 63 letters, digits, '.', '_' or '-'`,
			`config.yaml:9: notificationSettings.failingAfter: must be a duration such as 15m`,
		},
	}, {
		name: "unknown automations mode",
		yaml: head + "  - url: file:///x\n    automations: sometimes\n",
		want: []string{`config.yaml:5: repositories[0].automations: must be follow or ignore`},
	}, {
		name: "non-positive and mistyped rate limits",
		yaml: head + "  - url: file:///x\nregistries:\n  - host: ghcr.io\n    rateLimit:\n      rps: 0\n      burst: -1\n      maxConcurrent: many\n",
		want: []string{
			`config.yaml:8: registries[0].rateLimit.rps: must be a positive number`,
			`config.yaml:9: registries[0].rateLimit.burst: must be a positive number`,
			`config.yaml:10: registries[0].rateLimit.maxConcurrent: expected an integer, got a string`,
		},
	}, {
		name: "infinite rps",
		yaml: head + "  - url: file:///x\nregistries:\n  - host: ghcr.io\n    rateLimit: {rps: .inf}\n",
		want: []string{`config.yaml:7: registries[0].rateLimit.rps: must be a positive number`},
	}, {
		name: "duplicate hosts through docker hub aliases",
		yaml: head + "  - url: file:///x\nregistries:\n  - host: docker.io\n  - host: Index.Docker.io\n",
		want: []string{`config.yaml:7: registries[1].host: duplicate "docker.io" (also registries[0].host)`},
	}, {
		name: "host with scheme, bad port",
		yaml: head + "  - url: file:///x\nregistries:\n  - host: https://ghcr.io\n  - host: localhost:99999\n",
		want: []string{
			`config.yaml:6: registries[0].host: must be a host name with an optional port, like ghcr.io or localhost:5000, without scheme or path`,
			`config.yaml:7: registries[1].host: port must be a number from 1 to 65535`,
		},
	}, {
		name: "registry auth conflicts",
		yaml: head + "  - url: file:///x\nregistries:\n  - host: h\n    certFile: c\n    auth: {dockerConfigFile: d, passwordEnv: P}\n",
		want: []string{
			`config.yaml:6: registries[0]: set both certFile and keyFile, or neither`,
			`config.yaml:8: registries[0].auth: set either dockerConfigFile or username/password/token, not both`,
			`config.yaml:8: registries[0].auth: a password needs username, usernameFile or usernameEnv`,
		},
	}, {
		name: "webhook kind and secret",
		yaml: head + "  - url: file:///x\nwebhooks:\n  - kind: gitlab\n    secretFile: /s\n  - kind: quay\n  - kind: gitlab\n    secretFile: /s\n    secretEnv: S\n",
		want: []string{
			`config.yaml:6: webhooks[0].kind: unknown kind "gitlab"; one of distribution, dockerhub, github, harbor, quay, generic`,
			`config.yaml:8: webhooks[1]: secretFile or secretEnv is required`,
			`config.yaml:9: webhooks[2].kind: unknown kind "gitlab"; one of distribution, dockerhub, github, harbor, quay, generic`,
			`config.yaml:9: webhooks[2].kind: duplicate "gitlab" (also webhooks[0].kind)`,
			`config.yaml:11: webhooks[2].secretEnv: set only one of secretFile and secretEnv`,
		},
	}, {
		name: "wrong types",
		yaml: head + "  - url: [a]\n    pushOptions: x\n    auth: true\nregistries:\n  - host: h\n    insecure: sure\n",
		want: []string{
			`config.yaml:4: repositories[0].url: expected a string, got a list`,
			`config.yaml:5: repositories[0].pushOptions: expected a list, got a string`,
			`config.yaml:6: repositories[0].auth: expected a mapping, got a boolean`,
			`config.yaml:9: registries[0].insecure: expected a boolean (true or false), got a string`,
		},
	}, {
		name: "a bad list item leaves the indexes of the next ones",
		yaml: head + "  - 1\n  - {url: 'ftp://x', pushOptions: [~, a, {}]}\n",
		want: []string{
			`config.yaml:4: repositories[0]: expected a mapping, got a number`,
			`config.yaml:5: repositories[1].pushOptions[2]: expected a string, got a mapping`,
			`config.yaml:5: repositories[1].url: unsupported scheme "ftp"; use file, http, https, git or ssh`,
			`config.yaml:5: repositories[1].pushOptions[0]: must be a non-empty single line`,
		},
	}, {
		name: "duplicate key",
		yaml: head + "  - url: file:///x\n    url: file:///y\n",
		want: []string{`config.yaml:5: repositories[0].url: duplicate key`},
	}, {
		name: "wrong apiVersion and kind",
		yaml: "apiVersion: v1\nkind: ConfigMap\nrepositories: [{url: file:///x}]\n",
		want: []string{
			`config.yaml:1: apiVersion: must be hoist.dev/v1alpha1`,
			`config.yaml:2: kind: must be Config`,
		},
	}, {
		name: "missing apiVersion, kind and repositories",
		yaml: "webhooks: []\n",
		want: []string{
			`config.yaml:1: apiVersion: is required`,
			`config.yaml:1: kind: is required`,
			`config.yaml: repositories: at least one repository is required`,
		},
	}, {
		name: "not a mapping",
		yaml: "- a\n- b\n",
		want: []string{`config.yaml:1: expected a mapping, got a list`},
	}, {
		name: "empty",
		yaml: "# nothing\n",
		want: []string{`config.yaml: the config is empty`},
	}, {
		name: "two documents",
		yaml: head + "  - url: file:///x\n---\nkind: Config\n",
		want: []string{`config.yaml: the config must be a single YAML document`},
	}, {
		name: "syntax error",
		yaml: head + "  - url: file:///x\n   bad: [\n",
		want: []string{`config.yaml:3: did not find expected '-' indicator`},
	}, {
		name: "merge keys are rejected",
		yaml: head + "  - &r {url: file:///x}\n  - <<: *r\n    name: y\n",
		want: []string{`config.yaml:5: repositories[1]: keys must be plain strings (merge keys are not supported)`},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("config.yaml", []byte(tc.yaml))
			if c != nil || !errors.Is(err, errInvalid) && !errors.Is(err, errUnknownKey) && !errors.Is(err, errInlineSecret) {
				t.Errorf("Parse returned %v and error %v, want nil and a categorised error", c, err)
			}
			if diff := cmp.Diff(tc.want, errLines(err)); diff != "" {
				t.Errorf("Parse errors mismatch (-want +got):\n%s", diff)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	data := []byte(head + "  - url: file:///x\n" + strings.Repeat("#\n", maxSize/2))
	_, err := Parse("config.yaml", data)
	if want := "config.yaml: the config is larger than 1048576 bytes"; err == nil || err.Error() != want || !errors.Is(err, errInvalid) {
		t.Errorf("Parse of a large file: got %v, want %s", err, want)
	}
}

func TestParseAliasesAndNulls(t *testing.T) {
	doc := head + "  - url: https://h/x\n    auth: &a {caFile: /ca}\n    branch: ~\n  - url: https://h/y\n    auth: *a\n"
	c, err := Parse("config.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := []string{c.Repositories[0].Branch, c.Repositories[1].Auth.CAFile}
	if diff := cmp.Diff([]string{"", "/ca"}, got); diff != "" {
		t.Errorf("branch, aliased caFile mismatch (-want +got):\n%s", diff)
	}
}

// TestParseAliasBomb: aliases let a small file name a huge tree; decoding
// stops at the node limit instead of walking it.
func TestParseAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString(head + "  - name: r0\n    url: file:///x\n    pushOptions: &p [o" + strings.Repeat(", o", 999) + "]\n")
	for i := 1; i < 200; i++ {
		fmt.Fprintf(&b, "  - {name: r%d, url: file:///x, pushOptions: *p}\n", i)
	}
	_, err := Parse("config.yaml", []byte(b.String()))
	var fe *fieldError
	if !errors.As(err, &fe) || errLines(err)[0] != err.Error() || fe.Line != 6 ||
		fe.Err.Error() != "the document expands to more than 50000 nodes" {
		t.Errorf("Parse of an alias bomb: got %v, want one node limit error on line 6", err)
	}
}

func TestFieldErrorIs(t *testing.T) {
	doc := head + "  - url: ftp://x\n    auth: {password: p}\n    shedule: x\n"
	_, err := Parse("config.yaml", []byte(doc))
	for _, target := range []error{errUnknownKey, errInlineSecret, errInvalid} {
		if !errors.Is(err, target) {
			t.Errorf("errors.Is(%v, %v) = false", err, target)
		}
	}
	var fe *fieldError
	if !errors.As(err, &fe) {
		t.Fatalf("errors.As(%v, *fieldError) = false", err)
	}
	want := &fieldError{File: "config.yaml", Line: 4, Path: "repositories[0].url"}
	if diff := cmp.Diff(want, fe, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Err" }, cmp.Ignore())); diff != "" {
		t.Errorf("first fieldError mismatch (-want +got):\n%s", diff)
	}
}

// manyErrors are documents with tens of thousands of problems.
var manyErrors = map[string]struct {
	doc   func() string
	first []string
	more  int
}{
	"30,000 unknown keys": {
		doc: func() string {
			var b strings.Builder
			b.WriteString(head + "  - url: file:///x\n")
			for i := range 30_000 {
				fmt.Fprintf(&b, "    k%d: 1\n", i)
			}
			return b.String()
		},
		first: []string{`config.yaml:5: repositories[0].k0: unknown key`, `config.yaml:6: repositories[0].k1: unknown key`},
		more:  29_900,
	},
	"9,000 repositories with an unknown key and a bad url": {
		doc: func() string {
			return head + strings.Repeat("  - {url: 'ftp://x', k: 1}\n", 9_000)
		},
		first: []string{
			`config.yaml:4: repositories[0].k: unknown key`,
			`config.yaml:4: repositories[0].url: unsupported scheme "ftp"; use file, http, https, git or ssh`,
		},
		more: 17_900,
	},
}

// TestParseManyErrors: a file with thousands of problems reports the first
// 100 in line order and counts the rest.
func TestParseManyErrors(t *testing.T) {
	for name, tc := range manyErrors {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("config.yaml", []byte(tc.doc()))
			lines := errLines(err)
			if len(lines) != 101 {
				t.Fatalf("Parse returned %d lines, want 100 problems and a count", len(lines))
			}
			got := append(lines[:len(tc.first):len(tc.first)], lines[100])
			want := append(tc.first, fmt.Sprintf("... and %d more", tc.more))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("first and last lines mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func BenchmarkParseManyErrors(b *testing.B) {
	for name, tc := range manyErrors {
		data := []byte(tc.doc())
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse("config.yaml", data); err == nil {
					b.Fatal("Parse accepted a bad config")
				}
			}
		})
	}
}
