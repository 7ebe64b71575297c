package registrytest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// RemoteOptions returns go-containerregistry options that reach the server:
// its CA, client certificate and credentials.
func (s *Server) RemoteOptions() []remote.Option {
	var tr http.RoundTripper = s.Transport()
	opts := []remote.Option{remote.WithTransport(tr)}
	if s.Username != "" {
		opts = append(opts, remote.WithAuth(&authn.Basic{Username: s.Username, Password: s.Password}))
	}
	return opts
}

// Image returns a small random image whose config says it was built at created.
func Image(t testing.TB, created time.Time) v1.Image {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatalf("making random image: %v", err)
	}
	img, err = mutate.CreatedAt(img, v1.Time{Time: created})
	if err != nil {
		t.Fatalf("setting created time: %v", err)
	}
	return img
}

// Push writes a small random image built at created as ref ("host/repo:tag")
// and returns its manifest digest.
func Push(t testing.TB, ref string, created time.Time, opts ...remote.Option) v1.Hash {
	t.Helper()
	r := parseRef(t, ref)
	img := Image(t, created)
	if err := remote.Write(r, img, opts...); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatalf("digest of %s: %v", ref, err)
	}
	return d
}

// PushIndex writes a multi-platform index as ref, one random image built at
// created per platform ("linux/amd64", "linux/arm64/v8"). It returns the
// index digest and the manifest digest of each platform.
func PushIndex(t testing.TB, ref string, created time.Time, platforms []string, opts ...remote.Option) (v1.Hash, map[string]v1.Hash) {
	t.Helper()
	var idx v1.ImageIndex = empty.Index
	digests := make(map[string]v1.Hash, len(platforms))
	for _, p := range platforms {
		plat, err := v1.ParsePlatform(p)
		if err != nil {
			t.Fatalf("parsing platform %q: %v", p, err)
		}
		img := Image(t, created)
		d, err := img.Digest()
		if err != nil {
			t.Fatalf("digest: %v", err)
		}
		digests[p] = d
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: plat}})
	}
	if err := remote.WriteIndex(parseRef(t, ref), idx, opts...); err != nil {
		t.Fatalf("pushing index %s: %v", ref, err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatalf("index digest: %v", err)
	}
	return d, digests
}

// Tag points every tag in tags at the manifest of src ("host/repo:tag" or
// "host/repo@sha256:..."), in the same repository of s, with parallel
// manifest PUTs.
func (s *Server) Tag(t testing.TB, src string, tags []string) {
	t.Helper()
	r := parseRef(t, src)
	desc, err := remote.Get(r, s.RemoteOptions()...)
	if err != nil {
		t.Fatalf("getting %s: %v", src, err)
	}
	client := &http.Client{Transport: s.Transport(), Timeout: time.Minute}
	g := errgroup.Group{}
	g.SetLimit(32)
	for _, tag := range tags {
		g.Go(func() error { return s.putManifest(client, r.Context().RepositoryStr(), tag, desc) })
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("tagging %s: %v", src, err)
	}
}

func (s *Server) putManifest(client *http.Client, repo, tag string, desc *remote.Descriptor) error {
	u := s.URL() + "/v2/" + repo + "/manifests/" + tag
	req, err := http.NewRequest(http.MethodPut, u, bytes.NewReader(desc.Manifest))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", string(desc.MediaType))
	if s.Username != "" {
		req.SetBasicAuth(s.Username, s.Password)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("putting %s:%s: %w", repo, tag, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("putting %s:%s: status %d", repo, tag, resp.StatusCode)
	}
	return nil
}

// Tag points every tag in tags at the manifest of src, on any registry
// go-containerregistry reaches with opts (such as an in-process one).
func Tag(t testing.TB, src string, tags []string, opts ...remote.Option) {
	t.Helper()
	r := parseRef(t, src)
	desc, err := remote.Get(r, opts...)
	if err != nil {
		t.Fatalf("getting %s: %v", src, err)
	}
	pusher, err := remote.NewPusher(opts...)
	if err != nil {
		t.Fatalf("making pusher: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, tag := range tags {
		g.Go(func() error { return pusher.Push(ctx, r.Context().Tag(tag), desc) })
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("tagging %s: %v", src, err)
	}
}

func parseRef(t testing.TB, ref string) name.Reference {
	t.Helper()
	opts := []name.Option{name.WeakValidation}
	if strings.HasPrefix(ref, "127.0.0.1:") || strings.HasPrefix(ref, "localhost:") {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		t.Fatalf("parsing reference %q: %v", ref, err)
	}
	return r
}

// SeedTags points tags of repo at the manifest digest (already pushed to
// repo) by writing the registry's own filesystem layout directly, which is
// far faster than thousands of manifest PUTs. The running registry serves
// them like pushed tags; only notifications are not sent.
func (s *Server) SeedTags(t testing.TB, repo string, digest v1.Hash, tags []string) {
	t.Helper()
	base := filepath.Join(s.Dir, "docker", "registry", "v2", "repositories", filepath.FromSlash(repo), "_manifests", "tags")
	link := []byte(digest.String())
	for _, tag := range tags {
		dir := filepath.Join(base, tag)
		idx := filepath.Join(dir, "index", digest.Algorithm, digest.Hex)
		for _, d := range []string{filepath.Join(dir, "current"), idx} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatalf("seeding tag %s: %v", tag, err)
			}
			if err := os.WriteFile(filepath.Join(d, "link"), link, 0o644); err != nil {
				t.Fatalf("seeding tag %s: %v", tag, err)
			}
		}
	}
}

// PushChart pushes a Helm chart artifact (Helm's config and content media
// types; the content is not a real chart archive) as ref on the server.
func (s *Server) PushChart(t testing.TB, ref string) {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, "application/vnd.cncf.helm.config.v1+json")
	layer := static.NewLayer([]byte("not really a tgz"), "application/vnd.cncf.helm.chart.content.v1.tar+gzip")
	img, err := mutate.AppendLayers(img, layer)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(parseRef(t, ref), img, s.RemoteOptions()...); err != nil {
		t.Fatalf("pushing chart %s: %v", ref, err)
	}
}
