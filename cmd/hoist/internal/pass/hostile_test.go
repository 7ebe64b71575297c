package pass

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-dev/hoist/registry"
)

// hostileTags are names a registry may send that are not OCI tags: each
// would sort above the valid ones for an alphabetical policy.
var hostileTags = []string{
	"9.9.9\n  evil: x",
	"9.9.9\n\nHoist-Policy: prod:db\nHoist-Image: evil.example/db:6.6.6",
	"9\x00nul",
	"  9.9.9",
	"../../../etc/passwd",
	"9.9.9@sha256:" + strings.Repeat("a", 64),
	"9.9.9:x",
	strings.Repeat("9", 300),
}

// TestHostileTagNamesAreDropped: a registry (on loopback, reached over plain
// HTTP with no flag) lists invalid names beside valid tags; the pass selects
// among the valid ones only and warns about the rest.
func TestHostileTagNamesAreDropped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v2/":
			w.WriteHeader(http.StatusOK)
		case strings.HasSuffix(r.URL.Path, "/tags/list"):
			json.NewEncoder(w).Encode(map[string]any{"name": "acme/app", "tags": append([]string{"1.0.0", "2.0.0"}, hostileTags...)})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	img := strings.TrimPrefix(srv.URL, "http://") + "/acme/app"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"p.yaml": "apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: app}\nspec:\n  image: " + img +
			"\n  policy: {alphabetical: {order: asc}}\n",
		"m.yaml": "image: " + img + ":1.0.0 # {\"$imagepolicy\": \"app\"}\n",
	})
	sc, err := registry.New() // no WithHost: loopback is plain HTTP by default
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	rep, err := Run(context.Background(), dir, sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "m.yaml")); string(got) != "image: "+img+":2.0.0 # {\"$imagepolicy\": \"app\"}\n" {
		t.Errorf("m.yaml after the pass:\n%s", got)
	}
	if len(rep.Problems) != 1 || !rep.Problems[0].Warning ||
		!strings.Contains(rep.Problems[0].Message, "left out 8 names that are not valid OCI tags") {
		t.Errorf("problems = %v, want one warning counting 8 invalid names", rep.Problems)
	}
}
