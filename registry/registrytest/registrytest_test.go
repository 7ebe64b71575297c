package registrytest

import (
	"runtime"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestStartPushTag(t *testing.T) {
	for tcName, opts := range map[string][]Option{
		"plain":        nil,
		"tls+htpasswd": {WithTLS(), WithHtpasswd("alice", "s3cret")},
		"mtls":         {WithClientCert()},
	} {
		t.Run(tcName, func(t *testing.T) {
			s := Start(t, opts...)
			created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
			d := Push(t, s.Repo("app/api:1.0.0"), created, s.RemoteOptions()...)
			Tag(t, s.Repo("app/api:1.0.0"), []string{"a", "b", "c"}, s.RemoteOptions()...)
			repo, err := name.NewRepository(s.Repo("app/api"))
			if err != nil {
				t.Fatal(err)
			}
			tags, err := remote.List(repo, s.RemoteOptions()...)
			if err != nil {
				t.Fatalf("listing: %v", err)
			}
			if len(tags) != 4 {
				t.Errorf("got tags %v, want 4", tags)
			}
			desc, err := remote.Head(repo.Tag("b"), s.RemoteOptions()...)
			if err != nil {
				t.Fatalf("head: %v", err)
			}
			if desc.Digest != d {
				t.Errorf("tag b digest %s, want %s", desc.Digest, d)
			}
		})
	}
}

func TestSeedTagsServedByRegistry(t *testing.T) {
	s := Start(t)
	d := Push(t, s.Repo("seed/app:orig"), time.Now(), s.RemoteOptions()...)
	s.SeedTags(t, "seed/app", d, []string{"s1", "s2"})
	repo, err := name.NewRepository(s.Repo("seed/app"))
	if err != nil {
		t.Fatal(err)
	}
	tags, err := remote.List(repo, s.RemoteOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 3 {
		t.Errorf("tags %v, want orig, s1, s2", tags)
	}
	desc, err := remote.Head(repo.Tag("s2"), s.RemoteOptions()...)
	if err != nil || desc.Digest != d {
		t.Errorf("seeded tag resolves to %v, %v; want %s", desc, err, d)
	}
}

// recordTB records whether Start skipped or failed, stopping like testing does.
type recordTB struct {
	testing.TB
	skipped, failed bool
}

func (r *recordTB) Skipf(string, ...any)  { r.skipped = true; runtime.Goexit() }
func (r *recordTB) Fatalf(string, ...any) { r.failed = true; runtime.Goexit() }
func (r *recordTB) Helper()               {}

func TestStartMissingBinary(t *testing.T) {
	for ci, wantFail := range map[string]bool{"": false, "true": true} {
		t.Setenv("CI", ci)
		rec := &recordTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			Start(rec, WithBinary("no-such-registry-binary"))
		}()
		<-done
		if rec.failed != wantFail || rec.skipped == wantFail {
			t.Errorf("CI=%q: failed=%v skipped=%v, want failed=%v", ci, rec.failed, rec.skipped, wantFail)
		}
	}
}
