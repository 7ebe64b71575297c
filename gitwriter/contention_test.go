package gitwriter

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
	"golang.org/x/sync/errgroup"
)

// TestContention runs 5 writers with different edits and an outside `git
// push` loop on one branch for 20 rounds, then checks with the git CLI that
// every edit landed exactly once, history is linear, and no update of the
// branch ever dropped a commit.
func TestContention(t *testing.T) {
	t.Parallel()
	const writers, rounds = 5, 20
	bare, url := daemonRepo(t)
	tick := make(chan struct{}, rounds)
	outside := make(chan []string, 1)
	go func() { outside <- outsideLoop(t, bare, tick) }()

	var g errgroup.Group
	attempts := make([]int, writers)
	for w := 0; w < writers; w++ {
		r := mustOpen(t, url, WithStateDir(t.TempDir()), WithAuthor(fmt.Sprintf("writer-%d", w), "hoist@localhost"), WithMaxAttempts(100))
		var ticks chan<- struct{}
		if w == 0 {
			ticks = tick
		}
		g.Go(func() (err error) {
			attempts[w], err = writerRounds(r, w, rounds, ticks)
			return err
		})
	}
	err := g.Wait()
	t.Logf("attempts per writer for %d rounds: %v", rounds, attempts)
	close(tick)
	pushed := <-outside
	t.Logf("outside pushes: %d", len(pushed))
	if err != nil {
		t.Fatal(err)
	}
	if len(pushed) != rounds {
		t.Errorf("the outside writer pushed %d times, want %d", len(pushed), rounds)
	}
	checkLanded(t, bare, writers, rounds)
	checkLinear(t, bare, 1+writers*rounds+len(pushed))
	checkNoForcePush(t, bare)
	for _, c := range pushed {
		if err := gittest.GitCmd(bare, "merge-base", "--is-ancestor", c, "main").Run(); err != nil {
			t.Errorf("outside commit %s is lost", c)
		}
	}
}

// writerRounds runs rounds updates of one writer, sending on tick (when not
// nil) as each round starts.
func writerRounds(r *Repo, w, rounds int, tick chan<- struct{}) (attempts int, err error) {
	file := fmt.Sprintf("apps/w%d.yaml", w)
	for k := 0; k < rounds; k++ {
		if tick != nil {
			tick <- struct{}{}
		}
		tag := fmt.Sprintf("r%d", k)
		out, err := r.Update(context.Background(), setTo(file, "round: "+tag+"\n", fmt.Sprintf("apps:w%d", w), tag))
		attempts += out.Attempts
		if err != nil {
			return attempts, fmt.Errorf("writer %d round %d: %w", w, k, err)
		}
		if out.Commit == "" {
			return attempts, fmt.Errorf("writer %d round %d: no commit", w, k)
		}
	}
	return attempts, nil
}

// outsideLoop commits and pushes with the git CLI once per tick until tick
// closes, and returns the commits it pushed.
func outsideLoop(t *testing.T, bare string, tick <-chan struct{}) []string {
	work := filepath.Join(t.TempDir(), "outside")
	if err := gittest.GitCmd("", "clone", "-q", bare, work).Run(); err != nil {
		t.Errorf("outside clone: %v", err)
		return nil
	}
	var pushed []string
	i := 0
	for range tick {
		for tries := 0; tries < 100; tries++ {
			i++
			if c, ok := outsidePushOnce(work, i); ok {
				pushed = append(pushed, c)
				break
			}
		}
	}
	return pushed
}

// outsidePushOnce commits a change and pushes it; when the push fails it
// drops the commit, so every commit it reports is the only one it added.
func outsidePushOnce(work string, i int) (string, bool) {
	run := func(args ...string) error { return gittest.GitCmd(work, args...).Run() }
	if run("fetch", "-q", "origin", "main") != nil || run("reset", "-q", "--hard", "FETCH_HEAD") != nil {
		return "", false
	}
	if os.WriteFile(filepath.Join(work, "outside.txt"), []byte(fmt.Sprintf("%d\n", i)), 0o644) != nil ||
		run("add", "outside.txt") != nil || run("commit", "-q", "-m", fmt.Sprintf("outside %d", i)) != nil {
		return "", false
	}
	if run("push", "-q", "origin", "HEAD:main") != nil {
		return "", false
	}
	out, err := gittest.GitCmd(work, "rev-parse", "HEAD").Output()
	return strings.TrimSpace(string(out)), err == nil
}

// checkLanded checks each writer's round landed exactly once.
func checkLanded(t *testing.T, bare string, writers, rounds int) {
	t.Helper()
	log := gittest.Git(t, bare, "log", "--format=%an|%s", "main")
	count := map[string]int{}
	for _, line := range strings.Split(log, "\n") {
		count[line]++
	}
	for w := 0; w < writers; w++ {
		for k := 0; k < rounds; k++ {
			key := fmt.Sprintf("writer-%d|Update images: w%d r%d", w, w, k)
			if count[key] != 1 {
				t.Errorf("%q landed %d times, want once", key, count[key])
			}
		}
		want := fmt.Sprintf("round: r%d", rounds-1)
		if got := gittest.Git(t, bare, "show", fmt.Sprintf("main:apps/w%d.yaml", w)); got != want {
			t.Errorf("apps/w%d.yaml = %q, want %q", w, got, want)
		}
	}
}

// checkLinear checks main has no merges and n commits.
func checkLinear(t *testing.T, bare string, n int) {
	t.Helper()
	if m := gittest.Git(t, bare, "rev-list", "--merges", "main"); m != "" {
		t.Errorf("history has merges: %s", m)
	}
	if got := gittest.Git(t, bare, "rev-list", "--count", "main"); got != fmt.Sprint(n) {
		t.Errorf("main has %s commits, want %d", got, n)
	}
}

// checkNoForcePush reads the bare repository's reflog of main and checks
// every update was a fast-forward.
func checkNoForcePush(t *testing.T, bare string) {
	t.Helper()
	f, err := os.Open(filepath.Join(bare, "logs", "refs", "heads", "main"))
	if err != nil {
		t.Fatalf("reading reflog: %v", err)
	}
	defer f.Close()
	var mu sync.Mutex
	sc := bufio.NewScanner(f)
	updates := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		old, nw := fields[0], fields[1]
		if strings.Trim(old, "0") == "" {
			continue
		}
		updates++
		mu.Lock()
		if err := gittest.GitCmd(bare, "merge-base", "--is-ancestor", old, nw).Run(); err != nil {
			t.Errorf("main moved from %s to %s, not a fast-forward", old, nw)
		}
		mu.Unlock()
	}
	if updates == 0 {
		t.Error("reflog of main records no updates")
	}
}
