package gitwriter

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// remoteSaid collects what the remote prints during a push (hook output,
// receive-pack's errors), keeping the first maxRemoteSaid bytes.
type remoteSaid struct {
	mu sync.Mutex // Protects b.
	b  []byte
}

const (
	maxRemoteSaid = 8 << 10 // bytes kept of what the remote prints
	maxRemoteText = 500     // runes of it shown in an error
)

func (w *remoteSaid) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := maxRemoteSaid - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

// text returns the remote's non-empty lines joined by " | ", control
// characters escaped and capped, or "" when it said nothing.
func (w *remoteSaid) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var lines []string
	for _, l := range strings.FieldsFunc(string(w.b), func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return sanitize(strings.Join(lines, " | "), maxRemoteText)
}

// withRemote appends what the remote said to err's text.
func (w *remoteSaid) withRemote(err error) error {
	if t := w.text(); t != "" {
		return fmt.Errorf("%w (remote said: %s)", err, t)
	}
	return err
}

// sanitize makes text from a server safe to print on one line: control,
// format (bidi) and invalid characters are escaped as Go does in quoted
// strings, and the result is cut to max runes.
func sanitize(s string, max int) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); n++ {
		if n == max {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// refusal returns the status the remote gave for a ref it refused
// ("pre-receive hook declined", "branch is currently checked out").
func refusal(err error) (string, bool) {
	const prefix = "command error on "
	s := err.Error()
	i := strings.Index(s, prefix)
	if i < 0 {
		return "", false
	}
	_, status, ok := strings.Cut(s[i+len(prefix):], ": ")
	return status, ok
}

// movedStatuses are the ref statuses git's receive-pack gives when the ref
// changed under the push: worth a fetch and a retry.
var movedStatuses = []string{"non-fast-forward", "fetch first", "stale info", "failed to lock", "failed to update ref"}

// isRejection reports a push refused because the remote branch moved.
func isRejection(err error) bool {
	if status, ok := refusal(err); ok {
		for _, m := range movedStatuses {
			if strings.HasPrefix(status, m) {
				return true
			}
		}
		return false
	}
	s := err.Error()
	return strings.Contains(s, "non-fast-forward") || strings.Contains(s, "fetch first") || strings.Contains(s, "stale info")
}

// isDeclined reports a push the remote refused for another reason than a
// moved branch: a hook, a checked-out branch, a protected ref, a failed
// unpack. Retrying cannot help.
func isDeclined(err error) bool {
	_, refused := refusal(err)
	return (refused && !isRejection(err)) || strings.Contains(err.Error(), "unpack error")
}
