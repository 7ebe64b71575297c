package config

import (
	"os"
	"strings"
	"testing"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

func FuzzParse(f *testing.F) {
	full, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(head + "  - url: git@h:a/b\n    schedule: CRON_TZ=UTC\n"))
	f.Add([]byte(head + "  - &r {url: file:///x}\n  - *r\nregistries: [{host: h, rateLimit: {rps: .nan}}]\n"))
	f.Add([]byte(head + "  - {url: 'https://u:p@h/x', auth: {password: hunter2}}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse returned a config and error %v", err)
			}
			// Errors name keys, and YAML syntax errors may quote anchor names,
			// but values are never quoted.
			var n yaml.Node
			if yaml.Unmarshal(data, &n) == nil && !keyContains(&n, "hunter2") &&
				strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error leaks an inline secret: %v", err)
			}
			return
		}
		// A config that parsed is valid, and stays valid.
		if err := c.validate(); err != nil {
			t.Fatalf("Parse accepted a config that validate rejects: %v", err)
		}
	})
}

// keyContains reports whether a mapping key under n contains s.
func keyContains(n *yaml.Node, s string) bool {
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 && strings.Contains(c.Value, s) {
			return true
		}
		if keyContains(c, s) {
			return true
		}
	}
	return false
}
