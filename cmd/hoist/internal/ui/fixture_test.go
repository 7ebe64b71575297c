package ui

import (
	"context"
	"time"
)

// hostile is an attacker's name for a file, policy or commit.
const hostile = `<script>alert(1)</script>`

// now is the fixture's clock.
var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fakeSource serves a fixed status.
type fakeSource struct{ st Status }

func (f fakeSource) Status(context.Context) Status { return f.st }

// fixture is a status like the demo config's, plus a repository whose
// every string is hostile.
func fixture() Status {
	return Status{GeneratedAt: now, Repositories: []Repository{demoRepo(), platformRepo(), hostileRepo()}}
}

func demoRepo() Repository {
	return Repository{
		Name: "demo", URL: "https://hoist-bot:ghp_s3cr3tT0ken@git.example.com/acme/gitops.git?private_token=abc",
		LastPass: &Pass{Start: now.Add(-3 * time.Minute), Duration: 2400 * time.Millisecond, Result: Committed, Changes: 2},
		NextPass: now.Add(2 * time.Minute),
		LastCommit: &Commit{SHA: "4f1c2a9be0d3f5a1c7e8b9d0a1b2c3d4e5f60718", URL: "https://git.example.com/acme/gitops/commit/4f1c2a9b",
			Subject: "Update apps:api to 1.5.0, apps:web to 1.2.1", Time: now.Add(-3 * time.Minute)},
		Policies: []Policy{
			{ID: "apps:api", Image: "demo.registry.invalid/acme/api", Current: "1.4.2", Selected: "1.5.0",
				Reason: `1.5.0 is the highest of 6 versions in range ">=1.0.0 <2.0.0" (runner-up 1.4.2)`},
			{ID: "apps:web", Image: "demo.registry.invalid/acme/web", Current: "1.2.1", Selected: "1.2.1",
				Reason: `1.2.1 is the highest of 4 versions in range "^1.0.0"; 2 excluded by "-debug$"`},
			{ID: "apps:worker", Image: "demo.registry.invalid/acme/worker", Current: "main-1700000000-abc1234",
				Held:   "held: main-1700000500-def5678 was reverted in 9e8d7c6; waiting for a version above it",
				Reason: "numerical (asc) picks main-1700000500-def5678 of 5 tags"},
		},
		Problems: []Problem{{Message: "apps/legacy.yaml:12: marker names policy apps:gone, which is not loaded", Warning: true}},
		History: []Event{
			{Time: now.Add(-3 * time.Minute), Commit: "4f1c2a9be0d3", Policy: "apps:api", From: "1.4.2", To: "1.5.0", Kind: Update},
			{Time: now.Add(-2 * time.Hour), Commit: "9e8d7c6b5a43", Policy: "apps:worker", From: "main-1700000500-def5678", To: "main-1700000000-abc1234", Kind: Revert},
		},
		Passes: passes(5*time.Minute, func(i int) (int, bool) {
			return []int{2, 0, 1, 0, 3, 0, 0}[i%7] * map[bool]int{true: 1}[i%29 < 3], false
		}),
	}
}

func platformRepo() Repository {
	return Repository{
		Name: "platform", URL: "ssh://git@git.example.com/acme/platform.git",
		LastPass: &Pass{Start: now.Add(-40 * time.Second), Duration: 31 * time.Second, Result: Failed,
			Error: "git: fetching https://bot:hunter2@git.example.com/acme/platform.git: connection refused"},
		Backoff:     &Backoff{Until: now.Add(80 * time.Second), Failures: 3},
		PullRequest: &PullRequest{URL: "https://git.example.com/acme/platform/pulls/42", Number: 42},
		Policies: []Policy{{ID: "infra:ingress", Image: "registry.k8s.io/ingress-nginx/controller", Current: "v1.11.2", Selected: "v1.11.3",
			Gates: "minAge 24h: v1.11.3 was built 3h ago", Reason: `v1.11.3 is the highest of 40 versions in range "~1.11"`}},
		Passes: passes(10*time.Minute, func(i int) (int, bool) { return 0, i > 130 }),
	}
}

func hostileRepo() Repository {
	return Repository{
		Name: hostile, URL: "javascript:alert(1)",
		LastPass:   &Pass{Start: now.Add(-time.Hour), Result: Failed, Error: hostile},
		LastCommit: &Commit{SHA: hostile, URL: "javascript:alert(1)", Subject: hostile},
		Policies: []Policy{{ID: hostile, Image: hostile, Current: hostile, Selected: hostile, Reason: hostile, Held: hostile,
			Problems: []Problem{{Message: hostile + ".yaml:1: bad"}}}},
		Problems: []Problem{{Message: hostile + ".yaml:1: bad"}},
		History:  []Event{{Time: now, Commit: hostile, Policy: hostile, From: hostile, To: hostile, Kind: EventKind(hostile)}},
	}
}

// passes returns a day of passes every interval; f gives each one's
// changes and whether it failed.
func passes(interval time.Duration, f func(i int) (int, bool)) []PassPoint {
	var out []PassPoint
	for i := 0; time.Duration(i)*interval < 24*time.Hour; i++ {
		changes, failed := f(i)
		out = append(out, PassPoint{Time: now.Add(-24*time.Hour + time.Duration(i+1)*interval), Changes: changes, Failed: failed})
	}
	return out
}
