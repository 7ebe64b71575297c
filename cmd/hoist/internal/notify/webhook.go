package notify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// SignatureHeader is the header of a signed webhook delivery. Its value is
// "sha256=" and the hex HMAC-SHA256 of the request body under the
// destination's secret; see [Verify].
const SignatureHeader = "X-Hoist-Signature"

// Sign returns the SignatureHeader value for body under key.
func Sign(key, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether header is body's signature under key, comparing
// in constant time. A receiver should verify the raw body before parsing
// it, and may use the event's id and time to refuse replays.
func Verify(key, body []byte, header string) bool {
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// CloudEventsContentType is the Content-Type of a webhook delivery: a
// CloudEvents 1.0 event in structured JSON mode.
const CloudEventsContentType = "application/cloudevents+json"

// cloudEvent is a CloudEvents 1.0 event in the JSON format.
type cloudEvent struct {
	SpecVersion     string `json:"specversion"`
	Type            string `json:"type"`
	Source          string `json:"source"`
	ID              string `json:"id"`
	Time            string `json:"time"`
	DataContentType string `json:"datacontenttype"`
	Subject         string `json:"subject,omitempty"`
	Data            Event  `json:"data"`
}

// cloudEventType is the CloudEvents type of an event type: dev.hoist.commit,
// dev.hoist.pullrequest and so on.
func cloudEventType(t EventType) string { return "dev.hoist." + strings.ToLower(string(t)) }

// encodeCloudEvent writes the event as CloudEvents 1.0 structured JSON.
func encodeCloudEvent(env envelope) ([]byte, error) {
	b, err := marshal(cloudEvent{
		SpecVersion:     "1.0",
		Type:            cloudEventType(env.event.Type()),
		Source:          "hoist/" + env.event.repo(),
		ID:              env.id,
		Time:            env.time.Format(time.RFC3339Nano),
		DataContentType: "application/json",
		Subject:         subject(env.event),
		Data:            env.event,
	})
	if err != nil {
		return nil, fmt.Errorf("encoding CloudEvent: %w", err)
	}
	return b, nil
}

// subject is the CloudEvents subject: what in the repository the event is
// about, when that is one thing.
func subject(e Event) string {
	switch e := e.(type) {
	case Commit:
		return e.Commit
	case PullRequest:
		return fmt.Sprint(e.Number)
	case Hold:
		return e.Policy
	}
	return ""
}

// encode writes an event in a destination kind's format and returns its
// Content-Type.
func encode(k Kind, env envelope) ([]byte, string, error) {
	var (
		b   []byte
		err error
	)
	switch k {
	case KindWebhook:
		b, err = encodeCloudEvent(env)
		return b, CloudEventsContentType, err
	case KindSlack:
		b, err = marshal(slackMessage(env.event))
	case KindMSTeams:
		b, err = marshal(teamsMessage(env.event))
	default:
		return nil, "", fmt.Errorf("unknown destination kind %q", k)
	}
	if err != nil {
		return nil, "", fmt.Errorf("encoding %s message: %w", k, err)
	}
	return b, "application/json", nil
}

// marshal encodes v as JSON without escaping <, > and & (the payloads are
// never embedded in HTML).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
