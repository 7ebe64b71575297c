package gitwriter

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// staged builds a repository whose staging and prod directories hold
// markers of apps:api and apps:api-prod, committing at given times.
type staged struct {
	t   *testing.T
	dir string
	at  time.Time
}

func stagingFile(tag string) map[string]string {
	return map[string]string{"clusters/staging/api.yaml": "tag: " + tag + " # {\"$imagepolicy\": \"apps:api:tag\"}\n"}
}

// commit commits files with msg at s.at (author and committer dates) and
// advances the clock by step.
func (s *staged) commit(msg string, files map[string]string, step time.Duration) string {
	s.t.Helper()
	gittest.WriteFiles(s.t, s.dir, files)
	gittest.Git(s.t, s.dir, "add", "-A")
	cmd := gittest.GitCmd(s.dir, "commit", "-q", "--allow-empty", "-m", msg)
	date := s.at.Format(time.RFC3339)
	cmd.Env = append(cmd.Env, "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("git commit: %v\n%s", err, out)
	}
	s.at = s.at.Add(step)
	return gittest.Git(s.t, s.dir, "rev-parse", "HEAD")
}

func hoistMsg(policy, from, to string) string {
	return "Update images: api " + to + "\n\nHoist-Policy: " + policy + "\nHoist-Image: ghcr.io/acme/api:" + to +
		"\nHoist-From: " + from + "\nHoist-To: " + to + "\n"
}

// stagedHistory: 1.4.2 by hand, hoist 1.4.3, hoist 1.5.0, reverted to
// 1.4.3 by a person, then an unrelated prod commit.
func stagedHistory(t *testing.T) (*staged, []string, time.Time) {
	t0 := time.Date(2026, 11, 18, 9, 12, 0, 0, time.UTC)
	s := &staged{t: t, dir: t.TempDir(), at: t0}
	gittest.Git(t, s.dir, "init", "-q", "-b", "main")
	var c []string
	c = append(c, s.commit("seed", stagingFile("1.4.2"), 24*time.Hour))
	c = append(c, s.commit(hoistMsg("apps:api", "1.4.2", "1.4.3"), stagingFile("1.4.3"), 24*time.Hour))
	c = append(c, s.commit(hoistMsg("apps:api", "1.4.3", "1.5.0"), stagingFile("1.5.0"), 2*time.Hour))
	c = append(c, s.commit("Revert \"Update images: api 1.5.0\"\n\nThis reverts commit "+c[2]+".\n", stagingFile("1.4.3"), time.Hour))
	c = append(c, s.commit("prod things", map[string]string{"clusters/prod/x.yaml": "a: b\n"}, time.Hour))
	return s, c, t0
}

func TestReadStints(t *testing.T) {
	s, c, t0 := stagedHistory(t)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	q := StintQuery{Policy: "apps:api", Dir: "clusters/staging", Read: readTags}
	got, err := ReadStints(context.Background(), s.dir, q)
	if err != nil {
		t.Fatal(err)
	}
	want := []Stint{
		{Version: "1.4.3", Commit: c[3], Since: h(50)},
		{Version: "1.5.0", Commit: c[2], Since: h(48), Until: h(50), EndedBy: c[3], Rejected: true, Reason: "was reverted", Who: "test <test@localhost>"},
		{Version: "1.4.3", Commit: c[1], Since: h(24), Until: h(48), EndedBy: c[2]},
		{Version: "1.4.2", Commit: c[0], Since: h(0), Until: h(24), EndedBy: c[1]},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("stints mismatch (-want +got):\n%s", diff)
	}
	if w := got[1].Why(); w != "was reverted in "+c[3][:7]+" by test <test@localhost> on 2026-11-20" {
		t.Errorf("Why = %q", w)
	}
	// from a subdirectory of the checkout, with a shared cache and a limit of two stints
	cache := &HistoryCache{}
	q.Dir, q.Max = "staging", 2
	got, err = ReadStints(context.Background(), filepath.Join(s.dir, "clusters"), q, WithHistoryCache(cache))
	if err != nil || len(got) != 2 || got[1].Version != "1.5.0" {
		t.Fatalf("from a subdirectory: %+v, %v", got, err)
	}
}

func TestReadStintsErrors(t *testing.T) {
	s, _, _ := stagedHistory(t)
	for name, tc := range map[string]struct {
		q    StintQuery
		want error
	}{
		"no path":    {StintQuery{Policy: "apps:api", Dir: "clusters/nope", Read: readTags}, ErrNoPath},
		"no markers": {StintQuery{Policy: "apps:web", Dir: "clusters/staging", Read: readTags}, ErrNoMarkers},
		"no branch":  {StintQuery{Policy: "apps:api", Dir: "clusters/staging", Branch: "nope", Read: readTags}, ErrNoBranch},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadStints(context.Background(), s.dir, tc.q)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRepoStintsBranch follows a branch of a repository served by a real
// git daemon: Repo (a shallow clone of main) fetches it, and deepens it
// to read back to the first stint.
func TestRepoStintsBranch(t *testing.T) {
	s, c, t0 := stagedHistory(t)
	gittest.Git(t, s.dir, "branch", "staging")
	s.commit("main moves on", map[string]string{"clusters/staging/api.yaml": "tag: 2.0.0 # {\"$imagepolicy\": \"apps:api:tag\"}\n"}, time.Hour)
	base := t.TempDir()
	gittest.Git(t, "", "clone", "-q", "--bare", s.dir, filepath.Join(base, "config.git"))
	url := gittest.Daemon(t, base).URL("config.git")
	r := mustOpen(t, url)
	got, err := r.Stints(context.Background(), StintQuery{Policy: "apps:api", Dir: "clusters/staging", Branch: "staging", Read: readTags})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0].Commit != c[3] || !got[3].Since.Equal(t0) {
		t.Fatalf("stints of branch staging = %+v", got)
	}
	got, err = r.Stints(context.Background(), StintQuery{Policy: "apps:api", Dir: "clusters/staging", Read: readTags})
	if err != nil || got[0].Version != "2.0.0" || !got[0].Until.IsZero() || got[0].Rejected {
		t.Fatalf("stints of main = %+v, %v", got, err)
	}
	if !got[1].Rejected { // the hand edit on main replaced hoist's 1.4.3
		t.Errorf("1.4.3 on main was replaced by hand: %+v", got[1])
	}
	_, err = r.Stints(context.Background(), StintQuery{Policy: "apps:api", Dir: "clusters/staging", Branch: "nope", Read: readTags})
	if !errors.Is(err, ErrNoBranch) {
		t.Errorf("missing branch: err = %v, want ErrNoBranch", err)
	}
}

// BenchmarkStints10k is what a follow gate adds to a pass on a
// 10,000-commit repository whose followed marker never moved (the walk
// goes to the root): "warm" reuses the cache of the last pass (the
// daemon), "cold" reads every commit afresh.
func BenchmarkStints10k(b *testing.B) {
	dir := bigHistory(b, 10000)
	ctx := context.Background()
	q := StintQuery{Policy: "apps:web", Dir: "deploy", Read: readTags}
	b.Run("warm", func(b *testing.B) {
		c := &HistoryCache{}
		if _, err := ReadStints(ctx, dir, q, WithHistoryCache(c)); err != nil { // the last pass
			b.Fatal(err)
		}
		for b.Loop() {
			if s, err := ReadStints(ctx, dir, q, WithHistoryCache(c)); err != nil || len(s) != 1 {
				b.Fatalf("%v %v", s, err)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			if _, err := ReadStints(ctx, dir, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}
