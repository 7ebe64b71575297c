package gitwriter

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultMessage(t *testing.T) {
	tmpl, err := parseTemplate(DefaultMessageTemplate)
	must(t, err)
	c := sampleChange()
	c.Updates = append(c.Updates, Update{File: "deploy/web-canary.yaml", Policy: "apps:web", Field: "tag",
		Old: "2.0.0", New: "2.0.1", Image: "ghcr.io/acme/web:2.0.1", From: "2.0.0", To: "2.0.1"})
	got, err := render(tmpl, c)
	must(t, err)
	want := `Update images: api 1.4.3, web 2.0.1

apps:api: 1.4.2 -> 1.4.3 (deploy/api.yaml)
apps:web: 2.0.0 -> 2.0.1 (deploy/web.yaml)
apps:web: 2.0.0 -> 2.0.1 (deploy/web-canary.yaml)

Hoist-Policy: apps:api
Hoist-Image: ghcr.io/acme/api:1.4.3
Hoist-From: 1.4.2
Hoist-To: 1.4.3
Hoist-Policy: apps:web
Hoist-Image: ghcr.io/acme/web:2.0.1
Hoist-From: 2.0.0
Hoist-To: 2.0.1
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default message mismatch (-want +got):\n%s", diff)
	}
}

func TestMessageTemplateValidation(t *testing.T) {
	tests := []struct {
		name, text, wantErr string
	}{
		{"custom", "chore: bump {{len .Updates}} images\n{{range .Policies}}{{.Policy}}={{.To}}\n{{end}}", ""},
		{"fields", "{{range .Updates}}{{.File}} {{.Kind}} {{.Namespace}} {{.Name}} {{.Field}} {{.Old}} {{.New}} {{.Image}} {{.From}}{{end}}", ""},
		{"does not parse", "{{range .Updates}", "parsing commit message template"},
		{"unknown field", "{{.Nope}}", "fails on sample data"},
		{"unknown nested field", "{{range .Updates}}{{.Tag}}{{end}}", "fails on sample data"},
		{"empty output", "{{/* nothing */}}", "empty message"},
		{"calls a nil func", "{{call .Nope}}", "fails on sample data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), "git://127.0.0.1:1/never-contacted.git", WithMessageTemplate(tc.text))
			if tc.wantErr == "" {
				// A valid template gets past validation to the network step.
				if err == nil || !strings.Contains(err.Error(), "list git://") {
					t.Errorf("Open with a valid template = %v, want the network error only", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Open(template %q) error = %v, want it to mention %q", tc.text, err, tc.wantErr)
			}
		})
	}
}

func TestTrailersRoundTrip(t *testing.T) {
	tmpl, err := parseTemplate(DefaultMessageTemplate)
	must(t, err)
	msg, err := render(tmpl, sampleChange())
	must(t, err)
	got := ParseTrailers(msg)
	want := [][2]string{
		{"Hoist-Policy", "apps:api"}, {"Hoist-Image", "ghcr.io/acme/api:1.4.3"}, {"Hoist-From", "1.4.2"}, {"Hoist-To", "1.4.3"},
		{"Hoist-Policy", "apps:web"}, {"Hoist-Image", "ghcr.io/acme/web:2.0.1"}, {"Hoist-From", "2.0.0"}, {"Hoist-To", "2.0.1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseTrailers mismatch (-want +got):\n%s", diff)
	}
}

// FuzzMessageTemplate renders arbitrary templates on arbitrary changes: it
// never panics, a template that passes validation renders or fails cleanly,
// and the trailers always read back to the changes' policies and images.
func FuzzMessageTemplate(f *testing.F) {
	f.Add(DefaultMessageTemplate, "apps:api", "ghcr.io/acme/api:1.4.3", "1.4.2", "1.4.3", "deploy/api.yaml")
	f.Add("{{range .Updates}}{{.File}}{{end}}", "x", "img:1\nHoist-Policy: evil", "", "\n", "a b")
	f.Add("{{.Lines}}", "ns:name", "", "1", "2", "")
	f.Add("{{template \"x\"}}", "p", "i", "f", "t", "f.yaml")
	f.Fuzz(func(t *testing.T, text, policy, image, from, to, file string) {
		tmpl, err := parseTemplate(text)
		if err != nil {
			return
		}
		c := Change{Updates: []Update{{File: file, Policy: policy, Image: image, From: from, To: to}}}
		msg, err := render(tmpl, c)
		if err != nil {
			return
		}
		if strings.TrimSpace(msg) == "" {
			t.Fatal("rendered an empty message")
		}
		want := oneLine(policy)
		if want == "" || strings.Contains(want, ": ") || !utf8.ValidString(want) {
			return
		}
		var policies []string
		for _, kv := range ParseTrailers(msg) {
			if kv[0] == TrailerPolicy {
				policies = append(policies, kv[1])
			}
		}
		if len(policies) != 1 || policies[0] != want {
			t.Errorf("trailers of %q name policies %q, want [%q]", msg, policies, want)
		}
	})
}
