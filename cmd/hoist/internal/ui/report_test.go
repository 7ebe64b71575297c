package ui

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/yamlpatch"
)

func TestFromReport(t *testing.T) {
	rep := &pass.Report{
		Policies: []*policy.Policy{
			{ID: "apps:api", Image: "ghcr.io/acme/api"},
			{ID: "apps:web", Image: "ghcr.io/acme/web"},
			{ID: "apps:worker", Image: "ghcr.io/acme/worker"},
		},
		Decisions: []policy.Decision{
			{Policy: "apps:api", Tag: "1.5.0", Explanation: policy.Explanation{Reason: "1.5.0 is the highest"}},
			{Policy: "apps:web", Tag: "1.2.1", Explanation: policy.Explanation{Reason: "1.2.1 is the highest"}},
			{Policy: "apps:worker", Explanation: policy.Explanation{Held: "held: 2.0.0 was reverted"}},
		},
		Refs: map[string]yamlpatch.Ref{
			"apps:api": {Name: "ghcr.io/acme/api", Tag: "1.5.0"},
			"apps:web": {Name: "ghcr.io/acme/web", Tag: "1.2.1", Digest: "sha256:abc"},
		},
		Changes: []yamlpatch.Change{
			{File: "api.yaml", Policy: "apps:api", Field: "", Old: "ghcr.io/acme/api:1.4.2@sha256:def", New: "ghcr.io/acme/api:1.5.0"},
			{File: "api.yaml", Policy: "apps:api", Field: "tag", Old: "1.4.1", New: "1.5.0"},
		},
		Problems: []pass.Problem{
			{Stage: "policy", Message: "policies/worker.yaml:3: policy apps:worker: held"},
			{Stage: "yamlpatch", Message: "x.yaml:2: marker names policy apps:gone, which is not loaded", Warning: true},
		},
	}
	policies, problems := FromReport(rep)
	wantProblems := []Problem{
		{Message: "policies/worker.yaml:3: policy apps:worker: held"},
		{Message: "x.yaml:2: marker names policy apps:gone, which is not loaded", Warning: true},
	}
	want := []Policy{
		{ID: "apps:api", Image: "ghcr.io/acme/api", Current: "1.4.2", Selected: "1.5.0", Reason: "1.5.0 is the highest"},
		{ID: "apps:web", Image: "ghcr.io/acme/web", Current: "1.2.1", Selected: "1.2.1", Reason: "1.2.1 is the highest"},
		{ID: "apps:worker", Image: "ghcr.io/acme/worker", Held: "held: 2.0.0 was reverted", Problems: wantProblems[:1]},
	}
	if diff := cmp.Diff(want, policies); diff != "" {
		t.Errorf("FromReport policies mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("FromReport problems mismatch (-want +got):\n%s", diff)
	}
	if p, q := FromReport(nil); p != nil || q != nil {
		t.Errorf("FromReport(nil) = %v, %v, want nil, nil", p, q)
	}
}
