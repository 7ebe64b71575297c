package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
)

// errNoSecret is returned by [SecretRef.Read] when the reference is empty.
var errNoSecret = errors.New("no secret configured")

// SecretRef says where a secret is: a file or an environment variable. It
// holds no secret itself, so it is safe to log.
type SecretRef struct {
	// File is the path of a file holding the secret.
	File string
	// Env is the name of an environment variable holding the secret.
	Env string
}

// isZero reports whether no source is set.
func (s SecretRef) isZero() bool { return s.File == "" && s.Env == "" }

// String describes the source, never the secret: "file /path", "env NAME".
func (s SecretRef) String() string {
	switch {
	case s.File != "" && s.Env != "":
		return fmt.Sprintf("file %s or env %s", s.File, s.Env)
	case s.File != "":
		return "file " + s.File
	case s.Env != "":
		return "env " + s.Env
	}
	return "none"
}

// LogValue logs the source, never the secret.
func (s SecretRef) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Read returns the secret with trailing newlines removed (files mounted
// from Kubernetes Secrets often end in one). File wins when both are set.
// It is an error if the source is missing or the secret is empty; the
// error names the source but never contains the secret.
func (s SecretRef) Read() ([]byte, error) {
	var b []byte
	switch {
	case s.File != "":
		var err error
		if b, err = os.ReadFile(s.File); err != nil {
			return nil, fmt.Errorf("reading secret: %w", err)
		}
	case s.Env != "":
		v, ok := os.LookupEnv(s.Env)
		if !ok {
			return nil, fmt.Errorf("reading secret: environment variable %s is not set", s.Env)
		}
		b = []byte(v)
	default:
		return nil, errNoSecret
	}
	b = bytes.TrimRight(b, "\r\n")
	if len(b) == 0 {
		return nil, fmt.Errorf("reading secret from %s: it is empty", s)
	}
	return b, nil
}

// reader returns a func that reads the secret each time it is called, or
// nil when s is empty.
func (s SecretRef) reader() func() (string, error) {
	if s.isZero() {
		return nil
	}
	return s.ReadString
}

// readString is Read returning a string.
func (s SecretRef) ReadString() (string, error) {
	b, err := s.Read()
	return string(b), err
}
