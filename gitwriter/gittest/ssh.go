package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// SSHServer is a real sshd started for one test. It lets the current user in
// with the generated key KeyFile, so repositories need no change of owner.
type SSHServer struct {
	// Base is the directory holding the repositories.
	Base string
	// Addr is the server's host:port on 127.0.0.1.
	Addr string
	// User is the login name (the current user).
	User string
	// KeyFile is the client's private key (ed25519, no passphrase);
	// its public half is authorized.
	KeyFile string
	// KnownHostsFile lists the server's host key for Addr.
	KnownHostsFile string
	// WrongKnownHostsFile lists another key for Addr, as if the server were an impostor.
	WrongKnownHostsFile string
}

// URL returns the ssh:// URL of repository repo, a path relative to Base.
func (s *SSHServer) URL(repo string) string {
	return fmt.Sprintf("ssh://%s@%s%s", s.User, s.Addr, filepath.ToSlash(filepath.Join(s.Base, repo)))
}

// SSH starts /usr/sbin/sshd on a free loopback port with a generated host key
// and a generated client key, and writes a known_hosts file for it.
func SSH(t testing.TB, base string) *SSHServer {
	t.Helper()
	sshd := need(t, "/usr/sbin/sshd")
	need(t, "ssh-keygen")
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	port := FreePort(t)
	s := &SSHServer{Base: base, Addr: "127.0.0.1:" + strconv.Itoa(port), User: u.Username,
		KeyFile:             filepath.Join(dir, "id_ed25519"),
		KnownHostsFile:      filepath.Join(dir, "known_hosts"),
		WrongKnownHostsFile: filepath.Join(dir, "known_hosts.wrong")}
	hostKey := filepath.Join(dir, "host_key")
	keygen(t, hostKey, "host")
	keygen(t, s.KeyFile, "client")
	keygen(t, filepath.Join(dir, "other_host_key"), "other")
	copyFile(t, s.KeyFile+".pub", filepath.Join(dir, "authorized_keys"))
	knownHosts(t, port, hostKey+".pub", s.KnownHostsFile)
	knownHosts(t, port, filepath.Join(dir, "other_host_key.pub"), s.WrongKnownHostsFile)
	cfg := filepath.Join(dir, "sshd_config")
	writeConfig(t, cfg, dir, hostKey, port, u.Username)
	if os.Geteuid() == 0 {
		_ = os.MkdirAll("/run/sshd", 0o755) // privilege separation directory
	}
	cmd := exec.Command(sshd, "-D", "-e", "-f", cfg)
	cmd.Stderr = &logWriter{t: t, prefix: "sshd: "}
	done := Start(t, cmd)
	waitPort(t, port, done)
	return s
}

func writeConfig(t testing.TB, cfg, dir, hostKey string, port int, user string) {
	t.Helper()
	conf := strings.Join([]string{
		"ListenAddress 127.0.0.1",
		"Port " + strconv.Itoa(port),
		"HostKey " + hostKey,
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PubkeyAuthentication yes",
		"PermitRootLogin prohibit-password",
		"UsePAM no",
		"StrictModes no",
		"AllowUsers " + user,
		"",
	}, "\n")
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
}

func keygen(t testing.TB, file, comment string) {
	t.Helper()
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
}

func knownHosts(t testing.TB, port int, pub, file string) {
	t.Helper()
	b, err := os.ReadFile(pub)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	line := fmt.Sprintf("[127.0.0.1]:%d %s %s\n", port, f[0], f[1])
	if err := os.WriteFile(file, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
