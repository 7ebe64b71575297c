package yamlpatch_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hoist-dev/hoist/yamlpatch"
)

func ExampleApply() {
	root, _ := os.MkdirTemp("", "yamlpatch-example")
	defer os.RemoveAll(root)
	os.WriteFile(filepath.Join(root, "deploy.yaml"), []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: apps
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.4.2 # {"$imagepolicy": "apps:api"}
`), 0o644)

	res, err := yamlpatch.Apply(root, map[string]yamlpatch.Ref{
		"apps:api": {Name: "ghcr.io/acme/api", Tag: "1.5.0"},
	}, yamlpatch.WithDryRun())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range res.Changes {
		fmt.Printf("%s:%d %s/%s %s: %s -> %s\n", c.File, c.Line, c.Kind, c.Name, c.Policy, c.Old, c.New)
	}
	fmt.Print(res.Diff)
	// Output:
	// deploy.yaml:11 Deployment/api apps:api: ghcr.io/acme/api:1.4.2 -> ghcr.io/acme/api:1.5.0
	// diff --git a/deploy.yaml b/deploy.yaml
	// --- a/deploy.yaml
	// +++ b/deploy.yaml
	// @@ -8,4 +8,4 @@
	//      spec:
	//        containers:
	//          - name: api
	// -          image: ghcr.io/acme/api:1.4.2 # {"$imagepolicy": "apps:api"}
	// +          image: ghcr.io/acme/api:1.5.0 # {"$imagepolicy": "apps:api"}
}

func ExampleScan() {
	root, _ := os.MkdirTemp("", "yamlpatch-example")
	defer os.RemoveAll(root)
	os.WriteFile(filepath.Join(root, "values.yaml"), []byte(`image:
  repository: ghcr.io/acme/api # {"$imagepolicy": "apps:api:name"}
  tag: 1.4.2 # {"$imagepolicy": "apps:api:tag"}
  pullPolicy: # {"$imagepolicy": "apps:api"}
`), 0o644)

	markers, problems, err := yamlpatch.Scan(root, yamlpatch.WithKnownPolicies("apps:api"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range markers {
		fmt.Printf("%s:%d %s %q = %s\n", m.File, m.Line, m.Policy, m.Field, m.Value)
	}
	for _, p := range problems {
		fmt.Println(p.Error())
	}
	// Output:
	// values.yaml:2 apps:api "name" = ghcr.io/acme/api
	// values.yaml:3 apps:api "tag" = 1.4.2
	// values.yaml:4: marker on a null value
}
