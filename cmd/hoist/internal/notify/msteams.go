package notify

import "fmt"

// teamsMsg is a message with one Adaptive Card, the shape Teams incoming
// webhooks and Workflows ("post to a channel when a webhook request is
// received") accept.
type teamsMsg struct {
	Type        string            `json:"type"` // "message"
	Attachments []teamsAttachment `json:"attachments"`
}

type teamsAttachment struct {
	ContentType string    `json:"contentType"` // "application/vnd.microsoft.card.adaptive"
	Content     teamsCard `json:"content"`
}

type teamsCard struct {
	Schema  string         `json:"$schema"`
	Type    string         `json:"type"`    // "AdaptiveCard"
	Version string         `json:"version"` // "1.4"
	Body    []teamsElement `json:"body"`
	Actions []teamsAction  `json:"actions,omitempty"`
}

// teamsElement is a RichTextBlock: unlike a TextBlock it reads no Markdown,
// so user text shows as it is and can't make links or formatting.
type teamsElement struct {
	Type    string     `json:"type"` // "RichTextBlock"
	Inlines []teamsRun `json:"inlines"`
}

type teamsRun struct {
	Type     string `json:"type"` // "TextRun"
	Text     string `json:"text"`
	Weight   string `json:"weight,omitempty"`
	Size     string `json:"size,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
}

type teamsAction struct {
	Type  string `json:"type"` // "Action.OpenUrl"
	Title string `json:"title"`
	URL   string `json:"url"`
}

func run(text string) teamsRun { return teamsRun{Type: "TextRun", Text: text} }

func richText(runs ...teamsRun) teamsElement {
	return teamsElement{Type: "RichTextBlock", Inlines: runs}
}

// teamsMessage renders an event as a Teams message.
func teamsMessage(e Event) teamsMsg {
	s := summarize(e)
	title := run(s.Title)
	title.Weight, title.Size = "Bolder", "Medium"
	card := teamsCard{Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4",
		Body: []teamsElement{richText(title)}}
	for _, it := range s.Items {
		name := run(it.Name)
		name.Weight = "Bolder"
		runs := []teamsRun{name, run(" " + it.Text)}
		if it.Note != "" {
			note := run(" (" + it.Note + ")")
			note.IsSubtle = true
			runs = append(runs, note)
		}
		card.Body = append(card.Body, richText(runs...))
	}
	if s.More > 0 {
		card.Body = append(card.Body, richText(run(fmt.Sprintf("…and %d more", s.More))))
	}
	if s.Detail != "" {
		card.Body = append(card.Body, richText(run(s.Detail)))
	}
	if s.Link != "" {
		card.Actions = []teamsAction{{Type: "Action.OpenUrl", Title: "View " + s.LinkLabel, URL: s.Link}}
	}
	return teamsMsg{Type: "message", Attachments: []teamsAttachment{{
		ContentType: "application/vnd.microsoft.card.adaptive", Content: card}}}
}
