package notify

import (
	"encoding/json"
	"time"
)

// EventType names a kind of event, as destinations list them in their
// filters and as the webhook kind's CloudEvents type ends.
type EventType string

// The event types. The values are the names the service config uses.
const (
	EventCommit      EventType = "commit"
	EventPullRequest EventType = "pullRequest"
	EventHold        EventType = "hold"
	EventFailing     EventType = "failing"
	EventRecovered   EventType = "recovered"
)

// EventTypes lists every event type, in a fixed order.
func EventTypes() []EventType {
	return []EventType{EventCommit, EventPullRequest, EventHold, EventFailing, EventRecovered}
}

// Event is one thing that happened to a repository: [Commit], [PullRequest],
// [Hold], [Failing] or [Recovered].
type Event interface {
	// Type names the kind of event.
	Type() EventType
	// repo is the name of the repository the event is about.
	repo() string
	// clone returns a copy that shares no slices with the caller's value.
	clone() Event
}

// Change is one marked value a pass changed.
type Change struct {
	Policy string `json:"policy"`         // the policy, "namespace:name" or "name"
	Image  string `json:"image"`          // the image repository
	From   string `json:"from"`           // the old value
	To     string `json:"to"`             // the new value
	File   string `json:"file,omitempty"` // the file, relative to the repository root
}

// Commit says a pass pushed a commit to a branch.
type Commit struct {
	Repository string   `json:"repository"`    // the config repository's name in the service config
	Commit     string   `json:"commit"`        // the commit's hash
	Branch     string   `json:"branch"`        // the branch it was pushed to
	URL        string   `json:"url,omitempty"` // optional: a web page showing the commit
	Changes    []Change `json:"changes"`
}

// PullRequest says a pass opened or updated a pull request.
type PullRequest struct {
	Repository string   `json:"repository"`
	Action     string   `json:"action"` // "opened" or "updated"
	URL        string   `json:"url,omitempty"`
	Number     int      `json:"number"`
	Changes    []Change `json:"changes"`
}

// Hold says hoist holds a policy at a version (a revert of its update was
// detected) instead of updating it.
type Hold struct {
	Repository string `json:"repository"`
	Policy     string `json:"policy"`
	Version    string `json:"version"` // the version held back
	Reason     string `json:"reason"`
}

// Failing says a repository's passes have been failing; see [Tracker].
type Failing struct {
	Repository string    `json:"repository"`
	Since      time.Time `json:"since"`     // when the first failure of the run ended
	Failures   int       `json:"failures"`  // failed passes in a row
	LastError  string    `json:"lastError"` // the last pass's error
}

// Recovered says a repository that was [Failing] had a successful pass.
type Recovered struct {
	Repository string        `json:"repository"`
	After      time.Duration `json:"-"` // how long it had been failing
}

// MarshalJSON writes After as afterSeconds, a number.
func (r Recovered) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Repository   string  `json:"repository"`
		AfterSeconds float64 `json:"afterSeconds"`
	}{r.Repository, r.After.Seconds()})
}

// Type implements [Event].
func (Commit) Type() EventType { return EventCommit }

// Type implements [Event].
func (PullRequest) Type() EventType { return EventPullRequest }

// Type implements [Event].
func (Hold) Type() EventType { return EventHold }

// Type implements [Event].
func (Failing) Type() EventType { return EventFailing }

// Type implements [Event].
func (Recovered) Type() EventType { return EventRecovered }

func (e Commit) repo() string      { return e.Repository }
func (e PullRequest) repo() string { return e.Repository }
func (e Hold) repo() string        { return e.Repository }
func (e Failing) repo() string     { return e.Repository }
func (e Recovered) repo() string   { return e.Repository }

func (e Commit) clone() Event      { e.Changes = cloneChanges(e.Changes); return e }
func (e PullRequest) clone() Event { e.Changes = cloneChanges(e.Changes); return e }
func (e Hold) clone() Event        { return e }
func (e Failing) clone() Event     { return e }
func (e Recovered) clone() Event   { return e }

// cloneChanges copies a list, keeping JSON's [] for an empty one.
func cloneChanges(c []Change) []Change { return append([]Change{}, c...) }

var (
	_ Event = Commit{}
	_ Event = PullRequest{}
	_ Event = Hold{}
	_ Event = Failing{}
	_ Event = Recovered{}
)
