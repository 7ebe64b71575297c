package gitwriter

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

func secretFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAuthHTTP(t *testing.T) {
	const pass = "hunter2-very-secret"
	base := t.TempDir()
	bare := gittest.NewBare(t, filepath.Join(base, "config.git"), seed)
	plain := gittest.HTTP(t, base, "alice", pass)
	tls := gittest.HTTPS(t, base, "x-access-token", pass)
	tests := []struct {
		name string
		url  string
		auth Auth
	}{
		{"password", plain.URL("config.git"), Auth{Username: "alice", PasswordFile: secretFile(t, pass)}},
		{"username file", plain.URL("config.git"), Auth{UsernameFile: secretFile(t, "alice"), PasswordFile: secretFile(t, pass)}},
		{"token over https with CA", tls.URL("config.git"), Auth{TokenFile: secretFile(t, pass), CAFile: tls.CAFile}},
		{"password func", plain.URL("config.git"), Auth{Username: "alice", Password: inMemory(pass)}},
		{"token func over https", tls.URL("config.git"), Auth{Token: inMemory(pass + "\n"), CAFile: tls.CAFile}},
		{"func wins over file", plain.URL("config.git"),
			Auth{Username: "alice", PasswordFile: secretFile(t, "stale"), Password: inMemory(pass)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pushOnceFresh(t, bare, tc.url, WithAuth(tc.auth))
		})
	}
	t.Run("wrong password is refused and not echoed", func(t *testing.T) {
		_, err := Open(context.Background(), plain.URL("config.git"), WithBranch("main"),
			WithAuth(Auth{Username: "alice", PasswordFile: secretFile(t, "wrong-password-xyz")}))
		var ge *Error
		if !errors.As(err, &ge) || ge.Step != "clone" {
			t.Fatalf("Open with a wrong password = %v, want a clone *Error", err)
		}
		t.Logf("error: %v", err)
		if strings.Contains(err.Error(), "wrong-password-xyz") {
			t.Errorf("error leaks the password: %v", err)
		}
	})
	t.Run("no secret in logs", func(t *testing.T) {
		logs := &recorder{}
		a := Auth{TokenFile: secretFile(t, pass), CAFile: tls.CAFile}
		log := slog.New(logs)
		log.Info("auth configured", "auth", a) // what a caller might do
		pushOnceFresh(t, bare, tls.URL("config.git"), WithAuth(a), WithLogger(log))
		_, _ = Open(context.Background(), tls.URL("missing.git"), WithAuth(a), WithLogger(log))
		if len(logs.matching("")) < 3 {
			t.Fatalf("too few log lines to check: %q", logs.matching(""))
		}
		if leaked := logs.matching(pass); len(leaked) > 0 {
			t.Errorf("logs hold the token: %q", leaked)
		}
	})
	t.Run("unknown CA is refused", func(t *testing.T) {
		_, err := Open(context.Background(), tls.URL("config.git"), WithAuth(Auth{TokenFile: secretFile(t, pass)}))
		if err == nil {
			t.Fatal("Open against a self-signed server without its CA succeeded")
		}
	})
	t.Run("credentials in URL work and stay out of the clone", func(t *testing.T) {
		u := strings.Replace(plain.URL("config.git"), "http://", "http://alice:"+pass+"@", 1)
		state := t.TempDir()
		pushOnceFresh(t, bare, u, WithStateDir(state))
		out, err := exec.Command("grep", "-r", pass, state).CombinedOutput()
		if err == nil {
			t.Errorf("the password is stored in the state dir:\n%s", out)
		}
	})
	t.Run("password in URL is redacted", func(t *testing.T) {
		u := strings.Replace(plain.URL("config.git"), "http://", "http://alice:url-secret-123@", 1)
		_, err := Open(context.Background(), u+"-missing")
		t.Logf("error: %v", err)
		if err == nil || strings.Contains(err.Error(), "url-secret-123") || !strings.Contains(err.Error(), "REDACTED") {
			t.Errorf("Open(url with password) error = %v, want redacted error", err)
		}
	})
}

// pushOnceFresh is pushOnce on a fresh edit so that repeated calls each land a commit.
func pushOnceFresh(t *testing.T, bare, url string, opts ...Option) {
	t.Helper()
	r := mustOpen(t, url, opts...)
	before := gittest.Git(t, bare, "rev-parse", "main")
	tag := "9." + before[:6]
	out, err := r.Update(context.Background(), setTo("deploy/web.yaml", "tag: "+tag+"\n", "apps:web", tag))
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got := gittest.Git(t, bare, "rev-parse", "main"); got != out.Commit || got == "" {
		t.Errorf("remote main = %s, want pushed commit %q", got, out.Commit)
	}
	if got := gittest.Git(t, bare, "rev-parse", "main^"); got != before {
		t.Errorf("pushed commit's parent = %s, want previous head %s", got, before)
	}
}

func TestAuthSSH(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	bare := gittest.NewBare(t, filepath.Join(base, "config.git"), seed)
	s := gittest.SSH(t, base)
	url := s.URL("config.git")
	t.Run("known host", func(t *testing.T) {
		pushOnceFresh(t, bare, url, WithAuth(Auth{SSHKeyFile: s.KeyFile, KnownHostsFile: s.KnownHostsFile}))
	})
	t.Run("wrong host key is refused", func(t *testing.T) {
		_, err := Open(context.Background(), url, WithAuth(Auth{SSHKeyFile: s.KeyFile, KnownHostsFile: s.WrongKnownHostsFile}))
		if err == nil || !strings.Contains(err.Error(), "key") {
			t.Fatalf("Open with a wrong known_hosts = %v, want a host key error", err)
		}
		t.Logf("error: %v", err)
	})
	t.Run("unknown host is refused", func(t *testing.T) {
		_, err := Open(context.Background(), url, WithAuth(Auth{SSHKeyFile: s.KeyFile, KnownHostsFile: secretFile(t, "")}))
		if err == nil {
			t.Fatal("Open with an empty known_hosts succeeded")
		}
	})
	t.Run("skipping the check is an explicit, logged opt-in", func(t *testing.T) {
		logs := &recorder{}
		pushOnceFresh(t, bare, url, WithAuth(Auth{SSHKeyFile: s.KeyFile, InsecureSkipHostKeyCheck: true}), WithLogger(slog.New(logs)))
		if len(logs.matching("WARN ssh host key check disabled")) == 0 {
			t.Errorf("no warning logged; got %q", logs.matching(""))
		}
	})
	t.Run("key with passphrase", func(t *testing.T) {
		key := filepath.Join(t.TempDir(), "id_pass")
		b, err := os.ReadFile(s.KeyFile)
		must(t, err)
		must(t, os.WriteFile(key, b, 0o600))
		if out, err := exec.Command("ssh-keygen", "-q", "-p", "-a", "2", "-N", "key-pass", "-f", key).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen -p: %v\n%s", err, out)
		}
		pushOnceFresh(t, bare, url, WithAuth(Auth{SSHKeyFile: key, SSHPassphraseFile: secretFile(t, "key-pass"), KnownHostsFile: s.KnownHostsFile}))
		pushOnceFresh(t, bare, url, WithAuth(Auth{SSHKeyFile: key, SSHPassphrase: inMemory("key-pass"), KnownHostsFile: s.KnownHostsFile}))
		_, err = Open(context.Background(), url, WithAuth(Auth{SSHKeyFile: key, SSHPassphraseFile: secretFile(t, "not-the-pass"), KnownHostsFile: s.KnownHostsFile}))
		if err == nil || strings.Contains(err.Error(), "not-the-pass") {
			t.Errorf("Open with a wrong key passphrase = %v, want an error without the passphrase", err)
		}
	})
}

// inMemory returns a secret func holding s.
func inMemory(s string) func() (string, error) {
	return func() (string, error) { return s, nil }
}

// TestAuthSecretFuncs: in-memory secrets are asked for at each network
// operation (so a rotated secret takes effect), their errors fail the
// operation without the secret, and nothing is written to disk.
func TestAuthSecretFuncs(t *testing.T) {
	const pass = "rotating-secret-42"
	base := t.TempDir()
	gittest.NewBare(t, filepath.Join(base, "config.git"), seed)
	srv := gittest.HTTP(t, base, "alice", pass)
	var mu sync.Mutex
	calls, current := 0, pass
	password := func() (string, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if current == "" {
			return "", errors.New("secret store unreachable")
		}
		return current, nil
	}
	state := t.TempDir()
	r := mustOpen(t, srv.URL("config.git"), WithStateDir(state), WithAuth(Auth{Username: "alice", Password: password}))
	opened := calls
	_, err := r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1"))
	must(t, err)
	if calls < opened+2 {
		t.Errorf("the password func ran %d times for Open and %d for Update (fetch and push), want once per operation", opened, calls-opened)
	}
	if out, err := exec.Command("grep", "-r", pass, state).CombinedOutput(); err == nil {
		t.Errorf("the password is stored in the state dir:\n%s", out)
	}

	mu.Lock()
	current = "rotated-wrong-secret"
	mu.Unlock()
	_, err = r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.0.2\n", "apps:web", "2.0.2"))
	if err == nil || strings.Contains(err.Error(), "rotated-wrong-secret") {
		t.Errorf("Update after the secret rotated to a wrong one = %v, want an error without the secret", err)
	}

	mu.Lock()
	current = ""
	mu.Unlock()
	_, err = r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.0.3\n", "apps:web", "2.0.3"))
	if err == nil || !strings.Contains(err.Error(), "reading password: secret store unreachable") {
		t.Errorf("Update with a failing secret func = %v, want its error", err)
	}
}

func TestAuthLogValue(t *testing.T) {
	a := Auth{SSHKeyFile: "/keys/id", KnownHostsFile: "/keys/known_hosts", Username: "alice",
		Password: inMemory("pw-123"), TokenFile: "/secrets/token", CAFile: "/ca.pem"}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("auth", "auth", a)
	got := b.String()
	want := "auth.ssh_key=true auth.ssh_passphrase=false auth.known_hosts=true auth.insecure_skip_host_key_check=false " +
		"auth.username=true auth.password=true auth.token=true auth.ca_file=true\n"
	if !strings.HasSuffix(got, want) {
		t.Errorf("logged %q, want it to end with %q", got, want)
	}
	for _, secret := range []string{"pw-123", "alice", "/keys", "/secrets", "/ca.pem"} {
		if strings.Contains(got, secret) {
			t.Errorf("log line holds %q: %s", secret, got)
		}
	}
}
