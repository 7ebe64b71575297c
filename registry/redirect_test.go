package registry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/registry"
)

// TestRedirectToAnotherHost: a tag list or manifest redirected to a second
// server is refused before that server is asked; a config blob redirected
// to a CDN is followed.
func TestRedirectToAnotherHost(t *testing.T) {
	config := `{"created":"2024-01-02T03:04:05Z"}`
	sum := sha256.Sum256([]byte(config))
	configDigest := "sha256:" + hex.EncodeToString(sum[:])
	var cdnHits atomic.Int64
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cdnHits.Add(1)
		switch {
		case strings.HasSuffix(r.URL.Path, "/tags/list"):
			fmt.Fprint(w, `{"tags":["6.6.6"]}`)
		case strings.Contains(r.URL.Path, "/blobs/"):
			fmt.Fprint(w, config)
		default:
			w.Header().Set("Docker-Content-Digest", configDigest)
		}
	}))
	t.Cleanup(cdn.Close)
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":%d},"layers":[]}`, configDigest, len(config))
	srv, _ := fakeRegistry(t, false, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v2/same/tags/list" && r.URL.Query().Get("moved") == "":
			http.Redirect(w, r, r.URL.Path+"?moved=1", http.StatusFound)
		case r.URL.Path == "/v2/same/tags/list":
			fmt.Fprint(w, `{"tags":["1.0.0"]}`)
		case r.URL.Path == "/v2/ok/manifests/1":
			w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
			fmt.Fprint(w, manifest)
		default: // tags/list, manifests and blobs of the other repositories
			http.Redirect(w, r, cdn.URL+r.URL.Path, http.StatusFound)
		}
	})
	host := hostOf(srv)
	sc := plainScanner(t)
	ctx := context.Background()

	if _, err := sc.Tags(ctx, host+"/moved"); !errors.Is(err, registry.ErrRedirect) {
		t.Errorf("Tags redirected to another host: error %v, want ErrRedirect", err)
	}
	if _, err := sc.Digest(ctx, host+"/moved", "1", ""); !errors.Is(err, registry.ErrRedirect) {
		t.Errorf("Digest redirected to another host: error %v, want ErrRedirect", err)
	}
	if n := cdnHits.Load(); n != 0 {
		t.Errorf("the other host got %d requests for tag lists and manifests, want 0", n)
	}
	if got, err := sc.Tags(ctx, host+"/same"); err != nil || len(got) != 1 || got[0] != "1.0.0" {
		t.Errorf("Tags redirected on the same host = %v, %v; want [1.0.0]", got, err)
	}
	times, err := sc.BuildTimes(ctx, host+"/ok", []string{"1"})
	want := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if err != nil || !times["1"].Equal(want) {
		t.Errorf("BuildTimes with a config blob on a CDN = %v, %v; want %s", times, err, want)
	}
}
