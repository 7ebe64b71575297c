package pass

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/yamlpatch"
)

func TestTagOf(t *testing.T) {
	for ref, want := range map[string]string{
		"ghcr.io/acme/api:1.2.3":            "1.2.3",
		"127.0.0.1:5000/acme/api:v1":        "v1",
		"127.0.0.1:5000/acme/api":           "127.0.0.1:5000/acme/api",
		"ghcr.io/acme/api:1.2@sha256:abcd":  "1.2",
		"nginx":                             "nginx",
		"registry:5000/x/y:main-17-abcdef0": "main-17-abcdef0",
	} {
		if got := TagOf(ref); got != want {
			t.Errorf("TagOf(%q) = %q, want %q", ref, got, want)
		}
	}
}

func TestChange(t *testing.T) {
	r := &Report{
		Refs: map[string]yamlpatch.Ref{
			"apps:api": {Name: "r.io/acme/api", Tag: "1.1.0", Digest: "sha256:aa"},
			"web":      {Name: "r.io/acme/web", Tag: "2.0.0"},
		},
		Changes: []yamlpatch.Change{
			{File: "a.yaml", Line: 3, APIVersion: "apps/v1", Kind: "Deployment", Name: "api", Policy: "apps:api", Field: "",
				Old: "r.io/acme/api:1.0.0@sha256:00", New: "r.io/acme/api:1.1.0@sha256:aa"},
			{File: "k.yaml", Line: 7, Policy: "web", Field: "tag", Old: "1.9.0", New: "2.0.0"},
		},
	}
	want := gitwriter.Change{Updates: []gitwriter.Update{
		{File: "a.yaml", APIVersion: "apps/v1", Kind: "Deployment", Name: "api", Policy: "apps:api", Old: "r.io/acme/api:1.0.0@sha256:00",
			New: "r.io/acme/api:1.1.0@sha256:aa", Image: "r.io/acme/api:1.1.0@sha256:aa", From: "1.0.0", To: "1.1.0"},
		{File: "k.yaml", Policy: "web", Field: "tag", Old: "1.9.0", New: "2.0.0", Image: "r.io/acme/web:2.0.0", From: "1.9.0", To: "2.0.0"},
	}}
	if diff := cmp.Diff(want, r.Change()); diff != "" {
		t.Errorf("Change() mismatch (-want +got):\n%s", diff)
	}
}
