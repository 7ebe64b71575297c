package yamlpatch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMarkerObject checks the enclosing object each marker reports, its
// apiVersion included (Flux commit templates show it).
func TestMarkerObject(t *testing.T) {
	for name, tc := range map[string]struct {
		src  string
		want []object
	}{
		"deployment": {
			src:  "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: apps}\nspec:\n  image: a:1 # {\"$imagepolicy\": \"p\"}\n",
			want: []object{{apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: "api"}},
		},
		"kustomization": {
			src:  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n- name: a\n  newTag: \"1\" # {\"$imagepolicy\": \"p:tag\"}\n",
			want: []object{{apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization"}},
		},
		"list items are their own objects": {
			src: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: batch/v1\n  kind: CronJob\n  metadata: {name: job}\n  x: a:1 # {\"$imagepolicy\": \"p\"}\n" +
				"- kind: NoAPIVersion\n  x: a:1 # {\"$imagepolicy\": \"p\"}\n",
			want: []object{{apiVersion: "batch/v1", kind: "CronJob", name: "job"}, {apiVersion: "v1", kind: "List"}},
		},
		"values file": {
			src:  "image: a:1 # {\"$imagepolicy\": \"p\"}\n",
			want: []object{{}},
		},
		"apiVersion not a scalar": {
			src:  "apiVersion: [v1]\nkind: Pod\nx: a:1 # {\"$imagepolicy\": \"p\"}\n",
			want: []object{{kind: "Pod"}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := parseFile([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []object
			for _, s := range p.sites {
				got = append(got, s.obj)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(object{})); diff != "" {
				t.Errorf("objects mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
