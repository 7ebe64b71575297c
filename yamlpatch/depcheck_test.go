package yamlpatch

import (
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps yamlpatch a leaf stage: the standard library, the YAML
// parser and errgroup only; never git, registries or other hoist packages.
func TestImports(t *testing.T) {
	allowed := map[string]bool{"sigs.k8s.io/kustomize/kyaml/yaml": true, "golang.org/x/sync/errgroup": true}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(gotoken.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.Split(path, "/")[0], ".") && !allowed[path] {
				t.Errorf("%s imports %s; yamlpatch may only import the standard library and %v", f, path, allowed)
			}
		}
	}
	if len(files) < 5 {
		t.Fatalf("found only %d Go files; is the test running in the package directory?", len(files))
	}
}
