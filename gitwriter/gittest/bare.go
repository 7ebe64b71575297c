package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// NewBare creates a bare repository at dir with branch main seeded with one
// commit holding files (path -> content), and returns dir. The repository logs
// every ref update (core.logAllRefUpdates), so tests can check that no push
// ever rewrote history.
func NewBare(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	need(t, "git")
	Git(t, "", "init", "-q", "--bare", "-b", "main", dir)
	Git(t, dir, "config", "core.logAllRefUpdates", "always")
	Git(t, dir, "config", "receive.advertisePushOptions", "true")
	Git(t, dir, "config", "receive.autogc", "false") // no `git gc --auto` process after every push
	work := t.TempDir()
	Git(t, work, "init", "-q", "-b", "main")
	WriteFiles(t, work, files)
	Git(t, work, "add", "-A")
	Git(t, work, "commit", "-q", "--allow-empty", "-m", "Initial commit")
	Git(t, work, "push", "-q", dir, "main")
	return dir
}

// WriteFiles writes files (slash-separated path -> content) under dir.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Git runs the git CLI in dir (the current directory when dir is "") with a
// fixed identity and no user or system config, and returns its trimmed stdout.
// It fails the test when git fails.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := GitCmd(dir, args...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return strings.TrimSpace(string(out))
}

// GitCmd returns an unstarted git command like the one Git runs.
func GitCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@localhost",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@localhost",
		"GIT_TERMINAL_PROMPT=0",
	)
	return cmd
}
