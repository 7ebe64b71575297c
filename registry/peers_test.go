package registry_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

func TestTags10000Paginated(t *testing.T) {
	if testing.Short() {
		t.Skip("pushes 10,000 tags")
	}
	s := registrytest.Start(t)
	d := registrytest.Push(t, s.Repo("big/app:seed"), time.Now(), s.RemoteOptions()...)
	want := tagNames("t", 9999)
	s.SeedTags(t, "big/app", d, want[:5000]) // half straight into storage, half by PUT
	s.Tag(t, s.Repo("big/app:seed"), want[5000:])
	want = append(want, "seed")
	slices.Sort(want)

	sc := newScanner(t, s) // page size 1000
	got, err := sc.Tags(context.Background(), s.Repo("big/app"))
	if err != nil {
		t.Fatalf("Tags: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Tags mismatch (-want +got):\n%s", diff)
	}
	// ping + 10 full pages (+1 when the server links to an empty last page)
	if n := sc.Stats().Total(); n != 11 && n != 12 {
		t.Errorf("listing 10,000 tags took %d requests, want 11 or 12", n)
	}

	var logs bytes.Buffer
	capped := newScanner(t, s, registry.WithMaxTags(2500), registry.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if got, err := capped.Tags(context.Background(), s.Repo("big/app")); !errors.Is(err, registry.ErrTruncated) || got != nil {
		t.Fatalf("Tags with cap = %d tags, %v; want none and ErrTruncated", len(got), err)
	}
	l, err := capped.ListTags(context.Background(), s.Repo("big/app"))
	if !errors.Is(err, registry.ErrTruncated) || !strings.Contains(err.Error(), s.Host) || !strings.Contains(err.Error(), "big/app") {
		t.Errorf("ListTags with cap: error %v, want ErrTruncated naming registry and repository", err)
	}
	if diff := cmp.Diff(registry.TagList{Tags: want[:2500], Truncated: true}, l); diff != "" {
		t.Errorf("capped ListTags mismatch (-want +got):\n%s", diff)
	}
	if _, _, ok := capped.CachedTags(s.Repo("big/app")); ok {
		t.Error("a truncated list was cached")
	}
	if !strings.Contains(logs.String(), "level=WARN msg=\"tag limit reached\"") {
		t.Errorf("no warning about the tag cap in logs:\n%s", logs.String())
	}
}

// TestDistribution28Peer lists tags from Debian's docker-registry, which
// ignores n and returns tags unsorted.
func TestDistribution28Peer(t *testing.T) {
	s := registrytest.Start(t, registrytest.WithBinary("docker-registry"), registrytest.WithHtpasswd("bob", "b0b-pass"))
	registrytest.Push(t, s.Repo("old/app:seed"), time.Now(), s.RemoteOptions()...)
	want := tagNames("x", 30)
	registrytest.Tag(t, s.Repo("old/app:seed"), want, s.RemoteOptions()...)
	want = append(want, "seed")
	slices.Sort(want)

	for _, pageSize := range []int{10, 31, 1000} {
		sc := newScanner(t, s, registry.WithPageSize(pageSize))
		got, err := sc.Tags(context.Background(), s.Repo("old/app"))
		if err != nil {
			t.Fatalf("Tags(page %d): %v", pageSize, err)
		}
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Tags(page %d) mismatch (-want +got):\n%s", pageSize, diff)
		}
	}
	sc := newScanner(t, s)
	d, err := sc.Digest(context.Background(), s.Repo("old/app"), "x00007", "")
	if err != nil || !strings.HasPrefix(d, "sha256:") {
		t.Errorf("Digest = %q, %v", d, err)
	}
}

// TestInProcessRegistryNoLink uses go-containerregistry's registry, which
// honours n and last but sends no Link header.
func TestInProcessRegistryNoLink(t *testing.T) {
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	s := &registrytest.Server{Host: host}
	registrytest.Push(t, host+"/inproc/app:seed", time.Now())
	want := append(tagNames("p", 24), "seed")
	registrytest.Tag(t, host+"/inproc/app:seed", want[:24])
	slices.Sort(want)

	sc := newScanner(t, s, registry.WithPageSize(5))
	got, err := sc.Tags(context.Background(), host+"/inproc/app")
	if err != nil {
		t.Fatalf("Tags: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Tags mismatch (-want +got):\n%s", diff)
	}
}

// TestTagsSharedConcurrentCalls checks concurrent Tags calls for one
// repository make one listing.
func TestTagsSharedConcurrentCalls(t *testing.T) {
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	registrytest.Push(t, host+"/shared/app:1", time.Now())
	sc := newScanner(t, &registrytest.Server{Host: host})
	if _, err := sc.Tags(context.Background(), host+"/shared/app"); err != nil {
		t.Fatal(err) // warm up: ping
	}
	before := sc.Stats().TagLists
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 20 {
		wg.Go(func() {
			<-start
			if _, err := sc.Tags(context.Background(), host+"/shared/app"); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := sc.Stats().TagLists - before; n < 1 || n > 20 {
		t.Fatalf("TagLists grew by %d", n)
	}
	t.Logf("20 concurrent Tags calls made %d listings", sc.Stats().TagLists-before)
}
