package config

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSecretRefRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	withNewline := write("token", "s3cr3t-file\r\n")
	empty := write("empty", "\n")
	t.Setenv("HOIST_TEST_SECRET", "s3cr3t-env")
	t.Setenv("HOIST_TEST_EMPTY", "")

	tests := []struct {
		name    string
		ref     SecretRef
		want    string
		wantErr string
	}{
		{name: "file, trailing newline trimmed", ref: SecretRef{File: withNewline}, want: "s3cr3t-file"},
		{name: "env", ref: SecretRef{Env: "HOIST_TEST_SECRET"}, want: "s3cr3t-env"},
		{name: "file wins over env", ref: SecretRef{File: withNewline, Env: "HOIST_TEST_SECRET"}, want: "s3cr3t-file"},
		{name: "missing file", ref: SecretRef{File: filepath.Join(dir, "nope")}, wantErr: "reading secret: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{name: "unset env", ref: SecretRef{Env: "HOIST_TEST_UNSET"}, wantErr: "reading secret: environment variable HOIST_TEST_UNSET is not set"},
		{name: "empty file", ref: SecretRef{File: empty}, wantErr: "reading secret from file " + empty + ": it is empty"},
		{name: "empty env", ref: SecretRef{Env: "HOIST_TEST_EMPTY"}, wantErr: "reading secret from env HOIST_TEST_EMPTY: it is empty"},
		{name: "zero", ref: SecretRef{}, wantErr: errNoSecret.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.ref.ReadString()
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff([]string{tc.want, tc.wantErr}, []string{got, gotErr}); diff != "" {
				t.Errorf("%v.ReadString() mismatch (-want +got):\n%s", tc.ref, diff)
			}
		})
	}
}

func TestSecretRefReadZero(t *testing.T) {
	if _, err := (SecretRef{}).Read(); !errors.Is(err, errNoSecret) {
		t.Errorf("zero Read() error = %v, want errNoSecret", err)
	}
}

func TestSecretRefNeverLogsTheSecret(t *testing.T) {
	t.Setenv("HOIST_TEST_SECRET", "s3cr3t-env")
	ref := SecretRef{Env: "HOIST_TEST_SECRET"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("using secret", "secret", ref)
	if got := buf.String(); strings.Contains(got, "s3cr3t") || !strings.Contains(got, "secret=\"env HOIST_TEST_SECRET\"") {
		t.Errorf("log line = %q, want the source and not the secret", got)
	}
}

func TestSecretAccessors(t *testing.T) {
	got := []SecretRef{
		GitAuth{PasswordFile: "/p", TokenEnv: "T"}.password(),
		GitAuth{PasswordFile: "/p", TokenEnv: "T"}.token(),
		GitAuth{UsernameFile: "/u"}.usernameRef(),
		GitAuth{SSHPassphraseFile: "/s"}.sshPassphrase(),
		Signing{OpenPGPPassphraseFile: "/g"}.openPGPPassphrase(),
		RegistryAuth{UsernameEnv: "U", PasswordFile: "/p", TokenFile: "/t"}.usernameRef(),
		RegistryAuth{UsernameEnv: "U", PasswordFile: "/p", TokenFile: "/t"}.password(),
		RegistryAuth{UsernameEnv: "U", PasswordFile: "/p", TokenFile: "/t"}.token(),
		Webhook{SecretEnv: "H"}.Secret(),
	}
	want := []SecretRef{{File: "/p"}, {Env: "T"}, {File: "/u"}, {File: "/s"}, {File: "/g"},
		{Env: "U"}, {File: "/p"}, {File: "/t"}, {Env: "H"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accessors mismatch (-want +got):\n%s", diff)
	}
}

func TestSecretRefReader(t *testing.T) {
	if (SecretRef{}).reader() != nil {
		t.Error("reader of an empty ref is not nil")
	}
	t.Setenv("HOIST_TEST_SECRET", "one\n")
	read := SecretRef{Env: "HOIST_TEST_SECRET"}.reader()
	first, err1 := read()
	t.Setenv("HOIST_TEST_SECRET", "two")
	second, err2 := read()
	if diff := cmp.Diff([]string{"one", "two"}, []string{first, second}); diff != "" || err1 != nil || err2 != nil {
		t.Errorf("reads before and after rotation mismatch, errors %v, %v (-want +got):\n%s", err1, err2, diff)
	}
}
