package gitwriter

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"unicode"
)

// DefaultMessageTemplate is the commit message unless [WithMessageTemplate]
// says otherwise: a subject under 72 characters naming every new tag (or,
// when they do not fit, counting the images: "Update 72 images in apps/"),
// then a line per change.
//
//	Update images: api 1.4.3, web 2.0.1
//
//	apps:api: 1.4.2 -> 1.4.3 (deploy/api.yaml)
//	apps:web: 2.0.0 -> 2.0.1 (deploy/web.yaml, deploy/web-canary.yaml)
const DefaultMessageTemplate = `{{.Subject}}

{{range .Summary}}{{.}}
{{end}}`

// MessageData is what the message template sees. Every string in it that
// comes from the repository or a registry is escaped: a value that is not
// plain printable text on one line (a tag holding a newline, a control
// character, invalid UTF-8) appears Go-quoted, so no value can add lines to
// the message, take over its subject or forge trailers.
type MessageData struct {
	// Subject is the default subject line, shorter than 72 characters.
	Subject string
	// Summary are the default body lines, one per policy and change, naming
	// at most three files: "apps:web: 2.0.0 -> 2.0.1 (deploy/web.yaml)".
	Summary []string
	// Updates are every changed marker value, in the edit's order.
	Updates []Update
	// Policies are the updates grouped by policy.
	Policies []PolicyChange
	// Lines are one line per distinct change and file:
	// "apps:api: 1.4.2 -> 1.4.3 (deploy/api.yaml)".
	Lines []string

	// The fields below are the data Flux's image-automation-controller
	// gives templates, with Flux's names and shapes, so a Flux
	// messageTemplate renders as in Flux. Like Flux, they leave out values
	// outside any object (a Helm values file with no apiVersion, kind or
	// metadata).

	// AutomationObject is the automation of [WithAutomation]; it prints as
	// "namespace/name" ("/" without an automation).
	AutomationObject NamespacedName
	// Changed is Flux's .Changed (API v1 and v1beta2): .Changed.FileChanges,
	// .Changed.Changes and .Changed.Objects.
	Changed ChangeResult
	// Updated is Flux's .Updated (API v1beta1): .Updated.Files,
	// .Updated.Objects and .Updated.Images.
	Updated ImageResult
	// Values are the automation's messageTemplateValues. A key the
	// template names that Values lack fails the template (Flux prints
	// "<no value>"), when it is checked, not at the first pass.
	Values map[string]string
}

// newMessageData builds the template data of c for automation a, escaping
// every value. Data added here must be escaped the same way (escapeValue).
func newMessageData(c Change, a Automation) MessageData {
	d := MessageData{Updates: make([]Update, len(c.Updates))}
	var files []string
	for i, u := range c.Updates {
		d.Updates[i] = escapeUpdate(u)
		files = append(files, u.File)
	}
	for _, p := range c.Policies() {
		d.Policies = append(d.Policies, escapePolicy(p))
	}
	d.Subject = subject(d.Policies, escapeValue(commonDir(files)))
	d.Lines, d.Summary = bodyLines(d.Updates)
	d.Summary = append(d.Summary, rejectedLines(c)...)
	d.Summary = append(d.Summary, gateLines(c)...)
	d.AutomationObject = NamespacedName{Namespace: escapeValue(a.Namespace), Name: escapeValue(a.Name)}
	d.Changed, d.Updated = fluxResults(c.Updates, cleanPath(a.Path))
	d.Values = make(map[string]string, len(a.Values))
	for k, v := range a.Values {
		d.Values[escapeValue(k)] = escapeValue(v)
	}
	return d
}

// maxSummary bounds the default body's lines; the trailers list every policy.
const maxSummary = 50

// bodyLines returns the Lines (per change and file) and the Summary (per
// change, files grouped) of escaped updates.
func bodyLines(us []Update) (lines, summary []string) {
	var keys []string
	files := map[string][]string{}
	for _, u := range us {
		from, to := u.From, u.To
		if from == "" && to == "" {
			from, to = u.Old, u.New
		}
		key := fmt.Sprintf("%s: %s -> %s", u.Policy, from, to)
		if from == "" {
			key = fmt.Sprintf("%s: set to %s", u.Policy, to)
		}
		if line := key + " (" + u.File + ")"; !contains(lines, line) {
			lines = append(lines, line)
		}
		if _, ok := files[key]; !ok {
			keys = append(keys, key)
		}
		if !contains(files[key], u.File) {
			files[key] = append(files[key], u.File)
		}
	}
	for i, key := range keys {
		if i == maxSummary {
			summary = append(summary, fmt.Sprintf("... and %d more changes (see the trailers)", len(keys)-i))
			break
		}
		summary = append(summary, key+" ("+fileList(files[key])+")")
	}
	return lines, summary
}

// rejectedLines are the body lines naming the rejected versions each
// policy passed over: "apps:api: passed over 1.1.0 (rejected)".
func rejectedLines(c Change) []string {
	var out []string
	for _, p := range c.Policies() {
		vs := rejectedOf(c, p.Policy)
		if len(vs) == 0 {
			continue
		}
		for i, v := range vs {
			vs[i] = escapeValue(v)
		}
		out = append(out, fmt.Sprintf("%s: passed over %s (rejected)", escapeValue(p.Policy), strings.Join(vs, ", ")))
	}
	return out
}

// gateLines are the body lines saying how each policy's new version
// passed its gates: "apps:api 1.4.3: on clusters/staging since
// 2026-11-20 09:12, 26h".
func gateLines(c Change) []string {
	var out []string
	for _, p := range c.Policies() {
		if g := c.Gates[p.Policy]; g != "" {
			out = append(out, fmt.Sprintf("%s %s: %s", escapeValue(p.Policy), escapeValue(p.To), escapeValue(g)))
		}
	}
	return out
}

// fileList names at most three files and counts the rest.
func fileList(files []string) string {
	if len(files) <= 3 {
		return strings.Join(files, ", ")
	}
	return fmt.Sprintf("%s and %d more files", strings.Join(files[:3], ", "), len(files)-3)
}

// maxMessage bounds a rendered message, in bytes.
const maxMessage = 1 << 20

// cappedBuffer is a buffer that fails writes past max bytes, so a template
// looping or repeating without end stops with an error.
type cappedBuffer struct {
	bytes.Buffer
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, fmt.Errorf("message longer than %d bytes", b.max)
	}
	return b.Buffer.Write(p)
}

// messageTemplate renders commit messages for one automation.
type messageTemplate struct {
	tmpl *template.Template
	auto Automation
}

// CheckMessageTemplate reports whether text is a commit message template
// [Open] accepts with opts: it parses, and it renders a message from sample
// data exactly as a pass renders one (same data, same functions, the
// automation and values of [WithAutomation] in opts). A [WithMessageTemplate]
// in opts is overridden by text.
func CheckMessageTemplate(text string, opts ...Option) error {
	o, err := makeOptions(append(opts, WithMessageTemplate(text))...)
	if err != nil {
		return err
	}
	_, err = parseTemplate(o.template, o.automation)
	return err
}

// parseTemplate parses text and checks it renders a message from sample
// data for automation a.
func parseTemplate(text string, a Automation) (*messageTemplate, error) {
	tmpl, err := template.New("message").Option("missingkey=error").Funcs(templateFuncs()).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parsing commit message template: %w", err)
	}
	m := &messageTemplate{tmpl: tmpl, auto: a}
	if _, err := m.render(sampleChange()); err != nil {
		return nil, fmt.Errorf("commit message template fails on sample data: %w", err)
	}
	return m, nil
}

func sampleChange() Change {
	return Change{Updates: []Update{
		{File: "deploy/api.yaml", APIVersion: "apps/v1", Kind: "Deployment", Namespace: "apps", Name: "api", Policy: "apps:api",
			Old: "ghcr.io/acme/api:1.4.2", New: "ghcr.io/acme/api:1.4.3", Image: "ghcr.io/acme/api:1.4.3", From: "1.4.2", To: "1.4.3"},
		{File: "deploy/web.yaml", APIVersion: "apps/v1", Kind: "Deployment", Namespace: "apps", Name: "web", Policy: "apps:web", Field: "tag",
			Old: "2.0.0", New: "2.0.1", Image: "ghcr.io/acme/web:2.0.1", From: "2.0.0", To: "2.0.1"},
	}}
}

// render executes the template for c and appends the trailers. The message
// starts with exactly what the template rendered ("[ci skip] ..." stays
// first); only trailing white space goes.
func (m *messageTemplate) render(c Change) (string, error) {
	b := &cappedBuffer{max: maxMessage}
	if err := m.tmpl.Execute(b, newMessageData(c, m.auto)); err != nil {
		return "", fmt.Errorf("rendering commit message: %w", err)
	}
	body := strings.TrimRightFunc(strings.ReplaceAll(b.String(), "\r\n", "\n"), unicode.IsSpace)
	if strings.TrimSpace(body) == "" {
		return "", errors.New("rendering commit message: template produced an empty message")
	}
	return body + "\n\n" + trailers(c) + "\n", nil
}
