package policy_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hoist-dev/hoist/policy"
)

// The policy file format: hoist's own ImagePolicy, and Flux's
// ImageRepository + ImagePolicy, in any .yaml/.yml file of the repository.
const policies = `apiVersion: hoist.dev/v1alpha1
kind: ImagePolicy
metadata:
  name: api
  namespace: apps            # optional; the ID is "apps:api"
spec:
  image: ghcr.io/acme/api    # repository, no tag
  exclude: ['-rc', '^sha-']  # optional regexes, applied first
  policy:                    # exactly one of:
    semver: {range: '>=1.4.0 <2.0.0'}
    # alphabetical: {order: asc}   asc picks the greatest, desc the smallest
    # numerical: {order: asc}      asc picks the largest, desc the smallest
    # newestBuild: {}              the newest image build
  group: stack               # optional: members move together
  digest: Never              # Never | IfNotPresent | Always
  platform: linux/amd64      # optional: digest of one platform
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {name: web, namespace: apps}
spec:
  image: ghcr.io/acme/web
  interval: 5m               # cluster-only: ignored with a note
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: {name: web, namespace: apps}
spec:
  imageRepositoryRef: {name: web}
  filterTags:
    pattern: '^main-(?P<ts>[0-9]+)-[a-f0-9]+$'
    extract: '$ts'
  policy:
    numerical: {order: asc}
`

func Example() {
	dir, err := os.MkdirTemp("", "policy-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "policies.yaml"), []byte(policies), 0o644); err != nil {
		panic(err)
	}
	set, err := policy.Load(dir)
	if err != nil {
		panic(err)
	}
	for _, p := range set.Policies {
		fmt.Printf("%s %s:%d %s %s\n", p.ID, p.File, p.Line, p.Image, p.Rule())
	}
	for _, n := range set.Notes {
		fmt.Println("note:", n)
	}
	tags := map[string][]policy.Tag{
		"ghcr.io/acme/api": policy.Tags("1.3.9", "1.4.0", "v1.4.2", "1.5.0-rc.1", "2.0.0", "sha-1a2b3c", "latest"),
		"ghcr.io/acme/web": policy.Tags("main-1700000100-abc123", "main-1700000200-def456", "pr-12-aaa111", "latest"),
	}
	for _, d := range policy.Select(set.Policies, tags) {
		e := d.Explanation
		fmt.Printf("%s -> %s (seen %d, excluded %d, filtered out %d, unparseable %d, out of range %d)\n",
			d.Policy, d.Tag, e.Seen, e.Excluded, e.FilteredOut, e.Unparseable, e.OutOfRange)
		fmt.Println("  ", e.Reason)
	}
	// Output:
	// apps:api policies.yaml:1 ghcr.io/acme/api semver ">=1.4.0 <2.0.0"
	// apps:web policies.yaml:25 ghcr.io/acme/web numerical asc
	// note: policies.yaml:18: ImageRepository apps:web: ignoring fields hoist does not use (cluster-only): spec.interval
	// apps:api -> v1.4.2 (seen 7, excluded 2, filtered out 0, unparseable 1, out of range 2)
	//    group stack (its only member): highest version in range ">=1.4.0 <2.0.0" among 2 versions: 1.4.2
	// apps:web -> main-1700000200-def456 (seen 4, excluded 0, filtered out 2, unparseable 0, out of range 0)
	//    largest number (numerical asc) among 2 candidates, ordering the value "1700000200" extracted by "$ts"
}

// Policies in one group move together to the highest version every member
// has; a member that lacks every shared version holds the group.
func ExampleSelect_group() {
	api, _ := policy.New("apps:api", policy.Spec{Image: "ghcr.io/acme/api", Rule: "semver", Range: ">=1.0.0", Group: "stack"})
	web, _ := policy.New("apps:web", policy.Spec{Image: "ghcr.io/acme/web", Rule: "semver", Range: ">=1.0.0", Group: "stack"})
	tags := map[string][]policy.Tag{
		"ghcr.io/acme/api": policy.Tags("1.4.0", "1.5.0", "1.6.0"),
		"ghcr.io/acme/web": policy.Tags("v1.4.0", "v1.5.0"),
	}
	for _, d := range policy.Select([]*policy.Policy{api, web}, tags) {
		fmt.Println(d.Policy, d.Tag)
	}
	tags["ghcr.io/acme/web"] = policy.Tags("v1.3.0")
	for _, d := range policy.Select([]*policy.Policy{api, web}, tags) {
		fmt.Println(d.Policy, d.Err)
	}
	// Output:
	// apps:api 1.5.0
	// apps:web v1.5.0
	// apps:api group held: group stack: no version common to all 2 members: apps:web lacks 1.6.0 (the best version, which apps:api has)
	// apps:web group held: group stack: no version common to all 2 members: apps:web lacks 1.6.0 (the best version, which apps:api has)
}

// A bad object becomes a Problem naming file and line; the others load.
func ExampleLoad_problems() {
	dir, err := os.MkdirTemp("", "policy-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"good.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: api}\nspec:\n  image: ghcr.io/acme/api\n  policy: {semver: {range: '^1.4'}}\n",
		"bad.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: web}\nspec:\n  image: ghcr.io/acme/web\n" +
			"  exclude: ['(']\n  policy: {alphabetical: {}}\n",
		"flux.yaml": "apiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: ImagePolicy\nmetadata: {name: worker}\nspec:\n" +
			"  imageRepositoryRef: {name: worker}\n  policy: {semver: {range: '>=1.0.0'}}\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			panic(err)
		}
	}
	set, err := policy.Load(dir)
	if err != nil {
		panic(err)
	}
	for _, p := range set.Policies {
		fmt.Println("loaded", p.ID)
	}
	for _, p := range set.Problems {
		fmt.Println(p)
	}
	// Output:
	// loaded api
	// bad.yaml:6: policy web: spec.exclude: error parsing regexp: missing closing ): `(`
	// flux.yaml:5: policy worker: spec.imageRepositoryRef: ImageRepository worker not found under the loaded path
}
