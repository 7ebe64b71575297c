package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// filePath returns the path of a file holding the secret, for consumers that
// only take file paths (gitwriter.Auth, registry.HostConfig): File itself,
// or, for Env, a file named "env-<NAME>" in dir that FilePath (re)writes
// with mode 0600, creating dir with mode 0700. An empty reference returns
// "", nil. It does not check that File exists.
func (s SecretRef) filePath(dir string) (string, error) {
	switch {
	case s.File != "":
		return s.File, nil
	case s.Env == "":
		return "", nil
	case !envName().MatchString(s.Env):
		return "", fmt.Errorf("writing secret from env: %q is not an environment variable name", s.Env)
	}
	b, err := s.Read()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("writing secret from env %s: %w", s.Env, err)
	}
	dst := filepath.Join(dir, "env-"+s.Env)
	if err := writePrivate(dst, b); err != nil {
		return "", fmt.Errorf("writing secret from env %s: %w", s.Env, err)
	}
	return dst, nil
}

// writePrivate replaces dst with a 0600 file holding b.
func writePrivate(dst string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(dst), ".secret-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op after the rename
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), dst)
}
