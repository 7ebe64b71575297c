package shard

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func repoNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return out
}

// spread returns the most and fewest repositories a member got.
func spread(a map[string][]string) (most, fewest int) {
	fewest = -1
	for _, rs := range a {
		most = max(most, len(rs))
		if fewest < 0 || len(rs) < fewest {
			fewest = len(rs)
		}
	}
	return most, fewest
}

func TestAssignCoversEveryRepositoryOnce(t *testing.T) {
	members := []string{"hoist-7d9f-a", "hoist-7d9f-b", "hoist-7d9f-c"}
	repos := repoNames("ssh://git@example.com/team/fleet-", 300)
	a := Assign(members, repos)
	var got []string
	for _, m := range members {
		got = append(got, a[m]...)
		for _, r := range a[m] {
			if o := rendezvous(newMembers(members), r); o != m {
				t.Errorf("Assign gives %s to %s, rendezvous to %s", r, m, o)
			}
		}
	}
	slices.Sort(got)
	if diff := cmp.Diff(repos, got); diff != "" {
		t.Errorf("assigned repositories mismatch (-want +got):\n%s", diff)
	}
	if most, fewest := spread(a); most > 120 {
		t.Errorf("3 members x 300 repositories: most %d, fewest %d; want none above 120", most, fewest)
	}
	// The order members are listed in does not matter.
	rev := slices.Clone(members)
	slices.Reverse(rev)
	if diff := cmp.Diff(a, Assign(rev, repos)); diff != "" {
		t.Errorf("Assign depends on member order (-want +got):\n%s", diff)
	}
}

// TestSpreadOverManyNameSets measures how often pure rendezvous hashing puts
// more than 120 of 300 repositories on one of 3 members, over random name sets.
func TestSpreadOverManyNameSets(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	members := []string{"a", "b", "c"}
	const sets = 500
	over := 0
	for range sets {
		repos := make([]string, 300)
		for i := range repos {
			repos[i] = fmt.Sprintf("repo-%x", rng.Uint64())
		}
		if most, _ := spread(Assign(members, repos)); most > 120 {
			over++
		}
	}
	t.Logf("3 members x 300 random names: %d of %d name sets put more than 120 on one member (%.2f%%)",
		over, sets, 100*float64(over)/sets)
	// Binomial(300, 1/3) exceeds 120 with p about 0.7%, so about 2% for the
	// largest of three; a hash with bias would show far more.
	if over > sets/20 {
		t.Errorf("%d of %d name sets above 120: the hash is biased", over, sets)
	}
}

// TestMovesOnlyTheChangingMembersShare checks minimal movement: a member
// leaving moves only its repositories, and joining takes only repositories
// that move to it.
func TestMovesOnlyTheChangingMembersShare(t *testing.T) {
	repos := repoNames("repo-", 1000)
	for _, n := range []int{2, 3, 5, 10} {
		members := repoNames("pod-", n)
		before := owners(members, repos)
		for _, gone := range members {
			rest := slices.DeleteFunc(slices.Clone(members), func(m string) bool { return m == gone })
			after := owners(rest, repos)
			for _, r := range repos {
				if before[r] != gone && after[r] != before[r] {
					t.Errorf("%d members, %s leaves: %s moved from %s to %s", n, gone, r, before[r], after[r])
				}
			}
			// Joining again is the reverse: only what moves back to gone moves.
			if diff := cmp.Diff(before, owners(members, repos)); diff != "" {
				t.Errorf("%d members: assignment after %s rejoins mismatch (-want +got):\n%s", n, gone, diff)
			}
		}
		joined := owners(append(slices.Clone(members), "pod-new"), repos)
		for _, r := range repos {
			if joined[r] != before[r] && joined[r] != "pod-new" {
				t.Errorf("%d members, pod-new joins: %s moved from %s to %s", n, r, before[r], joined[r])
			}
		}
	}
}

func owners(members, repos []string) map[string]string {
	out := map[string]string{}
	for m, rs := range Assign(members, repos) {
		for _, r := range rs {
			out[r] = m
		}
	}
	return out
}

func TestRendezvousWithoutMembers(t *testing.T) {
	if got := rendezvous(nil, "repo"); got != "" {
		t.Errorf("rendezvous(nil) = %q, want \"\"", got)
	}
	if diff := cmp.Diff(map[string][]string{}, Assign(nil, []string{"a"})); diff != "" {
		t.Errorf("Assign(nil) mismatch (-want +got):\n%s", diff)
	}
}

func TestTriggerValueRoundTrip(t *testing.T) {
	for _, repo := range []string{"fleet", "ssh://git@host/a b@c.git", "x"} {
		got, ok := triggerRepo(triggerValue(repo, fixedTime))
		if !ok || got != repo {
			t.Errorf("triggerRepo(triggerValue(%q)) = %q, %v", repo, got, ok)
		}
	}
	if _, ok := triggerRepo("garbage"); ok {
		t.Error(`triggerRepo("garbage") is ok`)
	}
}
