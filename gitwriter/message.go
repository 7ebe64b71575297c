package gitwriter

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"text/template"
)

// DefaultMessageTemplate is the commit message unless [WithMessageTemplate]
// says otherwise: a subject naming every new tag, then a line per update.
//
//	Update images: api 1.4.3, web 2.0.1
//
//	apps:api: 1.4.2 -> 1.4.3 (deploy/api.yaml)
//	apps:web: 2.0.0 -> 2.0.1 (deploy/web.yaml)
const DefaultMessageTemplate = `Update images:{{range $i, $p := .Policies}}{{if $i}},{{end}} {{$p.Short}} {{$p.To}}{{end}}

{{range .Lines}}{{.}}
{{end}}`

// MessageData is what the message template sees.
type MessageData struct {
	// Updates are every changed marker value, in the edit's order.
	Updates []Update
	// Policies are the updates grouped by policy.
	Policies []PolicyChange
	// Lines are the default body lines, one per distinct change:
	// "apps:api: 1.4.2 -> 1.4.3 (deploy/api.yaml)".
	Lines []string
}

// Trailer keys hoist writes, one group per policy.
const (
	TrailerPolicy = "Hoist-Policy"
	TrailerImage  = "Hoist-Image"
	TrailerFrom   = "Hoist-From"
	TrailerTo     = "Hoist-To"
)

func newMessageData(c Change) MessageData {
	d := MessageData{Updates: c.Updates, Policies: c.Policies()}
	for _, u := range c.Updates {
		from, to := u.From, u.To
		if from == "" && to == "" {
			from, to = u.Old, u.New
		}
		line := fmt.Sprintf("%s: %s -> %s (%s)", u.Policy, from, to, u.File)
		if !contains(d.Lines, line) {
			d.Lines = append(d.Lines, line)
		}
	}
	return d
}

// parseTemplate parses text and checks it renders a message from sample data.
func parseTemplate(text string) (*template.Template, error) {
	tmpl, err := template.New("message").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parsing commit message template: %w", err)
	}
	if _, err := render(tmpl, sampleChange()); err != nil {
		return nil, fmt.Errorf("commit message template fails on sample data: %w", err)
	}
	return tmpl, nil
}

func sampleChange() Change {
	return Change{Updates: []Update{
		{File: "deploy/api.yaml", Kind: "Deployment", Namespace: "apps", Name: "api", Policy: "apps:api",
			Old: "ghcr.io/acme/api:1.4.2", New: "ghcr.io/acme/api:1.4.3", Image: "ghcr.io/acme/api:1.4.3", From: "1.4.2", To: "1.4.3"},
		{File: "deploy/web.yaml", Kind: "Deployment", Namespace: "apps", Name: "web", Policy: "apps:web", Field: "tag",
			Old: "2.0.0", New: "2.0.1", Image: "ghcr.io/acme/web:2.0.1", From: "2.0.0", To: "2.0.1"},
	}}
}

// render executes tmpl for c and appends the trailers.
func render(tmpl *template.Template, c Change) (string, error) {
	var b bytes.Buffer
	if err := tmpl.Execute(&b, newMessageData(c)); err != nil {
		return "", fmt.Errorf("rendering commit message: %w", err)
	}
	body := strings.TrimSpace(strings.ReplaceAll(b.String(), "\r\n", "\n"))
	if body == "" {
		return "", errors.New("rendering commit message: template produced an empty message")
	}
	return body + "\n\n" + trailers(c) + "\n", nil
}

// trailers renders one Hoist-Policy/Image/From/To group per policy.
func trailers(c Change) string {
	var lines []string
	for _, p := range c.Policies() {
		lines = append(lines, TrailerPolicy+": "+oneLine(p.Policy))
		if p.Image != "" {
			lines = append(lines, TrailerImage+": "+oneLine(p.Image))
		}
		if p.From != "" {
			lines = append(lines, TrailerFrom+": "+oneLine(p.From))
		}
		if p.To != "" {
			lines = append(lines, TrailerTo+": "+oneLine(p.To))
		}
	}
	return strings.Join(lines, "\n")
}

// oneLine keeps a trailer value on one line.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Join(strings.Fields(s), " "))
}
