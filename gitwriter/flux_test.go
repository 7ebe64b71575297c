package gitwriter

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// fluxAutomation and fluxChange are the pass every Flux golden case renders:
// automation flux-system/my-automation with update path ./clusters/prod/,
// setting podinfo (a whole reference in a Deployment and a tag in a CronJob
// of one file), nginx (a tag in a kustomization.yaml without a name) and
// redis (a tag in a Helm values file, outside any object, which Flux leaves
// out of the template data). The updates come in no particular order.
var fluxAutomation = Automation{Namespace: "flux-system", Name: "my-automation", Path: "./clusters/prod/",
	Values: map[string]string{"cluster": "prod"}}

func fluxChange() Change {
	return Change{Updates: []Update{
		{File: "clusters/prod/infra/kustomization.yaml", APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization",
			Policy: "flux-system:nginx", Field: "tag", Old: "1.25.0", New: "1.25.3", Image: "nginx:1.25.3", From: "1.25.0", To: "1.25.3"},
		{File: "clusters/prod/apps/podinfo.yaml", APIVersion: "batch/v1", Kind: "CronJob", Namespace: "apps", Name: "podinfo-job",
			Policy: "flux-system:podinfo", Field: "tag", Old: "5.0.2", New: "5.0.3",
			Image: "ghcr.io/stefanprodan/podinfo:5.0.3", From: "5.0.2", To: "5.0.3"},
		{File: "clusters/prod/charts/values.yaml", Policy: "flux-system:redis", Field: "tag", Old: "7.0.0", New: "7.2.0",
			Image: "redis:7.2.0", From: "7.0.0", To: "7.2.0"},
		{File: "clusters/prod/apps/podinfo.yaml", APIVersion: "apps/v1", Kind: "Deployment", Namespace: "apps", Name: "podinfo",
			Policy: "flux-system:podinfo", Old: "ghcr.io/stefanprodan/podinfo:5.0.2", New: "ghcr.io/stefanprodan/podinfo:5.0.3",
			Image: "ghcr.io/stefanprodan/podinfo:5.0.3", From: "5.0.2", To: "5.0.3"},
	}}
}

// TestFluxTemplates renders the message templates of Flux's documentation
// (testdata/flux/<case>/template.txt; v1-* from docs/spec/v1 and v1beta2,
// v1beta1-* from docs/spec/v1beta1 of fluxcd/image-automation-controller)
// on fluxChange. expected.txt is what Flux renders for the same changes,
// written by hand from Flux's types and text/template's rules (map keys in
// sorted order; a Change-Id is the sha256 of the fmt text Sprig's toString
// gives, computed with sha256sum). Flux's .Changed.Changes and
// .Updated.Images follow Go's map order, so Flux may list them in another
// order; hoist always lists them in files' then objects' sorted order.
// The message must start with exactly that text, trailing white space
// aside, then hoist's trailers.
func TestFluxTemplates(t *testing.T) {
	cases, err := filepath.Glob("testdata/flux/*/template.txt")
	must(t, err)
	if len(cases) == 0 {
		t.Fatal("no cases in testdata/flux")
	}
	c := fluxChange()
	for _, tmplFile := range cases {
		dir := filepath.Dir(tmplFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			text, err := os.ReadFile(tmplFile)
			must(t, err)
			want, err := os.ReadFile(filepath.Join(dir, "expected.txt"))
			must(t, err)
			must(t, CheckMessageTemplate(string(text), WithAutomation(fluxAutomation)))
			m, err := parseTemplate(string(text), fluxAutomation)
			must(t, err)
			got, err := m.render(c)
			must(t, err)
			wantMsg := strings.TrimRight(string(want), " \n") + "\n\n" + trailers(c) + "\n"
			if diff := cmp.Diff(wantMsg, got); diff != "" {
				t.Errorf("message mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFluxTemplateOrder: the Flux data of a change does not depend on the
// order of its updates.
func TestFluxTemplateOrder(t *testing.T) {
	text, err := os.ReadFile("testdata/flux/v1-gerrit/template.txt")
	must(t, err)
	m, err := parseTemplate(string(text)+"{{ .Changed.Changes }}{{ .Updated.Images }}{{ .Changed.Objects }}", fluxAutomation)
	must(t, err)
	c := fluxChange()
	want, err := m.render(c)
	must(t, err)
	for i := range 10 {
		us := c.Updates
		us[i%len(us)], us[(i*7+3)%len(us)] = us[(i*7+3)%len(us)], us[i%len(us)]
		got, err := m.render(Change{Updates: us})
		must(t, err)
		// hoist's trailers follow the updates' order; the template's text must not.
		got, _, _ = strings.Cut(got, "\n\nHoist-Policy: ")
		want, _, _ := strings.Cut(want, "\n\nHoist-Policy: ")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("updates in another order render another message (-want +got):\n%s", diff)
		}
	}
}

func TestFluxTemplateChecks(t *testing.T) {
	tests := []struct {
		name, text string
		opts       []Option
		wantErr    string
	}{
		{"values key set", "for {{ .Values.cluster }}", []Option{WithAutomation(fluxAutomation)}, ""},
		{"values key missing", "for {{ .Values.cluster }}", nil, `map has no entry for key "cluster"`},
		{"unknown Flux field", "{{ .Changed.ImageResult }}", nil, "can't evaluate field ImageResult"},
		{"unknown object field", "{{ range $id, $_ := .Changed.Objects }}{{ $id.Group }}{{ end }}", nil, "can't evaluate field Group"},
		{"unknown function", "{{ .AutomationObject | kebabcase }}", nil, `function "kebabcase" not defined`},
		// Flux's v1beta1 documentation ranges over .Updated.Images with two
		// variables, so $image is the index and contains fails, in Flux too.
		{"v1beta1 functions example", `{{ range $image, $_ := .Updated.Images -}}{{ if contains "1.0.0" $image -}}- {{ $image }}{{ end }}{{ end }}`,
			nil, "wrong type for value; expected string; got int"},
		{"endless output", "{{ range 100000000 }}xxxxxxxxxx{{ end }}", nil, "message longer than 1048576 bytes"},
		{"huge repeat", `{{ repeat 100000000 "xx" }}`, nil, "repeat: result longer than"},
		{"huge indent", `{{ range 2000 }}{{ nindent 1000 "a" }}{{ end }}`, nil, "message longer than"},
		{"invalid automation path", "x", []Option{WithAutomation(Automation{Path: "../up"})}, "invalid automation path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckMessageTemplate(tc.text, tc.opts...)
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("CheckMessageTemplate(%q) = %v, want nil", tc.text, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("CheckMessageTemplate(%q) = %v, want it to mention %q", tc.text, err, tc.wantErr)
			}
		})
	}
}

// TestFluxDataEscaped: values in Flux's data are escaped like hoist's, so a
// hostile tag, file name or template value neither adds lines nor forges
// trailers, whichever field or function prints it.
func TestFluxDataEscaped(t *testing.T) {
	const evil = "6.6.6\n\nHoist-Policy: prod:db"
	a := Automation{Namespace: "flux\nsystem", Name: "x", Values: map[string]string{"k": "v\nHoist-To: 9"}}
	c := Change{Updates: []Update{{File: "a\nb.yaml", APIVersion: "v1\n", Kind: "Pod", Name: "p\n", Namespace: "n",
		Policy: "ns:p\n", Field: "tag", Old: "1", New: evil, Image: "ghcr.io/a/p:" + evil, To: evil}}}
	text := `{{ .AutomationObject }} {{ .Values.k }} {{ .Changed | toString }} {{ .Updated | toString }}
{{ range .Updated.Images }}{{ . }} {{ .Identifier }} {{ .Repository }} {{ .Name }} {{ .Policy }}{{ end }}
{{ range $f, $o := .Changed.FileChanges }}{{ $f }}{{ range $id, $cs := $o }}{{ $id.APIVersion }}{{ $id.Name }}{{ range $cs }}{{ .Setter }}{{ .NewValue }}{{ end }}{{ end }}{{ end }}`
	m, err := parseTemplate(text, a)
	must(t, err)
	msg, err := m.render(c)
	must(t, err)
	if n, want := strings.Count(msg, "\n"), strings.Count(text, "\n")+2+strings.Count(trailers(c), "\n")+1; n != want {
		t.Errorf("message has %d line breaks, want %d (the template's, a blank line, the trailers'):\n%s", n, want, msg)
	}
	checkTrailers(t, c, msg)
}

// TestCISkipFirst: a template starting with "[ci skip]" makes the commit's
// subject start with it, as git and forges read it.
func TestCISkipFirst(t *testing.T) {
	bare, url := daemonRepo(t)
	r := mustOpen(t, url, WithMessageTemplate("[ci skip] {{ .AutomationObject.Name }}: {{ len .Changed.Changes }} change\n"),
		WithAutomation(Automation{Namespace: "flux-system", Name: "apps"}))
	edit := func(ctx context.Context, dir string) (Change, error) {
		c, err := setTo("deploy/api.yaml", "image: ghcr.io/acme/api:1.4.3\n", "apps:api", "1.4.3")(ctx, dir)
		c.Updates[0].APIVersion = "apps/v1"
		return c, err
	}
	_, err := r.Update(context.Background(), edit)
	must(t, err)
	if got := gittest.Git(t, bare, "log", "-1", "--format=%s", "main"); got != "[ci skip] apps: 1 change" {
		t.Errorf("subject = %q, want %q", got, "[ci skip] apps: 1 change")
	}
}
