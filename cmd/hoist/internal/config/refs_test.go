package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckReferences(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key"), []byte("k3y-content"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "ca.d"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOIST_TEST_SET", "v4lue")
	t.Setenv("HOIST_TEST_EMPTY", "")
	doc := head + `  - url: ssh://git@h/a/b
    auth:
      sshKeyFile: key
      knownHostsFile: missing
registries:
  - host: h
    caFile: ca.d
    auth: {usernameEnv: HOIST_TEST_SET, passwordEnv: HOIST_TEST_EMPTY}
webhooks:
  - kind: generic
    secretEnv: HOIST_TEST_UNSET
`
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(cfgPath)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []string{
		cfgPath + ":7: repositories[0].auth.knownHostsFile: file " + filepath.Join(dir, "missing") + ": no such file or directory",
		cfgPath + ":10: registries[0].caFile: file " + filepath.Join(dir, "ca.d") + ": not a regular file",
		cfgPath + ":11: registries[0].auth.passwordEnv: environment variable HOIST_TEST_EMPTY is not set or empty",
		cfgPath + ":14: webhooks[0].secretEnv: environment variable HOIST_TEST_UNSET is not set or empty",
	}
	if diff := cmp.Diff(want, errLines(c.CheckReferences())); diff != "" {
		t.Errorf("CheckReferences() mismatch (-want +got):\n%s", diff)
	}
}

func TestEnvNamesChecked(t *testing.T) {
	c := Config{Repositories: []Repository{{URL: "https://h/a", Auth: GitAuth{Username: "u", PasswordEnv: "pa ss"}}}}
	c.setDefaults()
	want := []string{"repositories[0].auth.passwordEnv: must be the name of an environment variable (letters, digits and '_'), not the secret"}
	if diff := cmp.Diff(want, errLines(c.validate())); diff != "" {
		t.Errorf("validate() mismatch (-want +got):\n%s", diff)
	}
}
