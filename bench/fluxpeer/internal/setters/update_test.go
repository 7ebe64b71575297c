package setters

import (
	"os"
	"path/filepath"
	"testing"

	reflectorv1 "github.com/fluxcd/image-reflector-controller/api/v1"
	"github.com/google/go-cmp/cmp"
)

func policy(ns, name string, ref reflectorv1.ImageRef) reflectorv1.ImagePolicy {
	p := reflectorv1.ImagePolicy{}
	p.Namespace, p.Name = ns, name
	p.Status.LatestRef = &ref
	return p
}

func TestUpdate(t *testing.T) {
	const digest = "sha256:0000000000000000000000000000000000000000000000000000000000000001"
	policies := []reflectorv1.ImagePolicy{
		policy("apps", "api", reflectorv1.ImageRef{Name: "ghcr.io/acme/api", Tag: "1.5.0"}),
		policy("apps", "web", reflectorv1.ImageRef{Name: "ghcr.io/acme/web", Tag: "2.0.0", Digest: digest}),
	}
	tests := map[string]struct {
		file, in, want string
		changes        int
	}{
		"whole reference": {
			file:    "deploy.yaml",
			in:      "spec:\n  containers:\n  - image: ghcr.io/acme/api:1.4.0 # {\"$imagepolicy\": \"apps:api\"}\n",
			want:    "spec:\n  containers:\n  - image: ghcr.io/acme/api:1.5.0 # {\"$imagepolicy\": \"apps:api\"}\n",
			changes: 1,
		},
		"wide sequence kept": {
			file:    "wide.yaml",
			in:      "spec:\n  containers:\n    - image: ghcr.io/acme/api:1.4.0 # {\"$imagepolicy\": \"apps:api\"}\n",
			want:    "spec:\n  containers:\n    - image: ghcr.io/acme/api:1.5.0 # {\"$imagepolicy\": \"apps:api\"}\n",
			changes: 1,
		},
		"with digest": {
			file:    "web.yml",
			in:      "image: ghcr.io/acme/web:1.0.0 # {\"$imagepolicy\": \"apps:web\"}\n",
			want:    "image: ghcr.io/acme/web:2.0.0@" + digest + " # {\"$imagepolicy\": \"apps:web\"}\n",
			changes: 1,
		},
		"tag, name and digest": {
			file: "kustomization.yaml",
			in: "images:\n- name: x\n  newName: old # {\"$imagepolicy\": \"apps:web:name\"}\n" +
				"  newTag: \"1.0\" # {\"$imagepolicy\": \"apps:web:tag\"}\n  digest: sha256:9 # {\"$imagepolicy\": \"apps:web:digest\"}\n",
			want: "images:\n- name: x\n  newName: ghcr.io/acme/web # {\"$imagepolicy\": \"apps:web:name\"}\n" +
				"  newTag: \"2.0.0\" # {\"$imagepolicy\": \"apps:web:tag\"}\n  digest: " + digest + " # {\"$imagepolicy\": \"apps:web:digest\"}\n",
			changes: 3,
		},
		"unknown policy": {
			file: "other.yaml",
			in:   "image: x:1 # {\"$imagepolicy\": \"apps:nope\"}\n",
			want: "image: x:1 # {\"$imagepolicy\": \"apps:nope\"}\n",
		},
		"no marker, not parsed": {
			file: "plain.yaml",
			in:   "a: 1\n\n\nb:    [1,2]\n",
			want: "a: 1\n\n\nb:    [1,2]\n",
		},
		"re-serialised, blank lines dropped": {
			file:    "values.yaml",
			in:      "a: 1\n\nimage:\n  tag: 1.4.0 # {\"$imagepolicy\": \"apps:api:tag\"}\n",
			want:    "a: 1\nimage:\n  tag: 1.5.0 # {\"$imagepolicy\": \"apps:api:tag\"}\n",
			changes: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, tc.file)
			if err := os.WriteFile(path, []byte(tc.in), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Update(root, policies)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("file after Update mismatch (-want +got):\n%s", diff)
			}
			if len(res.Changes) != tc.changes {
				t.Errorf("Update made %d changes (%+v), want %d", len(res.Changes), res.Changes, tc.changes)
			}
		})
	}
}
