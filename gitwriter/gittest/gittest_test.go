package gittest

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestNewBare(t *testing.T) {
	bare := NewBare(t, filepath.Join(t.TempDir(), "r.git"), map[string]string{"a/b.yaml": "x: 1\n"})
	if got := Git(t, bare, "show", "main:a/b.yaml"); got != "x: 1" {
		t.Errorf("main:a/b.yaml = %q, want %q", got, "x: 1")
	}
}

// roundTrip clones url with the git CLI, commits and pushes, and checks the
// commit reached the bare repository.
func roundTrip(t *testing.T, bare, url string, env ...string) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "w")
	run := func(dir string, args ...string) {
		t.Helper()
		cmd := GitCmd(dir, args...)
		cmd.Env = append(cmd.Env, env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("", "clone", "-q", url, work)
	WriteFiles(t, work, map[string]string{"new.txt": "hi\n"})
	run(work, "add", "new.txt")
	run(work, "commit", "-q", "-m", "add new")
	run(work, "push", "-q", "origin", "main")
	if got := Git(t, bare, "show", "main:new.txt"); got != "hi" {
		t.Errorf("pushed new.txt = %q, want %q", got, "hi")
	}
}

func TestDaemon(t *testing.T) {
	base := t.TempDir()
	bare := NewBare(t, filepath.Join(base, "r.git"), map[string]string{"f": "1\n"})
	s := Daemon(t, base)
	roundTrip(t, bare, s.URL("r.git"))
}

func TestHTTP(t *testing.T) {
	base := t.TempDir()
	bare := NewBare(t, filepath.Join(base, "r.git"), map[string]string{"f": "1\n"})
	s := HTTP(t, base, "alice", "s3cret")
	u := strings.Replace(s.URL("r.git"), "http://", "http://alice:s3cret@", 1)
	roundTrip(t, bare, u)
	if out, err := GitCmd("", "ls-remote", s.URL("r.git")).CombinedOutput(); err == nil {
		t.Errorf("ls-remote without credentials succeeded:\n%s", out)
	}
}

func TestSSH(t *testing.T) {
	base := t.TempDir()
	bare := NewBare(t, filepath.Join(base, "r.git"), map[string]string{"f": "1\n"})
	s := SSH(t, base)
	ssh := func(known string) string {
		return "GIT_SSH_COMMAND=ssh -F /dev/null -i " + s.KeyFile + " -o IdentitiesOnly=yes -o BatchMode=yes" +
			" -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + known
	}
	roundTrip(t, bare, s.URL("r.git"), ssh(s.KnownHostsFile))
	cmd := GitCmd("", "ls-remote", s.URL("r.git"))
	cmd.Env = append(cmd.Env, ssh(s.WrongKnownHostsFile))
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("ls-remote with a wrong host key succeeded:\n%s", out)
	}
}
