package notify

import (
	"fmt"
	"strings"
)

// Slack caps a section's text at 3000 characters.
const slackSectionMax = 3000

// slackMsg is an incoming-webhook message: text is the notification's
// fallback, blocks the Block Kit layout.
type slackMsg struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type string    `json:"type"` // "section"
	Text slackText `json:"text"`
}

type slackText struct {
	Type string `json:"type"` // "mrkdwn"
	Text string `json:"text"`
}

// slackEscape escapes the three characters Slack's mrkdwn reserves, so user
// text can't open a link or a mention.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

func section(text string) slackBlock {
	return slackBlock{Type: "section", Text: slackText{Type: "mrkdwn", Text: capText(text, slackSectionMax)}}
}

// slackMessage renders an event as a Slack message.
func slackMessage(e Event) slackMsg {
	s := summarize(e)
	head := "*" + slackEscape(s.Title) + "*"
	if s.Link != "" {
		// In a link the URL is escaped the same way, and '|' would end it.
		head += "\n<" + slackEscape(strings.ReplaceAll(s.Link, "|", "%7C")) + "|" + slackEscape(s.LinkLabel) + ">"
	}
	m := slackMsg{Text: slackEscape(s.Title), Blocks: []slackBlock{section(head)}}
	if len(s.Items) > 0 {
		m.Blocks = append(m.Blocks, section(slackList(s.Items, s.More)))
	}
	if s.Detail != "" {
		m.Blocks = append(m.Blocks, section(slackEscape(s.Detail)))
	}
	return m
}

// slackList writes the changes one a line, as many as fit in a section
// with room for the line counting the rest.
func slackList(items []item, more int) string {
	var b strings.Builder
	for i, it := range items {
		line := "• *" + slackEscape(it.Name) + "* " + slackEscape(it.Text)
		if it.Note != "" {
			line += " _(" + slackEscape(it.Note) + ")_"
		}
		if b.Len()+len(line) > slackSectionMax-100 {
			more += len(items) - i
			break
		}
		b.WriteString(line + "\n")
	}
	if more > 0 {
		b.WriteString(fmt.Sprintf("…and %d more\n", more))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
