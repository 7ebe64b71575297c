package main

import (
	"os"
	"strings"
	"testing"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
)

// TestReadmeConfigParses keeps the README's service config sample valid.
func TestReadmeConfigParses(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var sample string
	for _, block := range strings.Split(string(b), "```yaml\n")[1:] {
		block = block[:strings.Index(block, "```")]
		if strings.Contains(block, "kind: Config") {
			sample = block
		}
	}
	if sample == "" {
		t.Fatal("README has no service config sample")
	}
	if _, err := config.Parse("README.md", []byte(sample)); err != nil {
		t.Errorf("README's service config sample does not parse: %v", err)
	}
}
