package registry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// secretFile writes content to a file in a temp dir and returns its path.
func secretFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// hostConfig is how a scanner reaches s.
func hostConfig(t *testing.T, s *registrytest.Server) registry.HostConfig {
	c := registry.HostConfig{Insecure: !s.TLS, CAFile: s.CAFile, CertFile: s.ClientCertFile,
		KeyFile: s.ClientKeyFile, RPS: -1}
	if s.Username != "" {
		c.UsernameFile, c.PasswordFile = secretFile(t, s.Username), secretFile(t, s.Password)
	}
	return c
}

func newScanner(t *testing.T, s *registrytest.Server, opts ...registry.Option) *registry.Scanner {
	t.Helper()
	opts = append([]registry.Option{registry.WithHost(s.Host, hostConfig(t, s))}, opts...)
	sc, err := registry.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = sc.Close() })
	return sc
}

func tagNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%05d", prefix, i)
	}
	return out
}

func TestTagsPaginatedTLSHtpasswd(t *testing.T) {
	s := registrytest.Start(t, registrytest.WithTLS(), registrytest.WithHtpasswd("alice", "pa55word"))
	registrytest.Push(t, s.Repo("team/app:seed"), time.Now(), s.RemoteOptions()...)
	want := append(tagNames("v", 24), "seed")
	registrytest.Tag(t, s.Repo("team/app:seed"), want[:24], s.RemoteOptions()...)

	slices.Sort(want)
	sc := newScanner(t, s, registry.WithPageSize(10))
	got, err := sc.Tags(context.Background(), s.Repo("team/app"))
	if err != nil {
		t.Fatalf("Tags: %v", err)
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Tags mismatch (-want +got):\n%s", diff)
	}
	// One ping (401), then 3 pages of 10: nothing else.
	wantReq := map[registry.RequestKey]int64{{Host: s.Host, Status: 401}: 1, {Host: s.Host, Status: 200}: 3}
	if diff := cmp.Diff(wantReq, sc.Stats().Requests); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
	cached, _, ok := sc.CachedTags(s.Repo("team/app"))
	slices.Sort(cached)
	if !ok || !slices.Equal(cached, want) {
		t.Errorf("CachedTags = %v, %v; want the listed tags", cached, ok)
	}
}

func TestTagsWrongPasswordNamesHostNotSecret(t *testing.T) {
	s := registrytest.Start(t, registrytest.WithTLS(), registrytest.WithHtpasswd("alice", "pa55word"))
	c := hostConfig(t, s)
	c.PasswordFile = secretFile(t, "wrong-s3cret-value")
	sc, err := registry.New(registry.WithHost(s.Host, c))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	_, err = sc.Tags(context.Background(), s.Repo("team/app"))
	if err == nil {
		t.Fatal("Tags with a wrong password succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, s.Host) || !strings.Contains(msg, "team/app") {
		t.Errorf("error %q does not name host and repository", msg)
	}
	if strings.Contains(msg, "wrong-s3cret-value") || strings.Contains(msg, "alice") {
		t.Errorf("error %q leaks credentials", msg)
	}
}

func TestTagsUntrustedCAFails(t *testing.T) {
	s := registrytest.Start(t, registrytest.WithTLS())
	sc, err := registry.New() // TLS verification on, CA unknown
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if _, err := sc.Tags(context.Background(), s.Repo("team/app")); err == nil {
		t.Fatal("Tags trusted a self-signed CA without CAFile")
	}
}

func TestDigestMultiArch(t *testing.T) {
	s := registrytest.Start(t, registrytest.WithClientCert())
	idx, plats := registrytest.PushIndex(t, s.Repo("multi/app:1.0"), time.Now(),
		[]string{"linux/amd64", "linux/arm64/v8", "linux/arm/v7"}, s.RemoteOptions()...)
	single := registrytest.Push(t, s.Repo("multi/app:single"), time.Now(), s.RemoteOptions()...)
	sc := newScanner(t, s)
	ctx := context.Background()
	for _, tc := range []struct{ tag, platform, want string }{
		{"1.0", "", idx.String()},
		{"1.0", "linux/amd64", plats["linux/amd64"].String()},
		{"1.0", "linux/arm64/v8", plats["linux/arm64/v8"].String()},
		{"1.0", "linux/arm/v7", plats["linux/arm/v7"].String()},
		{"single", "", single.String()},
		{"single", "linux/arm64", single.String()},
	} {
		got, err := sc.Digest(ctx, s.Repo("multi/app"), tc.tag, tc.platform)
		if err != nil {
			t.Errorf("Digest(%s, %q): %v", tc.tag, tc.platform, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Digest(%s, %q) = %s, want %s", tc.tag, tc.platform, got, tc.want)
		}
	}
	if _, err := sc.Digest(ctx, s.Repo("multi/app"), "1.0", "windows/amd64"); err == nil {
		t.Error("Digest of a missing platform succeeded")
	}
	if _, err := sc.Digest(ctx, s.Repo("multi/app"), "nope", ""); err == nil {
		t.Error("Digest of a missing tag succeeded")
	}
}

func TestBuildTimesCachedAcrossRestart(t *testing.T) {
	s := registrytest.Start(t)
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	want := map[string]time.Time{}
	for i, tag := range []string{"a", "b", "c"} {
		want[tag] = base.Add(time.Duration(i) * time.Hour)
		registrytest.Push(t, s.Repo("bt/app:"+tag), want[tag], s.RemoteOptions()...)
	}
	registrytest.Tag(t, s.Repo("bt/app:c"), []string{"c-alias"}, s.RemoteOptions()...)
	want["c-alias"] = want["c"]
	idxTime := base.Add(48 * time.Hour)
	registrytest.PushIndex(t, s.Repo("bt/app:multi"), idxTime, []string{"linux/arm64", "linux/amd64"}, s.RemoteOptions()...)
	want["multi"] = idxTime
	tags := []string{"a", "b", "c", "c-alias", "multi"}
	cache := filepath.Join(t.TempDir(), "cache.db")

	sc := newScanner(t, s, registry.WithCache(cache))
	got, err := sc.BuildTimes(context.Background(), s.Repo("bt/app"), tags)
	if err != nil {
		t.Fatalf("BuildTimes: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BuildTimes mismatch (-want +got):\n%s", diff)
	}
	st := sc.Stats()
	// ping + 5 tag manifests + 3 configs + (index child manifest + config); c-alias shares c's digest.
	if got := st.Total(); got != 1+5+3+2 {
		t.Errorf("first BuildTimes sent %d requests, want 11: %v", got, st.Requests)
	}
	if err := sc.Close(); err != nil {
		t.Fatal(err)
	}

	again := newScanner(t, s, registry.WithCache(cache))
	got, err = again.BuildTimes(context.Background(), s.Repo("bt/app"), tags)
	if err != nil {
		t.Fatalf("BuildTimes after restart: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BuildTimes after restart mismatch (-want +got):\n%s", diff)
	}
	if n := again.Stats().Total(); n != 0 {
		t.Errorf("BuildTimes after restart sent %d requests, want 0", n)
	}
}

func TestCacheLockedAndDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	first, err := registry.New(registry.WithCache(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := registry.New(registry.WithCache(path)); !errors.Is(err, registry.ErrCacheLocked) {
		t.Errorf("second New on a held cache: error %v, want ErrCacheLocked", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	damaged := filepath.Join(t.TempDir(), "cache.db")
	if err := os.WriteFile(damaged, bytes.Repeat([]byte("not a bbolt file "), 1024), 0o600); err != nil {
		t.Fatal(err)
	}
	sc, err := registry.New(registry.WithCache(damaged))
	if err != nil {
		t.Fatalf("New on a damaged cache: %v", err)
	}
	defer sc.Close()
	if _, err := os.Stat(damaged + ".corrupt"); err != nil {
		t.Errorf("damaged cache not kept aside: %v", err)
	}
}
