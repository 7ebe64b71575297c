package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"
)

// createdAnnotation is the OCI annotation holding an image's build time.
const createdAnnotation = "org.opencontainers.image.created"

// BuildTimes returns the build time of each tag of repo: the
// org.opencontainers.image.created annotation, else the config's created
// time (of linux/amd64, or the first platform, for a multi-arch image).
//
// A tag whose digest is cached costs no request (tags are taken to be
// immutable once seen); a new tag costs one manifest GET; only a digest never
// seen before costs its config blob (and, for an index, a child manifest).
// Build times are cached by digest for good. On error the map still holds
// the tags that worked, and the error names each tag that did not.
func (s *Scanner) BuildTimes(ctx context.Context, repo string, tags []string) (map[string]time.Time, error) {
	h, r, err := s.client(repo)
	if err != nil {
		return nil, err
	}
	b := &buildBatch{times: map[string]time.Time{}, tagDigests: map[string]string{}, digestTimes: map[string]time.Time{}}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(h.cfg.MaxConcurrent)
	var errs []error
	var errMu sync.Mutex // protects errs
	for _, tag := range tags {
		g.Go(func() error {
			if err := s.buildTime(gctx, h, r.Name(), r.RepositoryStr(), tag, b); err != nil {
				errMu.Lock()
				errs = append(errs, fmt.Errorf("build time of %s:%s: %w", r.Name(), tag, err))
				errMu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := s.store.PutBuild(r.Name(), b.tagDigests, b.digestTimes); err != nil {
		s.log.Warn("caching build times failed", "repository", r.Name(), "error", err)
	}
	return b.times, errors.Join(errs...)
}

// buildBatch collects the results of one BuildTimes call.
type buildBatch struct {
	mu          sync.Mutex // protects the maps
	times       map[string]time.Time
	tagDigests  map[string]string
	digestTimes map[string]time.Time
	fetches     singleflight.Group // one fetch per new digest
}

func (b *buildBatch) add(tag, digest string, t time.Time, fetched bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.times[tag] = t
	b.tagDigests[tag] = digest
	if fetched {
		b.digestTimes[digest] = t
	}
}

// fetched returns the build time of digest if this call already fetched it.
func (b *buildBatch) fetched(digest string) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.digestTimes[digest]
	return t, ok
}

func (s *Scanner) buildTime(ctx context.Context, h *hostClient, key, repo, tag string, b *buildBatch) error {
	if d, ok := s.store.TagDigest(key, tag); ok {
		if t, ok := s.store.BuildTime(d); ok {
			s.stats.update(func(st *Stats) { st.BuildTimeHits++ })
			b.add(tag, d, t, false)
			return nil
		}
	}
	rt, err := h.transportFor(ctx, repo)
	if err != nil {
		return err
	}
	m, err := s.manifest(ctx, h, rt, repo, tag)
	if err != nil {
		return err
	}
	if t, ok := s.store.BuildTime(m.digest); ok {
		s.stats.update(func(st *Stats) { st.BuildTimeHits++ })
		b.add(tag, m.digest, t, false)
		return nil
	}
	v, err, _ := b.fetches.Do(m.digest, func() (any, error) {
		if t, ok := b.fetched(m.digest); ok {
			return t, nil // another tag with this digest was done meanwhile
		}
		s.stats.update(func(st *Stats) { st.BuildTimeFetches++ })
		return s.created(ctx, h, rt, repo, m, 1)
	})
	if err != nil {
		return err
	}
	b.add(tag, m.digest, v.(time.Time), true)
	return nil
}

// manifestFields is what we read of an image manifest or index.
type manifestFields struct {
	Config      v1.Descriptor     `json:"config"`
	Manifests   []v1.Descriptor   `json:"manifests"`
	Annotations map[string]string `json:"annotations"`
}

// created finds the build time of a manifest; depth bounds index nesting.
func (s *Scanner) created(ctx context.Context, h *hostClient, rt http.RoundTripper, repo string, m *rawManifest, depth int) (time.Time, error) {
	var f manifestFields
	if err := json.Unmarshal(m.body, &f); err != nil {
		return time.Time{}, fmt.Errorf("registry %s repository %s: decoding manifest %s: %w", h.host, repo, m.digest, err)
	}
	if t, err := time.Parse(time.RFC3339, f.Annotations[createdAnnotation]); err == nil {
		return t, nil
	}
	if len(f.Manifests) > 0 || isIndex(m.mediaType) {
		child, ok := pickChild(f.Manifests)
		if !ok || depth <= 0 {
			return time.Time{}, fmt.Errorf("registry %s repository %s: index %s has no image: %w", h.host, repo, m.digest, ErrNotFound)
		}
		if t, ok := s.store.BuildTime(child); ok {
			return t, nil
		}
		cm, err := s.manifest(ctx, h, rt, repo, child)
		if err != nil {
			return time.Time{}, err
		}
		return s.created(ctx, h, rt, repo, cm, depth-1)
	}
	return s.configCreated(ctx, h, rt, repo, f.Config.Digest.String())
}

// pickChild chooses the image of an index whose build time stands for all:
// linux/amd64, else the first with a real platform.
func pickChild(ms []v1.Descriptor) (string, bool) {
	first := ""
	for _, d := range ms {
		if d.Platform == nil || d.Platform.OS == "unknown" { // attestations
			continue
		}
		if d.Platform.OS == "linux" && d.Platform.Architecture == "amd64" {
			return d.Digest.String(), true
		}
		if first == "" {
			first = d.Digest.String()
		}
	}
	if first == "" && len(ms) > 0 && ms[0].Platform == nil {
		first = ms[0].Digest.String()
	}
	return first, first != ""
}

// configCreated reads the created time of a config blob.
func (s *Scanner) configCreated(ctx context.Context, h *hostClient, rt http.RoundTripper, repo, digest string) (time.Time, error) {
	resp, err := h.do(ctx, rt, repo, http.MethodGet, "blobs/"+digest, nil, "")
	if err != nil {
		return time.Time{}, err
	}
	data, err := readAll(resp, 8<<20)
	if err != nil {
		return time.Time{}, fmt.Errorf("registry %s repository %s: reading config %s: %w", h.host, repo, digest, redact(err))
	}
	var cfg struct {
		Created time.Time `json:"created"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return time.Time{}, fmt.Errorf("registry %s repository %s: decoding config %s: %w", h.host, repo, digest, err)
	}
	return cfg.Created, nil
}
