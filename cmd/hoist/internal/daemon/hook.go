package daemon

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// kindUnknown labels webhook requests whose kind is not one of hookKinds.
const kindUnknown = "unknown"

// hookKinds are the webhook kinds the daemon serves (registry.ParseWebhook
// parses the same set). Metrics label webhooks with one of them or
// kindUnknown, so requests cannot add series.
func hookKinds() []string {
	return []string{"distribution", "dockerhub", "generic", "github", "harbor", "quay"}
}

// hookKind returns the metric label of the raw kind of a /hooks/<kind>
// request: raw itself when it is a known kind, else kindUnknown.
func hookKind(raw string) string {
	if slices.Contains(hookKinds(), raw) {
		return raw
	}
	return kindUnknown
}

// maxLogged bounds how many bytes of a request-supplied string reach a log
// line or a response.
const maxLogged = 64

// quoted renders a request-supplied string for logs and responses: Go-quoted
// in ASCII (no control characters or escape sequences) and cut after max
// bytes, saying how many were cut.
func quoted(s string, max int) string {
	if len(s) <= max {
		return strconv.QuoteToASCII(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s...(%d more bytes)", strconv.QuoteToASCII(s[:cut]), len(s)-cut)
}

// rejectLog logs rejected requests, at most max per interval; it counts the
// rest and reports their number with the first log of a later interval.
type rejectLog struct {
	log      *slog.Logger
	max      int
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex // protects the fields below
	start   time.Time  // when the current interval began
	logged  int        // logs written in the current interval
	dropped int        // logs dropped since the last one written
}

func newRejectLog(log *slog.Logger, l HTTPLimits) *rejectLog {
	return &rejectLog{log: log, max: l.RejectLogs, interval: l.RejectLogInterval, now: time.Now}
}

// warn logs msg with args unless this interval's quota is spent.
func (l *rejectLog) warn(msg string, args ...any) {
	dropped, ok := l.take()
	if dropped > 0 {
		l.log.Warn("dropped rejected-request logs", "count", dropped)
	}
	if ok {
		l.log.Warn(msg, args...)
	}
}

// take reports whether a log may be written now and, when a new interval
// began, how many were dropped before it.
func (l *rejectLog) take() (dropped int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := l.now(); now.Sub(l.start) >= l.interval {
		dropped, l.dropped = l.dropped, 0
		l.start, l.logged = now, 0
	}
	if l.logged >= l.max {
		l.dropped++
		return dropped, false
	}
	l.logged++
	return dropped, true
}
