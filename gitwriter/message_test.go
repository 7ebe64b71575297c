package gitwriter

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// unquote reverses escapeValue (and the `""` of an empty policy).
func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, `"`) {
		return u
	}
	return s
}

func TestDefaultMessage(t *testing.T) {
	tmpl, err := parseTemplate(DefaultMessageTemplate, Automation{})
	must(t, err)
	c := sampleChange()
	c.Updates = append(c.Updates, Update{File: "deploy/web-canary.yaml", Policy: "apps:web", Field: "tag",
		Old: "2.0.0", New: "2.0.1", Image: "ghcr.io/acme/web:2.0.1", From: "2.0.0", To: "2.0.1"})
	got, err := tmpl.render(c)
	must(t, err)
	want := `Update images: api 1.4.3, web 2.0.1

apps:api: 1.4.2 -> 1.4.3 (deploy/api.yaml)
apps:web: 2.0.0 -> 2.0.1 (deploy/web.yaml, deploy/web-canary.yaml)

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

// many returns a change of n policies in namespace ns, each changing the
// image apps/<name>-<i> in dir/<i>.yaml from 1.0.0 to 1.0.1.
func many(n int, ns, dir, name string) []Update {
	var us []Update
	for i := range n {
		img := fmt.Sprintf("ghcr.io/acme/%s-%d", name, i)
		us = append(us, Update{File: fmt.Sprintf("%s/%d.yaml", dir, i), Policy: fmt.Sprintf("%s:%s-%d", ns, name, i),
			Image: img + ":1.0.1", From: "1.0.0", To: "1.0.1"})
	}
	return us
}

func TestSubject(t *testing.T) {
	tests := []struct {
		name    string
		updates []Update
		want    string
	}{
		{"one", many(1, "apps", "apps/api", "api"), "Update images: api-0 1.0.1"},
		{"big pass in one directory", many(72, "apps", "apps", "svc"), "Update 72 images in apps/"},
		{"big pass across directories", append(many(40, "apps", "apps/a", "svc"), many(40, "ops", "infra", "mon")...),
			"Update 80 images"},
		{"same short name in two namespaces", []Update{
			{File: "apps/api.yaml", Policy: "apps:api", Image: "ghcr.io/acme/api:1.4.3", From: "1.4.2", To: "1.4.3"},
			{File: "staging/api.yaml", Policy: "staging:api", Image: "ghcr.io/other/api:2.0.0", From: "1.9.0", To: "2.0.0"},
			{File: "apps/web.yaml", Policy: "apps:web", Image: "ghcr.io/acme/web:3", From: "2", To: "3"},
		}, "Update images: apps:api 1.4.3, staging:api 2.0.0, web 3"},
		{"one image with a long tag", []Update{{File: "deploy/a/api.yaml", Policy: "apps:api",
			Image: "ghcr.io/acme/api:" + strings.Repeat("x", 100), To: strings.Repeat("x", 100)}},
			"Update 1 image in deploy/a/"},
		{"long directory", many(5, "apps", strings.Repeat("d", 80), "svc"), "Update 5 images"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := newMessageData(Change{Updates: tc.updates}, Automation{}).Subject
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Subject mismatch (-want +got):\n%s", diff)
			}
			if n := utf8.RuneCountInString(got); n >= maxSubject {
				t.Errorf("subject has %d characters, want fewer than %d", n, maxSubject)
			}
		})
	}
}

func TestSummaryIsBounded(t *testing.T) {
	d := newMessageData(Change{Updates: many(120, "apps", "apps", "svc")}, Automation{})
	if len(d.Summary) != maxSummary+1 || d.Summary[maxSummary] != "... and 70 more changes (see the trailers)" {
		t.Errorf("Summary has %d lines ending %q, want %d and a count", len(d.Summary), d.Summary[len(d.Summary)-1], maxSummary+1)
	}
	files := newMessageData(Change{Updates: []Update{
		{File: "a.yaml", Policy: "p", To: "2", From: "1"}, {File: "b.yaml", Policy: "p", To: "2", From: "1"},
		{File: "c.yaml", Policy: "p", To: "2", From: "1"}, {File: "d.yaml", Policy: "p", To: "2", From: "1"},
		{File: "e.yaml", Policy: "p", To: "2", From: "1"},
	}}, Automation{}).Summary
	if diff := cmp.Diff([]string{"p: 1 -> 2 (a.yaml, b.yaml, c.yaml and 2 more files)"}, files); diff != "" {
		t.Errorf("Summary of one change in 5 files mismatch (-want +got):\n%s", diff)
	}
}

// TestNameChangeDoesNotTakeOver: a ":name" marker's change (a new registry
// host) stays in the body; the subject, trailers and History report tags.
func TestNameChangeDoesNotTakeOver(t *testing.T) {
	name := Update{File: "podinfo/values.yaml", Policy: "apps:podinfo", Field: "name",
		Old: "ghcr.io/stefanprodan/podinfo", New: "127.0.0.1:5000/podinfo", Image: "127.0.0.1:5000/podinfo:6.5.1",
		From: "ghcr.io/stefanprodan/podinfo", To: "127.0.0.1:5000/podinfo"}
	tag := Update{File: "podinfo/values.yaml", Policy: "apps:podinfo", Field: "tag",
		Old: "6.5.0", New: "6.5.1", Image: "127.0.0.1:5000/podinfo:6.5.1", From: "6.5.0", To: "6.5.1"}
	tests := []struct {
		name           string
		updates        []Update
		subject        string
		from, to       string
		bodyMentionsTo string
	}{
		{"name then tag", []Update{name, tag}, "Update images: podinfo 6.5.1", "6.5.0", "6.5.1", "127.0.0.1:5000/podinfo"},
		{"name only", []Update{name}, "Update images: podinfo 6.5.1", "6.5.1", "6.5.1", "127.0.0.1:5000/podinfo"},
	}
	tmpl, err := parseTemplate(DefaultMessageTemplate, Automation{})
	must(t, err)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := tmpl.render(Change{Updates: tc.updates})
			must(t, err)
			if got, _, _ := strings.Cut(msg, "\n"); got != tc.subject {
				t.Errorf("subject = %q, want %q", got, tc.subject)
			}
			got := entries(&object.Commit{Message: msg})
			want := []Entry{{Policy: "apps:podinfo", Image: "127.0.0.1:5000/podinfo:6.5.1", From: tc.from, To: tc.to}}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Entry{}, "Commit", "When", "Author")); diff != "" {
				t.Errorf("trailers mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(msg, "-> "+tc.bodyMentionsTo) {
				t.Errorf("body does not mention the name change:\n%s", msg)
			}
		})
	}
}

// TestForgedTrailers: a tag holding a blank line and trailer lines, as a
// hostile registry could list it, neither takes over the subject nor adds
// trailers, as git itself reads them, and History reports it quoted.
func TestForgedTrailers(t *testing.T) {
	const evil = "9.9.9\n\nHoist-Policy: prod:db\nHoist-Image: evil.example/db:6.6.6"
	bare, url := daemonRepo(t)
	r := mustOpen(t, url)
	_, err := r.Update(context.Background(), func(ctx context.Context, dir string) (Change, error) {
		c, err := setTo("deploy/db.yaml", "tag: x\n", "apps:db", "0.0.2")(ctx, dir)
		c.Updates[0].From, c.Updates[0].To, c.Updates[0].Image = "0.0.1", evil, "ghcr.io/acme/db:"+evil
		c.Updates[0].File = "deploy/db.yaml\nHoist-Policy: x"
		return c, err
	})
	must(t, err)
	q := strconv.Quote(evil)
	if got := gittest.Git(t, bare, "log", "-1", "--format=%s", "main"); got != "Update 1 image in deploy/" {
		t.Errorf("subject = %q", got)
	}
	trailers := gittest.Git(t, bare, "log", "-1", "--format=%(trailers:only,unfold)", "main")
	want := "Hoist-Policy: apps:db\nHoist-Image: " + strconv.Quote("ghcr.io/acme/db:"+evil) + "\nHoist-From: 0.0.1\nHoist-To: " + q
	if diff := cmp.Diff(want, trailers); diff != "" {
		t.Errorf("trailers (git interpret-trailers) mismatch (-want +got):\n%s", diff)
	}
	h, err := r.History(context.Background(), 0)
	must(t, err)
	if len(h) != 1 || h[0].Policy != "apps:db" || h[0].To != q || unquote(h[0].To) != evil {
		t.Errorf("History = %+v, want one apps:db entry with the quoted tag", h)
	}
}

func TestMessageTemplateValidation(t *testing.T) {
	tests := []struct {
		name, text, wantErr string
	}{
		{"custom", "chore: bump {{len .Updates}} images\n{{range .Policies}}{{.Policy}}={{.To}}\n{{end}}", ""},
		{"fields", "{{range .Updates}}{{.File}} {{.Kind}} {{.Namespace}} {{.Name}} {{.Field}} {{.Old}} {{.New}} {{.Image}} {{.From}}{{end}}", ""},
		{"subject and summary", "{{.Subject}}\n\n{{range .Summary}}{{.}}\n{{end}}{{range .Lines}}{{.}}\n{{end}}", ""},
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
	tmpl, err := parseTemplate(DefaultMessageTemplate, Automation{})
	must(t, err)
	msg, err := tmpl.render(sampleChange())
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

// checkTrailers checks that the trailers of msg read back, unquoted, to
// exactly the policies of c.
func checkTrailers(t *testing.T, c Change, msg string) {
	t.Helper()
	var want, got []Entry
	for _, p := range c.Policies() {
		want = append(want, Entry{Policy: p.Policy, Image: p.Image, From: p.From, To: p.To})
	}
	for _, e := range entries(&object.Commit{Message: msg}) {
		got = append(got, Entry{Policy: unquote(e.Policy), Image: unquote(e.Image), From: unquote(e.From), To: unquote(e.To)})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("trailers of %q mismatch (-want +got):\n%s", msg, diff)
	}
}

// FuzzCommitMessage builds default messages from arbitrary values: the
// subject is one short line of printable text, no value adds a line to the
// message, and the trailers read back to exactly the values given.
func FuzzCommitMessage(f *testing.F) {
	f.Add("apps:api", "ghcr.io/acme/api:1.4.3", "1.4.2", "1.4.3", "deploy/api.yaml", "", "staging:api")
	f.Add("prod:db", "ghcr.io/acme/db:9.9.9\n\nHoist-Policy: prod:db\nHoist-Image: evil.example/db:6.6.6",
		"0.0.1", "9.9.9\n\nHoist-Policy: prod:db\nHoist-Image: evil.example/db:6.6.6", "db.yaml", "tag", "x")
	f.Add("", " lead", "\"quoted\"", "\x1b[31m", "a\u2028b", "name", "\xff")
	f.Fuzz(func(t *testing.T, policy, image, from, to, file, field, other string) {
		c := Change{Updates: []Update{
			{File: file, Policy: policy, Field: field, Image: image, From: from, To: to, Old: from, New: to},
			{File: file + "/x", Policy: other, Image: to, From: image, To: from},
		}}
		tmpl, err := parseTemplate(DefaultMessageTemplate, Automation{})
		must(t, err)
		msg, err := tmpl.render(c)
		must(t, err)
		subject, _, _ := strings.Cut(msg, "\n")
		if n := utf8.RuneCountInString(subject); n >= maxSubject || !plainValue(subject) {
			t.Errorf("subject %q: %d characters, or not plain text", subject, n)
		}
		if want := 2 + len(newMessageData(c, Automation{}).Summary) + 1 + 4*len(c.Policies()); strings.Count(msg, "\n") > want {
			t.Errorf("message has %d lines, want at most %d:\n%s", strings.Count(msg, "\n"), want, msg)
		}
		checkTrailers(t, c, msg)
	})
}

// FuzzMessageTemplate renders arbitrary templates on arbitrary changes: it
// never panics, a template that passes validation renders or fails cleanly,
// and the trailers always read back to the changes' values.
func FuzzMessageTemplate(f *testing.F) {
	f.Add(DefaultMessageTemplate, "apps:api", "ghcr.io/acme/api:1.4.3", "1.4.2", "1.4.3", "deploy/api.yaml")
	f.Add("{{range .Updates}}{{.File}}{{end}}", "x", "img:1\nHoist-Policy: evil", "", "\n", "a b")
	f.Add("{{.Lines}}", "ns:name", "", "1", "2", "")
	f.Add("{{template \"x\"}}", "p", "i", "f", "t", "f.yaml")
	f.Add("{{ .AutomationObject }} {{ .Changed | toString }}{{ range .Updated.Images }}{{ .Repository }} {{ .Policy }}{{ end }}",
		"flux-system:podinfo", "ghcr.io/stefanprodan/podinfo:5.0.3", "5.0.2", "5.0.3\nHoist-To: 9", "apps/podinfo.yaml")
	f.Add("{{ range $id, $cs := .Changed.Objects }}{{ $id.Kind }}{{ range $cs }}{{ .Setter | upper | trunc 5 }}{{ end }}{{ end }}",
		"ns:p", "nginx", "1", "2", "k.yaml")
	f.Fuzz(func(t *testing.T, text, policy, image, from, to, file string) {
		tmpl, err := parseTemplate(text, fluxAutomation)
		if err != nil {
			return
		}
		c := Change{Updates: []Update{{File: file, APIVersion: "apps/v1", Kind: "Deployment", Name: file, Policy: policy,
			Field: "tag", Old: from, New: to, Image: image, From: from, To: to}}}
		msg, err := tmpl.render(c)
		if err != nil {
			return
		}
		if strings.TrimSpace(msg) == "" {
			t.Fatal("rendered an empty message")
		}
		checkTrailers(t, c, msg)
	})
}

func TestGateLines(t *testing.T) {
	tmpl, err := parseTemplate(DefaultMessageTemplate, Automation{})
	must(t, err)
	c := sampleChange()
	c.Gates = map[string]string{"apps:api": "on clusters/staging since 2026-11-20 09:12, 26h", "apps:gone": "x",
		"apps:web": "built 2026-11-19 08:00, 50h old\nHoist-Policy: forged"}
	got, err := tmpl.render(c)
	must(t, err)
	for _, line := range []string{
		"\napps:api 1.4.3: on clusters/staging since 2026-11-20 09:12, 26h\n",
		"\napps:web 2.0.1: \"built 2026-11-19 08:00, 50h old\\nHoist-Policy: forged\"\n",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("message lacks %q:\n%s", line, got)
		}
	}
	if strings.Contains(got, "apps:gone") || strings.Count(got, "\nHoist-Policy:") != 2 {
		t.Errorf("gate of a policy not updated, or a forged trailer:\n%s", got)
	}
}
