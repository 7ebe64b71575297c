package gitwriter

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

var (
	// ErrRejected reports a push the remote refused because the branch moved;
	// Update retries after it, and returns it once attempts run out.
	ErrRejected = errors.New("push rejected: remote branch moved")
	// ErrInterrupted reports a push whose connection broke before the remote
	// answered, so it may or may not have landed. Update fetches and redoes
	// the edit, as after a rejection: if the push landed, the redo finds
	// nothing left to change.
	ErrInterrupted = errors.New("push interrupted")
	// ErrDeclined reports a push the remote refused for a reason other than
	// a moved branch: a pre-receive or update hook, a checked-out branch in
	// a non-bare repository, a protected ref. Update does not retry it; the
	// error holds the remote's reason and what it printed, escaped and capped.
	ErrDeclined = errors.New("push declined by the remote")
	// ErrForeignPushBranch reports a push branch holding commits that are not
	// hoist's, which hoist refuses to overwrite.
	ErrForeignPushBranch = errors.New("push branch holds commits that are not hoist's")
)

// Error is an error of one step (clone, fetch, push, ...) against one remote.
// Its message never holds credentials, and text that came from the server
// prints on one line: control characters are escaped and the length capped.
type Error struct {
	// Step is what gitwriter was doing: "clone", "fetch", "push", "list", ...
	Step string
	// Remote is the remote URL with credentials removed.
	Remote string
	// Err is the cause; its text may come from go-git and is redacted in Error().
	Err error

	secrets []string
}

func (e *Error) Error() string {
	msg := e.Err.Error()
	for _, s := range e.secrets {
		if len(s) >= 3 {
			msg = strings.ReplaceAll(msg, s, "REDACTED")
		}
	}
	return fmt.Sprintf("%s %s: %s", e.Step, e.Remote, sanitize(msg, maxErrorText))
}

func (e *Error) Unwrap() error { return e.Err }

// maxErrorText caps the cause's text in Error(), in characters.
const maxErrorText = 2000

// redactURL removes credentials from a URL: the password, and for HTTP(S)
// a lone user name too, since hosts accept tokens there. SSH user names
// ("git@") stay.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 && strings.Contains(raw[:i], "://") {
			return raw[:strings.Index(raw, "://")+3] + "REDACTED@" + raw[i+1:]
		}
		return raw
	}
	if u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	} else if u.Scheme == "http" || u.Scheme == "https" {
		u.User = url.User("REDACTED")
	}
	return u.String()
}

// urlSecrets returns the credentials embedded in a URL, to scrub from
// error texts.
func urlSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return nil
	}
	var out []string
	if p, has := u.User.Password(); has {
		out = append(out, p, url.QueryEscape(p), url.PathEscape(p))
	} else if u.Scheme == "http" || u.Scheme == "https" {
		out = append(out, u.User.Username())
	}
	return out
}

// splitURLAuth removes the user info from an HTTP(S) URL and returns it
// separately; other URLs (ssh://git@...) come back unchanged.
func splitURLAuth(raw string) (string, *url.Userinfo) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return raw, nil
	}
	user := u.User
	u.User = nil
	return u.String(), user
}
