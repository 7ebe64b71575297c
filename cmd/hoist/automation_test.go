package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
	"github.com/hoist-dev/hoist/policy"
)

func TestPushBranch(t *testing.T) {
	for _, tc := range []struct {
		branch, refspec string
		want            string // "" with wantErr
		wantErr         bool
	}{
		{branch: "auto", want: "auto"},
		{refspec: "refs/heads/main:refs/heads/auto", want: "auto"},
		{refspec: "+HEAD:refs/heads/auto", want: "auto"},
		{branch: "auto", refspec: "main:refs/heads/auto", want: "auto"},
		{branch: "other", refspec: "main:refs/heads/auto", wantErr: true},
		{refspec: "HEAD:refs/for/main", wantErr: true},
		{refspec: "refs/heads/main", wantErr: true},
		{refspec: "main:refs/tags/v1", wantErr: true},
	} {
		got, err := pushBranch(&policy.Automation{PushBranch: tc.branch, PushRefspec: tc.refspec})
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("pushBranch(%q, %q) = %q, %v; want %q (error %v)", tc.branch, tc.refspec, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestSigningKey: an automation's signing key secret is found through the
// service config's secrets, as a mounted directory or a file; unmapped, the
// automation does not run rather than push unsigned commits.
func TestSigningKey(t *testing.T) {
	mounted := t.TempDir()
	for _, f := range []string{"git.asc", "passphrase"} {
		if err := os.WriteFile(filepath.Join(mounted, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	noPass := t.TempDir()
	keyFile := filepath.Join(noPass, "key.asc")
	if err := os.WriteFile(keyFile, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &repoRunner{svc: &service{cfg: &config.Config{Secrets: map[string]string{
		"flux-system/gpg": mounted, "flux-system/file": keyFile, "flux-system/dir": noPass}}}}
	for secret, want := range map[string]config.Signing{
		"flux-system/gpg":  {OpenPGPKeyFile: filepath.Join(mounted, "git.asc"), OpenPGPPassphraseFile: filepath.Join(mounted, "passphrase")},
		"flux-system/file": {OpenPGPKeyFile: keyFile},
		"flux-system/dir":  {OpenPGPKeyFile: filepath.Join(noPass, "git.asc")},
	} {
		got, err := r.signingKey(secret)
		if err != nil {
			t.Errorf("signingKey(%s): %v", secret, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("signingKey(%s) (-want +got):\n%s", secret, diff)
		}
	}
	_, err := r.automationOptions(&policy.Automation{ID: "flux-system:a", SigningKeySecret: "flux-system/missing"})
	if err == nil || !strings.Contains(err.Error(), "signing key secret flux-system/missing is not mapped") {
		t.Errorf("an unmapped signing key: err = %v", err)
	}
}
