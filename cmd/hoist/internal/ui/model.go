package ui

import "time"

// Status is everything the status page shows, and the body of
// GET /api/v1/status. It holds no secrets: it has no field for one, and the
// handler redacts URLs and sanitises error texts before serving it.
type Status struct {
	// GeneratedAt is when the status was put together.
	GeneratedAt time.Time `json:"generatedAt"`
	// Replica names the replica serving the page, when hoist runs more
	// than one; "" otherwise.
	Replica string `json:"replica,omitempty"`
	// Repositories are the config repositories, in configuration order.
	Repositories []Repository `json:"repositories"`
}

// Repository is the state of one config repository.
type Repository struct {
	// Name is the repository's name in the service config.
	Name string `json:"name"`
	// URL is where it is cloned from, without user info, query or fragment.
	URL string `json:"url"`
	// Owner names the replica whose shard holds the repository; "" when
	// hoist runs one replica.
	Owner string `json:"owner,omitempty"`
	// LastPass is the most recent pass; nil before the first one ends.
	LastPass *Pass `json:"lastPass,omitempty"`
	// NextPass is when the next scheduled pass is due; zero when unknown.
	NextPass time.Time `json:"nextPass,omitzero"`
	// Backoff is set while failed passes delay the next one.
	Backoff *Backoff `json:"backoff,omitempty"`
	// LastCommit is the last commit hoist pushed; nil when none is known.
	LastCommit *Commit `json:"lastCommit,omitempty"`
	// PullRequest is the open pull request hoist's changes wait in, if any.
	PullRequest *PullRequest `json:"pullRequest,omitempty"`
	// Policies are the policies of the last pass that read them.
	Policies []Policy `json:"policies"`
	// Problems are the last pass's problems, errors first.
	Problems []Problem `json:"problems"`
	// History holds hoist's recent commits, newest first.
	History []Event `json:"history"`
	// Passes holds the passes of the last 24 hours, oldest first.
	Passes []PassPoint `json:"passes"`
	// Omitted counts the policies, problems and events left out to keep
	// the page bounded; zero when nothing was.
	Omitted int `json:"omitted,omitempty"`
}

// Result is how a pass ended.
type Result string

// The results of a pass.
const (
	Committed Result = "committed"  // it pushed a commit (or updated a pull request)
	NoChanges Result = "no-changes" // every marked value was up to date
	Failed    Result = "failed"     // it could not run or push
)

// Pass is one pass of a repository.
type Pass struct {
	// Start is when it began and Duration how long it took.
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"durationNanos"`
	// Result is how it ended.
	Result Result `json:"result"`
	// Error says why it failed, sanitised; "" unless Result is Failed.
	Error string `json:"error,omitempty"`
	// Changes is how many marked values it changed.
	Changes int `json:"changes"`
}

// Backoff says how failed passes delay the next pass.
type Backoff struct {
	// Until is when the next pass may run.
	Until time.Time `json:"until"`
	// Failures is how many passes failed in a row.
	Failures int `json:"failures"`
}

// Commit is a commit hoist pushed.
type Commit struct {
	// SHA is the commit's hash.
	SHA string `json:"sha"`
	// URL links to the commit on its forge; "" when unknown.
	URL string `json:"url,omitempty"`
	// Subject is the first line of its message.
	Subject string `json:"subject"`
	// Time is when it was made; zero when unknown.
	Time time.Time `json:"time,omitzero"`
}

// PullRequest is a pull (or merge) request hoist opened.
type PullRequest struct {
	// URL links to it.
	URL string `json:"url"`
	// Number is its number on the forge.
	Number int `json:"number"`
}

// Policy is one image policy as the last pass decided it.
type Policy struct {
	// ID is "namespace:name", or "name".
	ID string `json:"id"`
	// Image is the image repository.
	Image string `json:"image"`
	// Current is the value in git before the pass; Selected is what the
	// policy selected ("" when it selected nothing).
	Current  string `json:"current,omitempty"`
	Selected string `json:"selected,omitempty"`
	// Reason is the explanation `hoist tags` prints.
	Reason string `json:"reason,omitempty"`
	// Held says why a held policy does not move; "" when it is not held.
	Held string `json:"held,omitempty"`
	// Gates says which gates (minimum age, follow) keep it back; "" for none.
	Gates string `json:"gates,omitempty"`
	// Problems are the problems that name the policy.
	Problems []Problem `json:"problems,omitempty"`
}

// Problem is one problem a pass reported, naming the file and line or the
// registry and repository.
type Problem struct {
	Message string `json:"message"`
	// Warning is set when nothing was lost by it.
	Warning bool `json:"warning,omitempty"`
}

// EventKind is what a commit in the history did.
type EventKind string

// The kinds of history events.
const (
	Update EventKind = "update" // hoist moved a policy to a new version
	Revert EventKind = "revert" // someone reverted one of hoist's updates
	Hold   EventKind = "hold"   // someone pinned a value by hand
)

// Event is one change to one policy in the repository's history.
type Event struct {
	Time   time.Time `json:"time"`
	Commit string    `json:"commit"`
	Policy string    `json:"policy"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Kind   EventKind `json:"kind"`
}

// PassPoint is one pass on the chart.
type PassPoint struct {
	Time    time.Time `json:"time"`
	Changes int       `json:"changes"`
	Failed  bool      `json:"failed,omitempty"`
}
