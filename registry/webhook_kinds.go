package registry

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// parseDistribution reads a CNCF distribution notification envelope.
func parseDistribution(r *http.Request, body, secret []byte) ([]Event, error) {
	if err := checkHeader(r, secret); err != nil {
		return nil, err
	}
	var env struct {
		Events []struct {
			Action string
			Target struct {
				MediaType, Repository, Tag, URL string
			}
			Request struct{ Host string }
		}
	}
	if err := decode(body, &env); err != nil {
		return nil, err
	}
	var out []Event
	for _, e := range env.Events {
		t := e.Target
		if e.Action != "push" || t.Repository == "" || !isManifestType(t.MediaType) {
			continue
		}
		host := e.Request.Host
		if u, err := url.Parse(t.URL); err == nil && u.Host != "" {
			host = u.Host
		}
		if host == "" {
			return nil, fmt.Errorf("%w: event for %s names no registry host", ErrMalformed, t.Repository)
		}
		ev, err := event(host+"/"+t.Repository, t.Tag)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// isManifestType tells manifests from blobs ("" when the registry omits it).
func isManifestType(mt string) bool {
	return mt == "" || strings.Contains(mt, "manifest") || strings.Contains(mt, "index")
}

// parseDockerHub reads a Docker Hub repository webhook.
func parseDockerHub(r *http.Request, body, secret []byte) ([]Event, error) {
	if err := checkPathSecret(r, secret); err != nil {
		return nil, err
	}
	var p struct {
		PushData   struct{ Tag string } `json:"push_data"`
		Repository struct {
			RepoName string `json:"repo_name"`
		}
	}
	if err := decode(body, &p); err != nil {
		return nil, err
	}
	if p.Repository.RepoName == "" {
		return nil, fmt.Errorf("%w: no repository.repo_name", ErrMalformed)
	}
	ev, err := event(name.DefaultRegistry+"/"+p.Repository.RepoName, p.PushData.Tag)
	if err != nil {
		return nil, err
	}
	return []Event{ev}, nil
}

// parseQuay reads a Quay repository push notification.
func parseQuay(r *http.Request, body, secret []byte) ([]Event, error) {
	if err := checkPathSecret(r, secret); err != nil {
		return nil, err
	}
	var p struct {
		DockerURL   string   `json:"docker_url"`
		UpdatedTags []string `json:"updated_tags"`
	}
	if err := decode(body, &p); err != nil {
		return nil, err
	}
	if p.DockerURL == "" {
		return nil, fmt.Errorf("%w: no docker_url", ErrMalformed)
	}
	return eventsForTags(p.DockerURL, p.UpdatedTags)
}

func eventsForTags(repo string, tags []string) ([]Event, error) {
	if len(tags) == 0 {
		tags = []string{""}
	}
	out := make([]Event, 0, len(tags))
	for _, t := range tags {
		ev, err := event(repo, t)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// parseGitHub reads a GitHub package or registry_package event.
func parseGitHub(r *http.Request, body, secret []byte) ([]Event, error) {
	if err := checkHMAC(r.Header.Get("X-Hub-Signature-256"), body, secret); err != nil {
		return nil, err
	}
	if r.Header.Get("X-GitHub-Event") == "ping" {
		return nil, nil
	}
	type pkg struct {
		Name, Namespace string
		PackageType     string `json:"package_type"`
		PackageVersion  struct {
			PackageURL        string `json:"package_url"`
			ContainerMetadata struct {
				Tag struct{ Name string }
			} `json:"container_metadata"`
		} `json:"package_version"`
	}
	var p struct {
		Action          string
		Package         *pkg
		RegistryPackage *pkg `json:"registry_package"`
	}
	if err := decode(body, &p); err != nil {
		return nil, err
	}
	pk := p.Package
	if pk == nil {
		pk = p.RegistryPackage
	}
	if pk == nil {
		return nil, fmt.Errorf("%w: no package", ErrMalformed)
	}
	if !strings.EqualFold(pk.PackageType, "container") || (p.Action != "published" && p.Action != "updated") {
		return nil, nil
	}
	return githubEvent(pk.Namespace, pk.Name, pk.PackageVersion.PackageURL, pk.PackageVersion.ContainerMetadata.Tag.Name)
}

func githubEvent(namespace, pkgName, pkgURL, tag string) ([]Event, error) {
	repo := "ghcr.io/" + namespace + "/" + pkgName
	if pkgURL != "" {
		ref, err := name.ParseReference(pkgURL)
		if err != nil {
			return nil, fmt.Errorf("%w: package_url: %w", ErrMalformed, err)
		}
		repo = ref.Context().Name()
	} else if namespace == "" || pkgName == "" {
		return nil, fmt.Errorf("%w: package has no name", ErrMalformed)
	}
	ev, err := event(strings.ToLower(repo), tag)
	if err != nil {
		return nil, err
	}
	return []Event{ev}, nil
}

// parseHarbor reads a Harbor PUSH_ARTIFACT webhook.
func parseHarbor(r *http.Request, body, secret []byte) ([]Event, error) {
	if err := checkHeader(r, secret); err != nil {
		return nil, err
	}
	var p struct {
		Type      string
		EventData struct {
			Resources []struct {
				Tag         string
				ResourceURL string `json:"resource_url"`
			}
		} `json:"event_data"`
	}
	if err := decode(body, &p); err != nil {
		return nil, err
	}
	if p.Type != "PUSH_ARTIFACT" && p.Type != "pushImage" {
		return nil, nil
	}
	var out []Event
	for _, res := range p.EventData.Resources {
		ref, err := name.ParseReference(res.ResourceURL)
		if err != nil {
			return nil, fmt.Errorf("%w: resource_url: %w", ErrMalformed, err)
		}
		ev, err := event(ref.Context().Name(), res.Tag)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// parseGeneric reads {"image": "host/repo", "tag": "..."} signed with HMAC.
func parseGeneric(r *http.Request, body, secret []byte) ([]Event, error) {
	sig := r.Header.Get("X-Hoist-Signature-256")
	if sig == "" {
		sig = r.Header.Get("X-Hub-Signature-256")
	}
	if err := checkHMAC(sig, body, secret); err != nil {
		return nil, err
	}
	var p struct{ Image, Tag string }
	if err := decode(body, &p); err != nil {
		return nil, err
	}
	if p.Image == "" {
		return nil, fmt.Errorf("%w: no image", ErrMalformed)
	}
	ev, err := event(p.Image, p.Tag)
	if err != nil {
		return nil, err
	}
	return []Event{ev}, nil
}
