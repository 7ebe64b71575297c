package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemo keeps `make demo` true: two passes, two commits, exit 0.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	cmd := newRootCmd(&out, &errOut)
	cmd.SetArgs([]string{"demo", "--dir", "../../testdata/demo"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	got := out.String()
	for _, want := range []string{"=== pass 1 ===", "apps:api: 1.0.0 -> 1.1.0", "apps:web: 1.0.0 -> 1.0.1",
		"=== pass 2 ===", "apps:api: 1.1.0 -> 1.2.0", "+          image: "} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "pushed ") - strings.Count(got, "pushed acme/"); n != 2 {
		t.Errorf("demo pushed %d commits, want 2:\n%s", n, got)
	}
}
