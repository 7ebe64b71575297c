package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Categories of *Error, for errors.Is.
var (
	// ErrUnauthorized: the forge refused the token (HTTP 401), or none was
	// given where one is needed.
	ErrUnauthorized = errors.New("unauthorized: check the forge token")
	// ErrForbidden: the token is valid but may not do this (HTTP 403), for
	// example a missing scope or a protected branch.
	ErrForbidden = errors.New("forbidden: the token lacks a permission or scope")
	// ErrNotFound: the repository, pull request or user does not exist, or
	// the token cannot see it (HTTP 404).
	ErrNotFound = errors.New("not found")
	// ErrRejected: the forge refused the request as invalid (HTTP 400, 405,
	// 409, 422), for example a head branch that does not exist.
	ErrRejected = errors.New("rejected by the forge")
	// ErrUnavailable: the forge could not be reached, timed out, or answered
	// 5xx or 429. The next pass may succeed.
	ErrUnavailable = errors.New("forge unavailable")
	// ErrToken: the token function failed (for example a missing file).
	ErrToken = errors.New("reading the forge token")
	// ErrAutoMerge: the pull request was opened or updated, but auto-merge
	// could not be enabled; Ensure still returns the pull request.
	ErrAutoMerge = errors.New("auto-merge not enabled")
)

// Error is a failed forge call. Its text names the provider, the forge
// host and the repository, never the token; text from the server is
// escaped and capped at maxServerText bytes.
type Error struct {
	// Provider is gitea, forgejo, github or gitlab.
	Provider string
	// Host is the forge's web host (with port when not the default).
	Host string
	// Repo is owner/repo (GitLab: the full project path).
	Repo string
	// Op is what was being done: "listing pull requests", ...
	Op string
	// StatusCode is the HTTP status, or 0 when there was no answer.
	StatusCode int
	// Kind is one of the sentinels above.
	Kind error
	// Message is the server's message or the transport error, sanitised.
	Message string

	cause error // context and network errors, for errors.Is
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: %s: %v", e.Provider, e.Host, e.Repo, e.Op, e.Kind)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Unwrap returns the category and, for errors without an HTTP answer, the
// cause (so errors.Is(err, context.DeadlineExceeded) works).
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Kind, e.cause}
	}
	return []error{e.Kind}
}

// Temporary reports whether retrying later may succeed.
func (e *Error) Temporary() bool { return errors.Is(e.Kind, ErrUnavailable) }

// kindOf maps an HTTP status to a category.
func kindOf(status int) error {
	switch {
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusTooManyRequests || status >= 500:
		return ErrUnavailable
	default:
		return ErrRejected
	}
}

// maxServerText caps server text in errors, in bytes.
const maxServerText = 200

// safeText escapes control characters and invalid UTF-8 in s and caps it
// at maxServerText bytes.
func safeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if b.Len() >= maxServerText {
			b.WriteString("…")
			break
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// redact removes secret from s.
func redact(s, secret string) string {
	if len(secret) < 3 {
		return s
	}
	return strings.ReplaceAll(s, secret, "REDACTED")
}

// callError builds the *Error of a failed call. status is the HTTP status
// (0 without an answer); msg the server's message or the error text.
func (c *common) callError(op string, status int, msg string, cause error, token string) error {
	e := &Error{
		Provider: c.provider, Host: c.host, Repo: c.repo, Op: op,
		StatusCode: status, Message: safeText(redact(strings.TrimSpace(msg), token)),
	}
	if strings.EqualFold(e.Message, http.StatusText(status)) {
		e.Message = ""
	}
	var te *tokenError
	switch {
	case errors.As(cause, &te):
		e.Kind, e.Message, e.cause = ErrToken, safeText(te.err.Error()), te.err
	case status != 0:
		e.Kind = kindOf(status)
	case errors.Is(cause, context.Canceled):
		e.Kind, e.cause = context.Canceled, cause
	default:
		e.Kind, e.cause = ErrUnavailable, redactedError{cause, token}
	}
	return e
}

// redactedError hides a token from an error's text while keeping it
// reachable for errors.Is.
type redactedError struct {
	err   error
	token string
}

func (r redactedError) Error() string { return redact(r.err.Error(), r.token) }
func (r redactedError) Unwrap() error { return r.err }
