package config

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Categories of [fieldError], for errors.Is.
var (
	// errUnknownKey: the key is not part of the config format.
	errUnknownKey = errors.New("unknown key")
	// errInlineSecret: a secret was written into the file instead of
	// being named by a file path or environment variable.
	errInlineSecret = errors.New("inline secrets are not allowed")
	// errInvalid: the value is of the wrong type or out of range, or a
	// required value is missing.
	errInvalid = errors.New("invalid value")
)

// fieldError is one problem in a config file. Its message names the file,
// the line and the key path, e.g.
// "config.yaml:12: repositories[0].schedul: unknown key".
type fieldError struct {
	// File is the name given to Parse or the path given to Load.
	File string
	// Line is the 1-based line of the key, or 0 when unknown.
	Line int
	// Path is the key path, e.g. "repositories[0].auth.sshKeyFile".
	Path string
	// Err says what is wrong; it wraps one of errUnknownKey,
	// errInlineSecret or errInvalid.
	Err error
}

// Error formats the problem as "file:line: path: message".
func (e *fieldError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		fmt.Fprintf(&b, "%s: ", e.File)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns Err.
func (e *fieldError) Unwrap() error { return e.Err }

// invalidError is an errInvalid with its own message.
type invalidError struct{ msg string }

func (e invalidError) Error() string        { return e.msg }
func (e invalidError) Is(target error) bool { return target == errInvalid }

// invalid returns an error that matches errInvalid.
func invalid(format string, args ...any) error {
	return invalidError{msg: fmt.Sprintf(format, args...)}
}

// maxErrors is how many problems an error lists; the rest are counted.
const maxErrors = 100

// merge joins check and validation errors in line order, at most
// maxErrors of them and then "... and N more". A validation error below a
// path in skip is dropped: it would only repeat a check error.
func merge(checkErrs []*fieldError, skip map[string]bool, validateErrs []*fieldError) error {
	all := slices.Clone(checkErrs)
	for _, v := range validateErrs {
		if !skipped(v.Path, skip) {
			all = append(all, v)
		}
	}
	slices.SortStableFunc(all, func(a, b *fieldError) int { return cmp.Compare(sortLine(a), sortLine(b)) })
	errs := make([]error, 0, min(len(all), maxErrors+1))
	for _, e := range all[:min(len(all), maxErrors)] {
		errs = append(errs, e)
	}
	if n := len(all) - maxErrors; n > 0 {
		errs = append(errs, fmt.Errorf("... and %d more", n))
	}
	return errors.Join(errs...)
}

// skipped reports whether path or one of its ancestors is in skip.
func skipped(path string, skip map[string]bool) bool {
	for len(skip) > 0 {
		if skip[path] {
			return true
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return false
		}
		path = path[:i]
	}
	return false
}

// sortLine puts errors without a line last.
func sortLine(e *fieldError) int {
	if e.Line == 0 {
		return math.MaxInt
	}
	return e.Line
}
