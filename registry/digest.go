package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// manifestAccept is every manifest media type we understand.
var manifestAccept = strings.Join([]string{
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
}, ", ")

// isManifestMediaType tells a manifest media type from a missing or generic one.
func isManifestMediaType(mediaType string) bool {
	return strings.HasPrefix(mediaType, "application/vnd.") && strings.Contains(mediaType, "json")
}

func isIndex(mediaType string) bool {
	return strings.Contains(mediaType, "image.index") || strings.Contains(mediaType, "manifest.list")
}

// Digest returns the digest of repo:tag with one HEAD request. With platform
// "" it is the digest of what the tag points at (the index of a multi-arch
// image); with a platform ("linux/arm64", "linux/arm/v7") it is the digest of
// that platform's manifest. A tag pointing at a single image returns that
// image's digest whatever the platform. The platforms of an index are read
// once per index digest and cached.
func (s *Scanner) Digest(ctx context.Context, repo, tag, platform string) (string, error) {
	h, r, err := s.client(repo)
	if err != nil {
		return "", err
	}
	d, mediaType, err := s.head(ctx, h, r.RepositoryStr(), tag)
	if err != nil {
		return "", fmt.Errorf("resolving digest of %s:%s: %w", r.Name(), tag, err)
	}
	if platform == "" || (isManifestMediaType(mediaType) && !isIndex(mediaType)) {
		return d, nil // with no or an odd Content-Type, look inside to tell
	}
	if child, ok := s.store.PlatformDigest(d, platform); ok {
		return child, nil
	}
	child, err := s.platformDigest(ctx, h, r.RepositoryStr(), d, platform)
	if err != nil {
		return "", fmt.Errorf("resolving %s digest of %s:%s: %w", platform, r.Name(), tag, err)
	}
	if err := s.store.PutPlatformDigest(d, platform, child); err != nil {
		s.log.Warn("caching platform digest failed", "repository", r.Name(), "error", err)
	}
	return child, nil
}

// head returns the digest and media type of a manifest.
func (s *Scanner) head(ctx context.Context, h *hostClient, repo, ref string) (string, string, error) {
	rt, err := h.transportFor(ctx, repo)
	if err != nil {
		return "", "", err
	}
	resp, err := h.do(ctx, rt, repo, http.MethodHead, "manifests/"+ref, nil, manifestAccept)
	if err != nil {
		return "", "", err
	}
	drain(resp.Body)
	d := resp.Header.Get("Docker-Content-Digest")
	if _, err := v1.NewHash(d); err == nil {
		return d, resp.Header.Get("Content-Type"), nil
	}
	m, err := s.manifest(ctx, h, rt, repo, ref) // the registry sent no digest
	if err != nil {
		return "", "", err
	}
	return m.digest, m.mediaType, nil
}

// rawManifest is a fetched manifest (image or index).
type rawManifest struct {
	digest    string
	mediaType string
	body      []byte
}

// manifest GETs a manifest by tag or digest.
func (s *Scanner) manifest(ctx context.Context, h *hostClient, rt http.RoundTripper, repo, ref string) (*rawManifest, error) {
	resp, err := h.do(ctx, rt, repo, http.MethodGet, "manifests/"+ref, nil, manifestAccept)
	if err != nil {
		return nil, err
	}
	mediaType := resp.Header.Get("Content-Type")
	body, err := readAll(resp, 4<<20)
	if err != nil {
		return nil, fmt.Errorf("registry %s repository %s: reading manifest %s: %w", h.host, repo, ref, redact(err))
	}
	var mt struct {
		MediaType string `json:"mediaType"`
	}
	if json.Unmarshal(body, &mt) == nil && mt.MediaType != "" {
		mediaType = mt.MediaType // the body says what it is; headers may not
	}
	sum := sha256.Sum256(body)
	d := "sha256:" + hex.EncodeToString(sum[:])
	if strings.HasPrefix(ref, "sha256:") && ref != d {
		return nil, fmt.Errorf("registry %s repository %s: manifest %s has digest %s", h.host, repo, ref, d)
	}
	return &rawManifest{digest: d, mediaType: mediaType, body: body}, nil
}

// platformDigest reads the index d and picks the manifest of platform.
func (s *Scanner) platformDigest(ctx context.Context, h *hostClient, repo, d, platform string) (string, error) {
	want, err := v1.ParsePlatform(platform)
	if err != nil {
		return "", fmt.Errorf("parsing platform %q: %w", platform, err)
	}
	rt, err := h.transportFor(ctx, repo)
	if err != nil {
		return "", err
	}
	m, err := s.manifest(ctx, h, rt, repo, d)
	if err != nil {
		return "", err
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(m.body, &idx); err != nil {
		return "", fmt.Errorf("registry %s repository %s: decoding index %s: %w", h.host, repo, d, err)
	}
	if len(idx.Manifests) == 0 && !isIndex(string(idx.MediaType)) {
		return d, nil // a single image: its digest whatever the platform
	}
	for _, desc := range idx.Manifests {
		if desc.Platform != nil && desc.Platform.Satisfies(*want) {
			return desc.Digest.String(), nil
		}
	}
	return "", fmt.Errorf("registry %s repository %s: index %s has no platform %s: %w", h.host, repo, d, platform, ErrNotFound)
}
