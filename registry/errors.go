package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ErrNotFound is wrapped by errors about a repository, tag or platform that
// does not exist.
var ErrNotFound = errors.New("not found")

// Error is an error answer of a registry. It names the host and repository
// and never holds credentials, tokens or query strings.
type Error struct {
	// Host is the registry host; Repository the path within it.
	Host, Repository string
	// Method and Path are the request's (no query string).
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code and Message are the first error the registry sent, if any,
	// sanitised: credentials redacted, control characters escaped, cut to
	// about 64 and 200 bytes.
	Code, Message string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("registry %s repository %s: %s %s: %d %s", e.Host, e.Repository,
		e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Unwrap makes a 404 match ErrNotFound.
func (e *Error) Unwrap() error {
	if e.StatusCode == http.StatusNotFound {
		return ErrNotFound
	}
	return nil
}

// Temporary reports whether trying again later may succeed.
func (e *Error) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// newError reads a failed response (and closes its body). The registry's
// code and message are sanitised, and any of secrets() they hold (the
// credentials sent, which a server may echo) is replaced by REDACTED.
// secrets may be nil; it is called only when the body holds a message.
func newError(host, repo string, resp *http.Response, secrets func() []string) *Error {
	defer resp.Body.Close()
	e := &Error{Host: host, Repository: repo, Method: resp.Request.Method,
		Path: sanitize(resp.Request.URL.Path, 200), StatusCode: resp.StatusCode}
	var body struct {
		Errors []struct{ Code, Message string }
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	if json.Unmarshal(data, &body) == nil && len(body.Errors) > 0 {
		var known []string
		if secrets != nil {
			known = secrets()
		}
		e.Code = sanitize(scrub(body.Errors[0].Code, known), 64)
		e.Message = sanitize(scrub(body.Errors[0].Message, known), 200)
	}
	return e
}

// scrub replaces every secret (of 4 bytes or more) in s.
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "REDACTED")
		}
	}
	return s
}

// redact removes credentials and query strings from URLs in err's text,
// hides credentials a server echoed and escapes control characters.
func redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := sanitize(msg, 2048)
	if red == msg {
		return err
	}
	return &redactedError{msg: red, err: err}
}

// redactedError shows a cleaned message but still unwraps to the original.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactText cuts userinfo and query strings out of URLs in s.
func redactText(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+3])
		s = s[i+3:]
		end := strings.IndexAny(s, " \"'\n\t")
		if end < 0 {
			end = len(s)
		}
		b.WriteString(redactURL(s[:end]))
		s = s[end:]
	}
}

// redactURL hides the userinfo and query of a URL without its scheme.
func redactURL(u string) string {
	a := strings.IndexAny(u, "/?#")
	if a < 0 {
		a = len(u)
	}
	authority, rest := u[:a], u[a:]
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		authority = "REDACTED@" + authority[at+1:]
	}
	if q := strings.IndexByte(rest, '?'); q >= 0 {
		rest = rest[:q] + "?REDACTED"
	}
	return authority + rest
}
