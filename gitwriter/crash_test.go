package gitwriter

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// The crash helper runs in a re-executed test binary (see TestMain): one
// Update that sets pass/a.yaml and pass/b.yaml to the round, logging every
// message to stdout and killing itself at the message named by dieAtEnv.
const (
	helperEnv = "GITWRITER_CRASH_HELPER"
	urlEnv    = "GITWRITER_URL"
	stateEnv  = "GITWRITER_STATE"
	roundEnv  = "GITWRITER_ROUND"
	dieAtEnv  = "GITWRITER_DIE_AT"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(crashHelper())
	}
	code := m.Run()
	if bigBare.dir != "" {
		_ = os.RemoveAll(filepath.Dir(bigBare.dir))
	}
	os.Exit(code)
}

func crashHelper() int {
	h := &dieAt{msg: os.Getenv(dieAtEnv), w: os.Stdout}
	r, err := Open(context.Background(), os.Getenv(urlEnv), WithStateDir(os.Getenv(stateEnv)),
		WithLogger(slog.New(h)), WithMaxAttempts(20))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer r.Close()
	round := os.Getenv(roundEnv)
	if _, err := r.Update(context.Background(), passEdit(round)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// passEdit sets both files of the pass to round, as one Change.
func passEdit(round string) EditFunc {
	return func(ctx context.Context, dir string) (Change, error) {
		a, err := setTo("pass/a.yaml", "round: "+round+"\n", "apps:a", round)(ctx, dir)
		if err != nil {
			return Change{}, err
		}
		b, err := setTo("pass/b.yaml", "round: "+round+"\n", "apps:b", round)(ctx, dir)
		return Change{Updates: append(a.Updates, b.Updates...)}, err
	}
}

// dieAt prints each log message and SIGKILLs its own process at msg.
type dieAt struct {
	msg string
	w   io.Writer
}

func (h *dieAt) Enabled(context.Context, slog.Level) bool { return true }
func (h *dieAt) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *dieAt) WithGroup(string) slog.Handler            { return h }
func (h *dieAt) Handle(_ context.Context, r slog.Record) error {
	fmt.Fprintln(h.w, r.Message)
	if r.Message == h.msg {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Minute)
	}
	return nil
}

// TestCrashSafety kills writer processes at random points (at log messages
// inside the pass, right after the commit is made, mid-push, at random
// delays) and checks the remote never holds a partial pass and the next
// run converges, on one shared state dir.
func TestCrashSafety(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	bare := gittest.NewBare(t, filepath.Join(base, "crash.git"), map[string]string{
		"pass/a.yaml": "round: 0\n", "pass/b.yaml": "round: 0\n"})
	url := gittest.Daemon(t, base).URL("crash.git")
	state := t.TempDir()
	points := []string{"fetched", "reset worktree", "committed"}
	killed := 0
	for i := 1; i <= 12; i++ {
		round := fmt.Sprint(i)
		var code int
		switch i % 3 {
		case 0:
			code = runHelper(t, url, state, round, kill{dieAt: points[rand.N(len(points))]})
		case 1:
			code = runHelper(t, url, state, round, kill{afterCommit: true, after: time.Duration(rand.N(8000)) * time.Microsecond})
		case 2:
			code = runHelper(t, url, state, round, kill{after: time.Duration(rand.N(1000)) * time.Millisecond})
		}
		if code == -1 {
			killed++
		}
		checkNoPartialPass(t, bare)
		if code := runHelper(t, url, state, round, kill{}); code != 0 {
			t.Fatalf("round %s: the run after the crash exited %d", round, code)
		}
		for _, f := range []string{"pass/a.yaml", "pass/b.yaml"} {
			if got := gittest.Git(t, bare, "show", "main:"+f); got != "round: "+round {
				t.Errorf("round %s: remote %s = %q after the recovery run", round, f, got)
			}
		}
	}
	// Crashes during the first clone into a fresh state dir.
	for i := 13; i <= 15; i++ {
		round, fresh := fmt.Sprint(i), t.TempDir()
		if runHelper(t, url, fresh, round, kill{after: time.Duration(rand.N(300)) * time.Millisecond}) == -1 {
			killed++
		}
		if code := runHelper(t, url, fresh, round, kill{}); code != 0 {
			t.Fatalf("round %s: the run after a crash while cloning exited %d", round, code)
		}
	}
	checkNoPartialPass(t, bare)
	checkNoForcePush(t, bare)
	t.Logf("%d of 15 writers were killed before they finished", killed)
	if killed < 6 {
		t.Errorf("only %d of 15 writers were killed; the test exercised too few crashes", killed)
	}
}

// kill says when a writer process dies; the zero value lets it finish.
type kill struct {
	dieAt       string        // it kills itself when it logs this message
	after       time.Duration // the test kills it this long after it starts...
	afterCommit bool          // ...or after it logs "committed" (mid-push)
}

func (k kill) byTest() bool { return k.after > 0 || k.afterCommit }

// runHelper runs one writer process and returns its exit code (-1 when killed).
func runHelper(t *testing.T, url, state, round string, k kill) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", urlEnv+"="+url, stateEnv+"="+state,
		roundEnv+"="+round, dieAtEnv+"="+k.dieAt)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	var seen []string
	sc := bufio.NewScanner(out)
	if k.byTest() {
		killLater(sc, &seen, pid, k)
	}
	for sc.Scan() {
		seen = append(seen, sc.Text())
	}
	err = cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if code == -1 {
		t.Logf("round %s: killed after %q", round, seen)
	} else if k == (kill{}) && err != nil {
		t.Logf("helper round %s: %v\n%s", round, err, stderr.String())
	}
	return code
}

// killLater kills pid k.after after "committed" shows up on sc (when
// k.afterCommit), or k.after from now.
func killLater(sc *bufio.Scanner, seen *[]string, pid int, k kill) {
	if !k.afterCommit {
		time.AfterFunc(k.after, func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
		return
	}
	for sc.Scan() {
		*seen = append(*seen, sc.Text())
		if sc.Text() == "committed" {
			time.Sleep(k.after)
			_ = syscall.Kill(pid, syscall.SIGKILL)
			return
		}
	}
}

// checkNoPartialPass checks every commit on main holds both files of a pass
// at the same round.
func checkNoPartialPass(t *testing.T, bare string) {
	t.Helper()
	for _, c := range strings.Fields(gittest.Git(t, bare, "rev-list", "main")) {
		a := gittest.Git(t, bare, "show", c+":pass/a.yaml")
		b := gittest.Git(t, bare, "show", c+":pass/b.yaml")
		if a != b {
			t.Errorf("commit %s holds a partial pass: a=%q b=%q", c, a, b)
		}
	}
}
