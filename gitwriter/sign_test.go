package gitwriter

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

func need(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: %v", name, err)
		}
		t.Skipf("%s not found: %v", name, err)
	}
}

// signedPush pushes one change signed with key and returns the bare repo
// and the commit.
func signedPush(t *testing.T, key SigningKey) (bare, commit string) {
	t.Helper()
	bare, url := daemonRepo(t)
	r := mustOpen(t, url, WithSigner(key))
	out, err := r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1"))
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return bare, out.Commit
}

func TestSignOpenPGP(t *testing.T) {
	need(t, "gpg")
	dir := t.TempDir()
	e, err := openpgp.NewEntity("hoist", "", "hoist@localhost", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	must(t, err)
	var pub bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	must(t, err)
	must(t, e.Serialize(w))
	must(t, w.Close())
	must(t, e.EncryptPrivateKeys([]byte("pgp-pass"), nil))
	var priv bytes.Buffer
	w, err = armor.Encode(&priv, openpgp.PrivateKeyType, nil)
	must(t, err)
	must(t, e.SerializePrivateWithoutSigning(w, nil))
	must(t, w.Close())
	keyFile := filepath.Join(dir, "key.asc")
	must(t, os.WriteFile(keyFile, priv.Bytes(), 0o600))

	bare, commit := signedPush(t, SigningKey{KeyFile: keyFile, PassphraseFile: secretFile(t, "pgp-pass")})

	gnupg := filepath.Join(dir, "gnupg")
	must(t, os.Mkdir(gnupg, 0o700))
	t.Cleanup(func() { _ = exec.Command("gpgconf", "--homedir", gnupg, "--kill", "all").Run() })
	imp := exec.Command("gpg", "--homedir", gnupg, "--batch", "--import")
	imp.Stdin = &pub
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("gpg --import: %v\n%s", err, out)
	}
	verify(t, bare, commit, "GNUPGHOME="+gnupg)

	t.Run("wrong passphrase", func(t *testing.T) {
		_, err := Open(context.Background(), "git://127.0.0.1:1/x.git", WithBranch("main"),
			WithSigner(SigningKey{KeyFile: keyFile, PassphraseFile: secretFile(t, "nope")}))
		if err == nil || !strings.Contains(err.Error(), "passphrase") {
			t.Errorf("Open with a wrong passphrase = %v, want a passphrase error", err)
		}
	})
}

func TestSignSSH(t *testing.T) {
	need(t, "ssh-keygen")
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-a", "2", "-N", "ssh-pass", "-C", "hoist", "-f", keyFile).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(keyFile + ".pub")
	must(t, err)
	allowed := filepath.Join(dir, "allowed_signers")
	must(t, os.WriteFile(allowed, []byte("hoist@localhost "+string(pub)), 0o644))

	bare, commit := signedPush(t, SigningKey{Format: "ssh", KeyFile: keyFile, PassphraseFile: secretFile(t, "ssh-pass")})
	verify(t, bare, commit, "GIT_CONFIG_COUNT=2",
		"GIT_CONFIG_KEY_0=gpg.format", "GIT_CONFIG_VALUE_0=ssh",
		"GIT_CONFIG_KEY_1=gpg.ssh.allowedSignersFile", "GIT_CONFIG_VALUE_1="+allowed)
}

// verify runs the real `git verify-commit` on commit in bare, and checks it
// rejects a tampered copy of the commit.
func verify(t *testing.T, bare, commit string, env ...string) {
	t.Helper()
	run := func(args ...string) (string, error) {
		cmd := gittest.GitCmd(bare, args...)
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("verify-commit", "-v", commit); err != nil {
		t.Fatalf("git verify-commit %s: %v\n%s", commit, err, out)
	}
	raw := gittest.Git(t, bare, "cat-file", "commit", commit) + "\n"
	if h := writeCommit(t, bare, raw); h != commit {
		t.Fatalf("rewriting the commit gave %s, want %s", h, commit)
	}
	tampered := writeCommit(t, bare, strings.Replace(raw, "Update images", "Update imagez", 1))
	if out, err := run("verify-commit", tampered); err == nil {
		t.Errorf("git verify-commit accepted a tampered commit:\n%s", out)
	}
}

func writeCommit(t *testing.T, bare, raw string) string {
	t.Helper()
	cmd := gittest.GitCmd(bare, "hash-object", "-t", "commit", "-w", "--stdin")
	cmd.Stdin = strings.NewReader(raw)
	h, err := cmd.Output()
	must(t, err)
	return strings.TrimSpace(string(h))
}
