package notify

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"sync"
	"time"
)

// Kind is the wire format of a destination.
type Kind string

// The destination kinds.
const (
	// KindWebhook posts CloudEvents 1.0 structured JSON, signed with
	// HMAC-SHA256 when the destination has a Secret (see [Sign]).
	KindWebhook Kind = "webhook"
	// KindSlack posts a Slack incoming-webhook message (text and blocks).
	KindSlack Kind = "slack"
	// KindMSTeams posts an Adaptive Card message, as Teams incoming webhooks
	// and Workflows accept it.
	KindMSTeams Kind = "msteams"
)

// Secret returns a secret value (a URL or a key) when a delivery needs it,
// so a rotated file is read again. It must not put the value in its error.
type Secret func() (string, error)

// Value returns a Secret that always returns s.
func Value(s string) Secret { return func() (string, error) { return s, nil } }

// Destination is one receiver of events.
type Destination struct {
	// Name names the destination in logs, errors and metrics (never the
	// URL): 1 to 63 letters, digits, '.', '_' or '-'. Empty means
	// "<kind>-<index>", index being the destination's place in the list.
	Name string
	// Kind is the wire format.
	Kind Kind
	// URL is where events are posted; required.
	URL Secret
	// Secret is the HMAC key of a webhook destination; nil sends unsigned.
	// Other kinds must leave it nil.
	Secret Secret
	// Events lists the event types sent; empty means all.
	Events []EventType
	// Repositories lists the repositories whose events are sent, as names
	// or path.Match patterns ("team-*"); empty means all.
	Repositories []string
}

// Notifier delivers events to destinations in the background: Notify never
// blocks and never fails. Each destination has a bounded queue and one
// worker that posts with a per-attempt timeout and retries with backoff;
// an event that finds the queue full, or that fails every attempt, is
// dropped and counted.
type Notifier struct {
	o     options
	dests []*destination

	mu     sync.RWMutex // protects closed; held for reading while enqueueing
	closed bool

	stop    context.CancelFunc // cuts in-flight deliveries short when Close's ctx ends
	workers sync.WaitGroup
}

var validName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,63}$`)

// New starts a Notifier for the destinations. Close it to stop its workers.
func New(dests []Destination, opts ...Option) (*Notifier, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	n := &Notifier{o: o}
	seen := map[string]bool{}
	for i, d := range dests {
		if d.Name == "" {
			d.Name = fmt.Sprintf("%s-%d", d.Kind, i)
		}
		if err := check(d); err != nil {
			return nil, fmt.Errorf("notification destination %d (%s): %w", i, d.Name, err)
		}
		if seen[d.Name] {
			return nil, fmt.Errorf("notification destination %d: name %q used twice", i, d.Name)
		}
		seen[d.Name] = true
		d.Events, d.Repositories = slices.Clone(d.Events), slices.Clone(d.Repositories)
		n.dests = append(n.dests, &destination{Destination: d, queue: make(chan envelope, o.queue)})
	}
	m, err := newMetrics(o.registerer)
	if err != nil {
		return nil, err
	}
	for _, d := range n.dests {
		d.m = m.of(d.Name)
	}
	ctx, stop := context.WithCancel(context.Background())
	n.stop = stop
	for _, d := range n.dests {
		n.workers.Add(1)
		go func() { defer n.workers.Done(); n.work(ctx, d) }()
	}
	return n, nil
}

// check validates a destination (its Name already defaulted).
func check(d Destination) error {
	if !validName.MatchString(d.Name) {
		return fmt.Errorf("name must be 1 to 63 letters, digits, '.', '_' or '-'")
	}
	if !slices.Contains([]Kind{KindWebhook, KindSlack, KindMSTeams}, d.Kind) {
		return fmt.Errorf("unknown kind %q (want webhook, slack or msteams)", d.Kind)
	}
	if d.URL == nil {
		return fmt.Errorf("no URL")
	}
	if d.Secret != nil && d.Kind != KindWebhook {
		return fmt.Errorf("a %s destination takes no secret", d.Kind)
	}
	for _, e := range d.Events {
		if !slices.Contains(EventTypes(), e) {
			return fmt.Errorf("unknown event %q (want one of %v)", e, EventTypes())
		}
	}
	for _, p := range d.Repositories {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("repository pattern %q: %w", p, err)
		}
	}
	return nil
}

// destination is a Destination with its queue and counters.
type destination struct {
	Destination
	queue chan envelope
	m     destMetrics
}

// wants reports whether the destination takes the event.
func (d *destination) wants(e Event) bool {
	if len(d.Events) > 0 && !slices.Contains(d.Events, e.Type()) {
		return false
	}
	if len(d.Repositories) == 0 {
		return true
	}
	return slices.ContainsFunc(d.Repositories, func(p string) bool {
		ok, _ := path.Match(p, e.repo())
		return ok
	})
}

// envelope is a queued event with the identity every destination shares.
type envelope struct {
	id    string
	time  time.Time
	event Event
}

// Notify queues the event for every destination that wants it and returns
// at once. A full queue, or a closed Notifier, drops the event and counts
// it. A nil Notifier does nothing.
func (n *Notifier) Notify(e Event) {
	if n == nil || e == nil {
		return
	}
	env := envelope{id: rand.Text(), time: n.o.now().UTC(), event: e.clone()}
	n.mu.RLock()
	defer n.mu.RUnlock()
	for _, d := range n.dests {
		if !d.wants(e) {
			continue
		}
		if n.closed {
			d.m.dropped(reasonClosed)
			continue
		}
		select {
		case d.queue <- env:
		default:
			d.m.dropped(reasonQueueFull)
			n.o.log.Warn("notification queue full, event dropped", "destination", d.Name, "kind", d.Kind, "event", e.Type())
		}
	}
}

// Close stops taking events and waits until the queued ones are delivered
// or given up. When ctx ends first, in-flight deliveries are cut short, the
// rest of the queues is dropped and counted, and Close returns ctx's error
// once the workers have stopped.
func (n *Notifier) Close(ctx context.Context) error {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		for _, d := range n.dests {
			close(d.queue)
		}
	}
	n.mu.Unlock()
	done := make(chan struct{})
	go func() { n.workers.Wait(); close(done) }()
	select {
	case <-done:
		n.stop()
		return nil
	case <-ctx.Done():
		n.stop()
		<-done
		return fmt.Errorf("closing notifier: %w", ctx.Err())
	}
}

// client returns the HTTP client deliveries use: no redirects (a redirect
// would carry the body, and maybe the token, elsewhere).
func defaultClient() *http.Client {
	return &http.Client{
		Transport: http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
