package notify

import (
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"
)

// maxItems is how many changes a chat message lists; the rest are counted.
const maxItems = 20

// summary is what a chat message says about an event, as plain text; the
// Slack and Teams renderers escape it for their markup.
type summary struct {
	Title     string // one line
	Link      string // an http(s) URL, or ""
	LinkLabel string // the link's text
	Items     []item // the changes listed
	More      int    // changes not listed
	Detail    string // a paragraph: a reason or an error
}

// item is one listed change.
type item struct {
	Name string // the policy
	Text string // "image: from → to"
	Note string // the file
}

// summarize describes an event for people.
func summarize(e Event) summary {
	switch e := e.(type) {
	case Commit:
		s := summary{Title: fmt.Sprintf("hoist updated %s on %s (%s)", e.Repository, e.Branch, changes(len(e.Changes))),
			Link: webURL(e.URL), LinkLabel: "commit " + short(e.Commit)}
		s.Items, s.More = items(e.Changes)
		return s
	case PullRequest:
		s := summary{Title: fmt.Sprintf("hoist %s pull request #%d in %s (%s)", e.Action, e.Number, e.Repository, changes(len(e.Changes))),
			Link: webURL(e.URL), LinkLabel: fmt.Sprintf("pull request #%d", e.Number)}
		s.Items, s.More = items(e.Changes)
		return s
	case Hold:
		return summary{Title: fmt.Sprintf("hoist holds %s at %s in %s", e.Policy, e.Version, e.Repository), Detail: capText(e.Reason, 1000)}
	case Failing:
		return summary{Title: fmt.Sprintf("%s is failing: %d passes in a row since %s", e.Repository, e.Failures, e.Since.UTC().Format(time.RFC3339)),
			Detail: "Last error: " + capText(e.LastError, 1000)}
	case Recovered:
		return summary{Title: fmt.Sprintf("%s recovered after %s", e.Repository, e.After.Round(time.Second))}
	}
	return summary{Title: fmt.Sprintf("hoist event %s", e.Type())}
}

func changes(n int) string {
	if n == 1 {
		return "1 change"
	}
	return fmt.Sprintf("%d changes", n)
}

func items(cs []Change) ([]item, int) {
	var out []item
	for i, c := range cs {
		if i == maxItems {
			return out, len(cs) - maxItems
		}
		out = append(out, item{Name: capText(c.Policy, 200), Text: capText(fmt.Sprintf("%s: %s → %s", c.Image, c.From, c.To), 400), Note: capText(c.File, 200)})
	}
	return out, 0
}

// short abbreviates a commit hash.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// webURL returns u when it is an absolute http or https URL, else "": chat
// messages link to nothing else.
func webURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// capText cuts s to at most n runes, marking the cut.
func capText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
