package notify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current payloads")

// sampleEvents has one event of each type; the commit carries markup that
// must reach chat as text.
func sampleEvents() map[string]Event {
	return map[string]Event{
		"commit": Commit{Repository: "apps", Commit: "3f1c2a9b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a", Branch: "main",
			URL: "https://git.example.com/acme/apps/commit/3f1c2a9b",
			Changes: []Change{
				{Policy: "apps:api", Image: "ghcr.io/acme/api", From: "1.4.2", To: "1.5.0", File: "apps/api/deployment.yaml"},
				{Policy: "apps:<!channel>", Image: "ghcr.io/acme/web", From: "2.0.0", To: "2.1.0 & <http://evil.example|click>", File: "apps/web/*bold* [x](http://evil.example).yaml"},
			}},
		"pullRequest": PullRequest{Repository: "apps", Action: "opened", URL: "https://git.example.com/acme/apps/pulls/12", Number: 12,
			Changes: []Change{{Policy: "api", Image: "ghcr.io/acme/api", From: "1.4.2", To: "1.5.0", File: "values.yaml"}}},
		"hold": Hold{Repository: "apps", Policy: "apps:api", Version: "1.5.0", Reason: "commit 9d8c7b6 reverted hoist's update to 1.5.0"},
		"failing": Failing{Repository: "apps", Since: fixedNow.Add(-20 * time.Minute), Failures: 3,
			LastError: "git: pushing to origin: connection refused"},
		"recovered": Recovered{Repository: "apps", After: 42 * time.Minute},
	}
}

// TestPayloads sends each sample event to each kind of destination, on a
// real loopback receiver, and compares the bodies with testdata/golden
// (go test -run TestPayloads -update rewrites them).
func TestPayloads(t *testing.T) {
	const key = "s3cret-key"
	for _, kind := range []Kind{KindWebhook, KindSlack, KindMSTeams} {
		for name, ev := range sampleEvents() {
			t.Run(fmt.Sprintf("%s/%s", kind, name), func(t *testing.T) {
				rcv := newReceiver(t, nil)
				d := Destination{Name: "d", Kind: kind, URL: Value(rcv.URL + "/hook")}
				if kind == KindWebhook {
					d.Secret = Value(key)
				}
				h := start(t, []Destination{d}, fast()...)
				h.Notify(ev)
				h.close(t)
				reqs := rcv.requests()
				if len(reqs) != 1 {
					t.Fatalf("receiver got %d requests, want 1", len(reqs))
				}
				body := reqs[0].body
				checkHeaders(t, kind, reqs[0], key)
				compareGolden(t, filepath.Join("testdata", "golden", fmt.Sprintf("%s-%s.json", kind, name)), normalise(t, kind, body))
			})
		}
	}
}

// checkHeaders checks the Content-Type and, for webhooks, the signature,
// computed here independently of Sign and Verify.
func checkHeaders(t *testing.T, kind Kind, req request, key string) {
	t.Helper()
	want := map[Kind]string{KindWebhook: "application/cloudevents+json", KindSlack: "application/json", KindMSTeams: "application/json"}[kind]
	if got := req.header.Get("Content-Type"); got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	sig := req.header.Get("X-Hoist-Signature")
	if kind != KindWebhook {
		if sig != "" {
			t.Errorf("%s delivery signed: %q", kind, sig)
		}
		return
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(req.body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); sig != want {
		t.Errorf("X-Hoist-Signature = %q, want %q", sig, want)
	}
	if !Verify([]byte(key), req.body, sig) || Verify([]byte("other"), req.body, sig) ||
		Verify([]byte(key), append(req.body, ' '), sig) {
		t.Error("Verify disagrees with the independent HMAC")
	}
}

// normalise replaces a CloudEvent's random id (checked here) and indents.
func normalise(t *testing.T, kind Kind, body []byte) []byte {
	t.Helper()
	if kind == KindWebhook {
		var ce map[string]any
		if err := json.Unmarshal(body, &ce); err != nil {
			t.Fatalf("decoding CloudEvent: %v\n%s", err, body)
		}
		if id, _ := ce["id"].(string); len(id) < 16 {
			t.Errorf("CloudEvent id %q is too short to be unique", id)
		}
		body = bytes.Replace(body, []byte(fmt.Sprintf("%q", ce["id"])), []byte(`"<id>"`), 1)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		t.Fatalf("payload is not JSON: %v\n%s", err, body)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestCloudEventIDsAreUnique checks that two events get two ids, and that
// every destination gets the same id for one event.
func TestCloudEventIDsAreUnique(t *testing.T) {
	a, b := newReceiver(t, nil), newReceiver(t, nil)
	h := start(t, []Destination{{Name: "a", Kind: KindWebhook, URL: Value(a.URL)}, {Name: "b", Kind: KindWebhook, URL: Value(b.URL)}}, fast()...)
	h.Notify(Recovered{Repository: "x"})
	h.Notify(Recovered{Repository: "x"})
	h.close(t)
	id := func(r request) string {
		var ce struct{ ID string }
		if err := json.Unmarshal(r.body, &ce); err != nil {
			t.Fatal(err)
		}
		return ce.ID
	}
	ra, rb := a.requests(), b.requests()
	if len(ra) != 2 || len(rb) != 2 {
		t.Fatalf("got %d and %d requests, want 2 each", len(ra), len(rb))
	}
	if id(ra[0]) == id(ra[1]) {
		t.Errorf("two events share id %q", id(ra[0]))
	}
	if id(ra[0]) != id(rb[0]) || id(ra[1]) != id(rb[1]) {
		t.Errorf("one event has different ids at two destinations: %s %s / %s %s", id(ra[0]), id(ra[1]), id(rb[0]), id(rb[1]))
	}
}

// slackMarkup is every user string of the sample commit that holds Slack
// markup.
var slackMarkup = []string{"<!channel>", "<http://evil.example|click>"}

// TestSlackShape checks the messages against Slack's documented incoming
// webhook and Block Kit shape: text, at most 50 blocks, section blocks with
// a mrkdwn text object of at most 3000 characters; and that user text can't
// make links or mentions (&, < and > escaped).
func TestSlackShape(t *testing.T) {
	many := Commit{Repository: "apps", Commit: "abc", Branch: "main"}
	for i := range 30 {
		many.Changes = append(many.Changes, Change{Policy: fmt.Sprintf("p%d", i), Image: "img", From: "1", To: strings.Repeat("9", 200)})
	}
	events := sampleEvents()
	events["many"] = many
	for name, ev := range events {
		var m struct {
			Text   string `json:"text"`
			Blocks []struct {
				Type string `json:"type"`
				Text struct{ Type, Text string }
			} `json:"blocks"`
		}
		b, _ := json.Marshal(slackMessage(ev))
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m.Text == "" || len(m.Blocks) == 0 || len(m.Blocks) > 50 {
			t.Errorf("%s: text %q with %d blocks", name, m.Text, len(m.Blocks))
		}
		for _, bl := range m.Blocks {
			if bl.Type != "section" || bl.Text.Type != "mrkdwn" || len([]rune(bl.Text.Text)) > 3000 || bl.Text.Text == "" {
				t.Errorf("%s: block %+v is not a section with 1-3000 characters of mrkdwn", name, bl)
			}
			for _, u := range slackMarkup {
				if strings.Contains(bl.Text.Text, u) {
					t.Errorf("%s: user text %q reached Slack unescaped", name, u)
				}
			}
		}
	}
	got := slackMessage(many).Blocks[1].Text.Text
	var more int
	if _, err := fmt.Sscanf(got[strings.LastIndex(got, "\n")+1:], "…and %d more", &more); err != nil ||
		strings.Count(got, "\n")+more != 30 {
		t.Errorf("30 changes: want those that fit listed and the rest counted, got:\n%s", got)
	}
}

// TestTeamsShape checks the messages against the shape Teams incoming
// webhooks and Workflows accept: a message with one attachment of content
// type application/vnd.microsoft.card.adaptive holding an AdaptiveCard
// 1.4; user text only in TextRuns (no Markdown); links only as
// Action.OpenUrl with an https URL.
func TestTeamsShape(t *testing.T) {
	for name, ev := range sampleEvents() {
		b, _ := json.Marshal(teamsMessage(ev))
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		att, _ := m["attachments"].([]any)
		if m["type"] != "message" || len(att) != 1 {
			t.Fatalf("%s: not a message with one attachment: %s", name, b)
		}
		a := att[0].(map[string]any)
		card, _ := a["content"].(map[string]any)
		if a["contentType"] != "application/vnd.microsoft.card.adaptive" || card["type"] != "AdaptiveCard" || card["version"] != "1.4" {
			t.Errorf("%s: attachment is not an Adaptive Card 1.4: %s", name, b)
		}
		for _, el := range card["body"].([]any) {
			el := el.(map[string]any)
			if el["type"] != "RichTextBlock" {
				t.Errorf("%s: body element %v, want RichTextBlock", name, el["type"])
			}
			for _, in := range el["inlines"].([]any) {
				if in.(map[string]any)["type"] != "TextRun" {
					t.Errorf("%s: inline %v, want TextRun", name, in)
				}
			}
		}
		acts, _ := card["actions"].([]any)
		for _, ac := range acts {
			ac := ac.(map[string]any)
			if ac["type"] != "Action.OpenUrl" || !strings.HasPrefix(ac["url"].(string), "https://") {
				t.Errorf("%s: action %v", name, ac)
			}
		}
	}
}

// TestLinksAreWebURLs checks that a link that is not http(s) is left out
// of chat messages.
func TestLinksAreWebURLs(t *testing.T) {
	for _, u := range []string{"javascript:alert(1)", "file:///etc/passwd", "//host/x", "not a url", ""} {
		ev := Commit{Repository: "r", Commit: "c", Branch: "b", URL: u}
		if s := slackMessage(ev); len(s.Blocks) != 1 || strings.Contains(s.Blocks[0].Text.Text, "<") {
			t.Errorf("URL %q: Slack message links: %+v", u, s.Blocks)
		}
		if m := teamsMessage(ev); len(m.Attachments[0].Content.Actions) != 0 {
			t.Errorf("URL %q: Teams message has actions %+v", u, m.Attachments[0].Content.Actions)
		}
	}
}
