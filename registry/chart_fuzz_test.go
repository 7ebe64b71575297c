package registry

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var indexSeeds = []string{
	"apiVersion: v1\nentries:\n  api:\n  - version: 1.2.3\n    created: \"2026-01-02T03:04:05Z\"\n    description: |\n      text\n      # hash\n  - version: 1.0.0\n  web: []\ngenerated: x\n",
	"entries:\n    a:\n        - version: 1.0.0\n          digest: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
	"entries: {}\n",
	`{"apiVersion":"v1","entries":{"api":[{"version":"1.2.3+b.1","created":"2026-01-02T03:04:05Z"}]}}`,
	"entries:\n  \"quoted\":\n  - {version: 2.0.0}\n  x: &a\n  - version: 1.0.0\n",
	"entries:\n  api:\n  - version: 1.0\n  - version: 1.0.0\n  - version: 1.0.0\n",
}

// FuzzDecodeIndex checks that the streaming decoder never fails in a way
// that escapes (panics), keeps at most max versions of a chart, and agrees
// with yaml.v3 (or encoding/json) decoding the whole document whenever
// both succeed.
func FuzzDecodeIndex(f *testing.F) {
	for _, s := range indexSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		const max = 3
		c := newChartCollector(max)
		if err := decodeIndex(bytes.NewReader(data), c); err != nil {
			return
		}
		for name, enc := range c.charts {
			l, err := decodeChart(enc)
			if err != nil || len(l.Versions) > max {
				t.Fatalf("chart %q: %d versions, %v", name, len(l.Versions), err)
			}
			for _, v := range l.Versions {
				if !validChartVersion(v.Version) {
					t.Fatalf("chart %q: invalid version %q kept", name, v.Version)
				}
			}
		}
		want, ok := wholeIndex(data, max)
		if ok && !cmp.Equal(want.charts, c.charts) {
			t.Fatalf("streamed and whole decoding differ (-whole +streamed):\n%s", cmp.Diff(want.charts, c.charts))
		}
	})
}

// wholeIndex decodes data in one piece, as Helm does.
func wholeIndex(data []byte, max int) (*chartCollector, bool) {
	var doc struct {
		Entries map[string][]indexEntry `yaml:"entries" json:"entries"`
	}
	var err error
	if t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf"); len(t) > 0 && t[0] == '{' {
		err = json.Unmarshal(data, &doc)
	} else {
		err = yaml.Unmarshal(data, &doc)
	}
	if err != nil {
		return nil, false
	}
	c := newChartCollector(max)
	for name, entries := range doc.Entries {
		cutOff := len(entries) > max
		if cutOff {
			entries = entries[:max]
		}
		if c.addChart(name, entries, cutOff) != nil {
			return nil, false
		}
	}
	return c, true
}

// FuzzChartTag checks the mapping between chart versions and OCI tags:
// every version Helm accepts becomes a valid tag that maps back to it.
func FuzzChartTag(f *testing.F) {
	for _, s := range []string{"1.2.3", "1.2.3+build.1", "1.2.3_build.1", "v1.0.0-rc.1+a.b", "latest", "1_2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if validChartVersion(s) && !strings.Contains(s, "_") {
			tag := ChartTag(s)
			if !ValidTag(tag) {
				t.Fatalf("ChartTag(%q) = %q, not a valid OCI tag", s, tag)
			}
			if got, ok := ChartVersionOfTag(tag); !ok || got != s {
				t.Fatalf("ChartVersionOfTag(%q) = %q, %v; want %q", tag, got, ok, s)
			}
		}
		if v, ok := ChartVersionOfTag(s); ok && ValidTag(s) && ChartTag(v) != s {
			t.Fatalf("ChartTag(ChartVersionOfTag(%q)) = %q", s, ChartTag(v))
		}
	})
}
