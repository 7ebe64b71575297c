package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-dev/hoist/registry"
)

// TestFakeRegistryPaginates checks the bench's registry against hoist's
// own client: every tag, in order, one request per page of 1,000, and a
// push shows up in the next listing.
func TestFakeRegistryPaginates(t *testing.T) {
	reg := newFakeRegistry(3, 4200) // 3,500, 350 and 350 tags
	srv := httptest.NewServer(reg)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	sc, err := registry.New(registry.WithHost(host, registry.HostConfig{Insecure: true, RPS: -1}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	ctx := context.Background()
	tags, err := sc.Tags(ctx, host+"/"+repoName(0))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, reg.counts[0])
	for j := range want {
		want[j] = tagName(j)
	}
	if diff := cmp.Diff(want, tags); diff != "" {
		t.Errorf("tags mismatch (-want +got):\n%s", diff)
	}
	if got, want := reg.lists.Load(), int64(4); got != want { // ⌈3500/1000⌉
		t.Errorf("tag list requests = %d, want %d", got, want)
	}
	pushed := reg.push(1)
	tags, err = sc.Tags(ctx, host+"/"+repoName(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := tags[len(tags)-1]; got != pushed {
		t.Errorf("last tag after push = %q, want %q", got, pushed)
	}
	if got, want := expectedRequests(reg), 4+1+1; got != want {
		t.Errorf("expectedRequests = %d, want %d", got, want)
	}
}
