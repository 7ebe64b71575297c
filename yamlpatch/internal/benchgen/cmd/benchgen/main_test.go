package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/yamlpatch/internal/benchgen"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, filepath.Join(t.TempDir(), "tree"), 8, 100); err != nil {
		t.Fatal(err)
	}
	var got Output
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	want := Output{Markers: 22, Files: 8, Refs: benchgen.Refs()}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("run output mismatch (-want +got):\n%s", diff)
	}
	if err := run(&out, "", 8, 100); err == nil {
		t.Error("run without a directory: error = nil, want one")
	}
}
