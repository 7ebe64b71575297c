package policy

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package free of I/O it must not do: no network,
// no processes, and no other stage package.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "net" || strings.HasPrefix(path, "net/") || path == "os/exec" ||
				strings.HasPrefix(path, "github.com/hoist-dev/hoist/") ||
				(strings.HasPrefix(path, "github.com/google/go-containerregistry/") && path != "github.com/google/go-containerregistry/pkg/name") {
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
}
