package gitwriter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// TestPushDeclined: a push the remote refuses for a reason a retry cannot
// fix (a pre-receive hook, a checked-out branch of a non-bare repository)
// fails at once with ErrDeclined, the remote's reason and what it printed,
// escaped; it is not called a moved branch and the edit runs once.
func TestPushDeclined(t *testing.T) {
	const hook = "#!/bin/sh\nprintf 'policy: \\033[31mno bots\\033[0m here\\n' >&2\necho 'ask #platform'\nexit 1\n"
	hooked := func(t *testing.T) string {
		bare := gittest.NewBare(t, filepath.Join(t.TempDir(), "config.git"), seed)
		must(t, os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755))
		return bare
	}
	hookSaid := []string{"pre-receive hook declined", `policy: \x1b[31mno bots\x1b[0m here | ask #platform`}
	nonBare := func(t *testing.T) string {
		work := filepath.Join(t.TempDir(), "work")
		gittest.Git(t, "", "clone", "-q", gittest.NewBare(t, filepath.Join(t.TempDir(), "config.git"), seed), work)
		return work
	}
	checkedOut := []string{"branch is currently checked out", "refusing to update checked out branch: refs/heads/main"}
	tests := []struct {
		name   string
		remote func(t *testing.T) (dir, url string)
		want   []string
	}{
		{"pre-receive hook, git daemon", func(t *testing.T) (string, string) {
			bare := hooked(t)
			return bare, gittest.Daemon(t, filepath.Dir(bare)).URL("config.git")
		}, hookSaid},
		{"pre-receive hook, file URL", func(t *testing.T) (string, string) {
			bare := hooked(t)
			return bare, "file://" + bare
		}, hookSaid},
		{"checked-out branch, file URL", func(t *testing.T) (string, string) {
			w := nonBare(t)
			return w, "file://" + w
		}, checkedOut},
		{"checked-out branch, path", func(t *testing.T) (string, string) {
			w := nonBare(t)
			return w, w
		}, checkedOut},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, url := tc.remote(t)
			before := gittest.Git(t, dir, "rev-parse", "main")
			r := mustOpen(t, url)
			edits := 0
			out, err := r.Update(context.Background(), func(ctx context.Context, d string) (Change, error) {
				edits++
				return setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1")(ctx, d)
			})
			t.Logf("error: %v", err)
			if !errors.Is(err, ErrDeclined) || errors.Is(err, ErrRejected) || edits != 1 || out.Attempts != 1 || out.Commit != "" {
				t.Fatalf("Update = %+v, %v after %d edits; want ErrDeclined after one attempt", out, err, edits)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q", want)
				}
			}
			if strings.ContainsAny(err.Error(), "\x1b\n") {
				t.Errorf("error holds raw control characters: %q", err.Error())
			}
			if got := gittest.Git(t, dir, "rev-parse", "main"); got != before {
				t.Errorf("remote main moved to %s", got)
			}
		})
	}
}

// TestPushDeclinedLongMessage: a hook that prints a lot is cut short in the error.
func TestPushDeclinedLongMessage(t *testing.T) {
	bare := gittest.NewBare(t, filepath.Join(t.TempDir(), "config.git"), seed)
	hook := "#!/bin/sh\ni=0\nwhile [ $i -lt 2000 ]; do echo \"line $i of a very long hook message\" >&2; i=$((i+1)); done\nexit 1\n"
	must(t, os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755))
	r := mustOpen(t, bare)
	_, err := r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.0.1\n", "apps:web", "2.0.1"))
	if !errors.Is(err, ErrDeclined) || !strings.Contains(err.Error(), "line 0 of") || !strings.Contains(err.Error(), "…") {
		t.Fatalf("Update = %v, want ErrDeclined with the start of the message", err)
	}
	if n := len(err.Error()); n > 1000 {
		t.Errorf("error is %d bytes long, want it capped", n)
	}
}

func TestSanitize(t *testing.T) {
	tests := map[string]struct {
		in   string
		max  int
		want string
	}{
		"plain":           {"hook says no", 100, "hook says no"},
		"escape sequence": {"\x1b[2J\x1b[31mred", 100, `\x1b[2J\x1b[31mred`},
		"newline and tab": {"a\nb\tc\r", 100, `a\nb\tc\r`},
		"bidi override":   {"abc\u202edef", 100, `abc\u202edef`},
		"invalid utf-8":   {"a\xffb", 100, `a\xffb`},
		"unicode kept":    {"déclinée ✗", 100, "déclinée ✗"},
		"capped":          {"abcdef", 3, "abc…"},
	}
	for name, tc := range tests {
		if got := sanitize(tc.in, tc.max); got != tc.want {
			t.Errorf("%s: sanitize(%q, %d) = %q, want %q", name, tc.in, tc.max, got, tc.want)
		}
	}
}
