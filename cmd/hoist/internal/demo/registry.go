package demo

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Registry is an in-process OCI registry on a random 127.0.0.1 port.
type Registry struct {
	srv *httptest.Server
}

// StartRegistry starts the registry; Close stops it.
func StartRegistry() *Registry {
	return &Registry{srv: httptest.NewServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))}
}

// Host is the registry's host:port.
func (r *Registry) Host() string {
	return strings.TrimPrefix(r.srv.URL, "http://")
}

// Close stops the registry.
func (r *Registry) Close() { r.srv.Close() }

// Push writes a small random image to repo (a path on this registry) under
// each of the tags.
func (r *Registry) Push(ctx context.Context, repo string, tags ...string) error {
	for _, t := range tags {
		ref, err := name.NewTag(r.Host()+"/"+repo+":"+t, name.Insecure)
		if err != nil {
			return fmt.Errorf("parsing tag %q: %w", t, err)
		}
		img, err := random.Image(512, 1)
		if err != nil {
			return fmt.Errorf("making image: %w", err)
		}
		if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
			return fmt.Errorf("pushing %s: %w", ref, err)
		}
	}
	return nil
}
