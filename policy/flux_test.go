package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fluxPair is an ImageRepository and an ImagePolicy of one apiVersion.
func fluxPair(version string) string {
	return "apiVersion: image.toolkit.fluxcd.io/" + version + "\nkind: ImageRepository\nmetadata: {name: api, namespace: apps}\n" +
		"spec:\n  image: ghcr.io/acme/api\n  interval: 1m\n---\n" +
		"apiVersion: image.toolkit.fluxcd.io/" + version + "\nkind: ImagePolicy\nmetadata: {name: api, namespace: apps}\n" +
		"spec:\n  imageRepositoryRef: {name: api}\n  filterTags: {pattern: '^v(?P<v>.*)$', extract: '$v'}\n  policy: {semver: {range: '>=1.0.0'}}\n"
}

func TestLoadOldFluxVersions(t *testing.T) {
	for _, tc := range []struct {
		version  string
		warnings []string
	}{
		{"v1", nil},
		{"v1beta2", nil},
		{"v1beta1", []string{
			"f.yaml:1: warning: ImageRepository apps:api: image.toolkit.fluxcd.io/v1beta1 is deprecated and no longer served by Flux; hoist reads it as image.toolkit.fluxcd.io/v1: upgrade the apiVersion (flux migrate)",
			"f.yaml:8: warning: policy apps:api: image.toolkit.fluxcd.io/v1beta1 is deprecated and no longer served by Flux; hoist reads it as image.toolkit.fluxcd.io/v1: upgrade the apiVersion (flux migrate)",
		}},
		{"v1alpha2", []string{
			"f.yaml:1: warning: ImageRepository apps:api: image.toolkit.fluxcd.io/v1alpha2 is deprecated and no longer served by Flux; hoist reads it as image.toolkit.fluxcd.io/v1: upgrade the apiVersion (flux migrate)",
			"f.yaml:8: warning: policy apps:api: image.toolkit.fluxcd.io/v1alpha2 is deprecated and no longer served by Flux; hoist reads it as image.toolkit.fluxcd.io/v1: upgrade the apiVersion (flux migrate)",
		}},
		{"v1alpha1", []string{
			"f.yaml:1: warning: ImageRepository apps:api: image.toolkit.fluxcd.io/v1alpha1 is deprecated and no longer served by Flux; hoist reads it as image.toolkit.fluxcd.io/v1: upgrade the apiVersion (flux migrate)",
			"f.yaml:8: warning: policy apps:api: image.toolkit.fluxcd.io/v1alpha1 is deprecated and no longer served by Flux; hoist reads it as image.toolkit.fluxcd.io/v1: upgrade the apiVersion (flux migrate)",
		}},
	} {
		t.Run(tc.version, func(t *testing.T) {
			set, err := Load(writeTree(t, map[string]string{"f.yaml": fluxPair(tc.version)}))
			if err != nil {
				t.Fatal(err)
			}
			want := []summary{{ID: "apps:api", Image: "ghcr.io/acme/api", File: "f.yaml", Line: 8, Rule: `semver ">=1.0.0"`,
				Digest: DigestNever, APIVersion: "image.toolkit.fluxcd.io/" + tc.version}}
			if diff := cmp.Diff(want, summarize(set.Policies)); diff != "" {
				t.Errorf("policies mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.warnings, problemStrings(set.Warnings())); diff != "" {
				t.Errorf("warnings mismatch (-want +got):\n%s", diff)
			}
			if len(set.Errors()) != 0 {
				t.Errorf("errors = %v, want none", set.Errors())
			}
			if d := Select(set.Policies, map[string][]Tag{"ghcr.io/acme/api": Tags("v1.0.0", "v1.2.0", "x")})[0]; d.Tag != "v1.2.0" {
				t.Errorf("selected %q (%v), want v1.2.0", d.Tag, d.Err)
			}
		})
	}
}

func problemStrings(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Error())
	}
	return out
}

func TestProblemSeverity(t *testing.T) {
	err := errors.New("boom")
	set := &Set{Problems: []Problem{
		{File: "a.yaml", Line: 3, Policy: "x", Err: err},
		{File: "b.yaml", Err: err, Severity: SeverityWarning},
	}}
	got := []string{set.Problems[0].Error(), set.Problems[1].Error(), SeverityError.String(), SeverityWarning.String()}
	want := []string{"a.yaml:3: policy x: boom", "b.yaml: warning: boom", "error", "warning"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if len(set.Errors()) != 1 || set.Errors()[0].File != "a.yaml" || len(set.Warnings()) != 1 || set.Warnings()[0].File != "b.yaml" {
		t.Errorf("Errors = %v, Warnings = %v", set.Errors(), set.Warnings())
	}
}

func TestLoadRegistry(t *testing.T) {
	repo := func(ns, spec string) string {
		return "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r" + ns + "}\nspec:\n  image: a/r\n" + spec
	}
	pol := "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: p, namespace: apps}\nspec:\n  imageRepositoryRef: {name: r}\n  policy: {numerical: {}}\n"
	for _, tc := range []struct {
		name, spec string
		ns         string
		want       Registry
		problem    string
	}{
		{"defaults", "", "apps", Registry{Repository: "apps:r", Provider: "generic"}, ""},
		{"all fields", "  insecure: true\n  secretRef: {name: regcred}\n  certSecretRef: {name: ca}\n  provider: aws\n  serviceAccountName: sa\n", "apps",
			Registry{Repository: "apps:r", Insecure: true, SecretRef: "apps/regcred", CertSecretRef: "apps/ca", Provider: "aws"}, ""},
		{"no namespace", "  secretRef: {name: regcred}\n  provider: gcp\n", "",
			Registry{Repository: "r", SecretRef: "regcred", Provider: "gcp"}, ""},
		{"bad provider", "  provider: oracle\n", "apps", Registry{}, `f.yaml:6: ImageRepository apps:r: spec.provider: must be one of generic, aws, azure, gcp, got "oracle"`},
		{"insecure not a bool", "  insecure: yes-please\n", "apps", Registry{}, "f.yaml:6: ImageRepository apps:r: spec.insecure: must be true or false"},
		{"secretRef without name", "  secretRef: {}\n", "apps", Registry{}, `f.yaml:6: ImageRepository apps:r: spec.secretRef.name: "" is not a valid Kubernetes name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(repo("", tc.spec), "{name: r}", "{name: r, namespace: apps}", 1)
			p := pol
			if tc.ns == "" {
				doc, p = repo("", tc.spec), strings.Replace(pol, ", namespace: apps", "", 1)
			}
			set, err := Load(writeTree(t, map[string]string{"f.yaml": doc + "---\n" + p}))
			if err != nil {
				t.Fatal(err)
			}
			if tc.problem != "" {
				if got := problemStrings(set.Problems); len(got) == 0 || got[0] != tc.problem {
					t.Errorf("problems = %q, want first %q", got, tc.problem)
				}
				return
			}
			if len(set.Policies) != 1 || len(set.Problems) != 0 {
				t.Fatalf("policies %v, problems %v", summarize(set.Policies), set.Problems)
			}
			if diff := cmp.Diff(tc.want, set.Policies[0].Registry); diff != "" {
				t.Errorf("registry mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadTemplates(t *testing.T) {
	set, err := Load(writeTree(t, map[string]string{
		"tmpl.yaml": "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: api}\nspec:\n  image: ${REGISTRY}/api\n---\n" +
			"apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: ${APP:=api}\nspec:\n  imageRepositoryRef: {name: api}\n  policy: {semver: {range: '*'}}\n",
		"ok.yaml": hoistDoc("ts", "  image: a/b\n  filterTags: {pattern: '^main-(?P<ts>[0-9]+)$', extract: '${ts}'}\n  policy: {numerical: {}}\n"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"apps:ts"}, ids(set.Policies)); diff != "" {
		t.Errorf("policies mismatch (-want +got):\n%s", diff)
	}
	want := []string{
		`tmpl.yaml:5: warning: ImageRepository api: not loaded: "${REGISTRY}" is a Flux substitution that a Kustomization's postBuild renders, which hoist does not`,
		`tmpl.yaml:10: warning: ImagePolicy ${APP:=api}: not loaded: "${APP:=api}" is a Flux substitution that a Kustomization's postBuild renders, which hoist does not`,
	}
	if diff := cmp.Diff(want, problemStrings(set.Problems)); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}
