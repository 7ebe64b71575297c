package registry

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ChartVersion is one version of a Helm chart.
type ChartVersion struct {
	// Version is the chart's SemVer version, with "+" (an OCI tag's "_"
	// mapped back, as Helm does).
	Version string
	// Tag is the OCI tag the version was read from ("1.2.3_build.1"); it is
	// empty for a chart from an index.yaml.
	Tag string
	// Created is the index's created time of the version; zero when unknown
	// (always for OCI charts: read them with BuildTimes on the tags).
	Created time.Time
	// Digest is the index's SHA-256 of the chart archive as
	// "sha256:<hex>"; empty when unknown (always for OCI charts).
	Digest string
}

// ChartList is one listing of a chart's versions.
type ChartList struct {
	// Versions are the valid versions in the source's order (tag list or
	// index), without duplicates.
	Versions []ChartVersion
	// Dropped counts the tags or index entries whose version Helm would not
	// accept (SemVer, after mapping "_" to "+"); they are not in Versions.
	Dropped int
	// Truncated means the chart has more versions than WithMaxTags:
	// Versions holds the first ones and the error wraps ErrTruncated.
	Truncated bool
}

// ChartVersions lists the versions of a Helm chart. repository is either
// an OCI repository ("oci://ghcr.io/acme/charts") or a classic Helm
// repository ("https://charts.example.com"), and name the chart in it; for
// OCI, name may be empty when repository names the chart itself
// ("oci://ghcr.io/acme/charts/api").
//
// OCI versions are the repository's tags (ListTags), with "_" mapped back
// to "+". Classic versions come from <repository>/index.yaml: fetched with
// a conditional GET (ETag, Last-Modified), capped at WithMaxIndexSize,
// decoded as a stream, and kept compactly in the cache (all charts of the
// index), so an unchanged index costs one 304 and no parsing. Concurrent
// calls for one repository share one fetch. A chart the index lacks is an
// error wrapping ErrNotFound; more than WithMaxTags versions of a chart is
// an error wrapping ErrTruncated, with the first ones in the list.
func (s *Scanner) ChartVersions(ctx context.Context, repository, name string) (ChartList, error) {
	if rest, ok := strings.CutPrefix(repository, "oci://"); ok {
		return s.ociChartVersions(ctx, rest, name)
	}
	return s.indexChartVersions(ctx, repository, name)
}

// ociChartVersions lists the tags of an OCI chart as versions.
func (s *Scanner) ociChartVersions(ctx context.Context, repo, name string) (ChartList, error) {
	repo = strings.TrimSuffix(repo, "/")
	if name != "" {
		repo += "/" + strings.Trim(name, "/")
	}
	tl, err := s.ListTags(ctx, repo)
	l := ChartList{Dropped: tl.Dropped, Truncated: tl.Truncated}
	for _, tag := range tl.Tags {
		v, ok := ChartVersionOfTag(tag)
		if !ok {
			l.Dropped++
			continue
		}
		l.Versions = append(l.Versions, ChartVersion{Version: v, Tag: tag})
	}
	return l, err
}

// ChartVersionOfTag maps an OCI tag to the chart version Helm pushed as it
// ("1.2.3_build.1" is "1.2.3+build.1": OCI tags cannot hold "+"), and
// reports whether that is a version Helm accepts.
func ChartVersionOfTag(tag string) (string, bool) {
	v := strings.ReplaceAll(tag, "_", "+")
	return v, validChartVersion(v)
}

// ChartTag is the OCI tag Helm pushes version as: "+" becomes "_".
func ChartTag(version string) string {
	return strings.ReplaceAll(version, "+", "_")
}

// chartRepoURL checks a classic chart repository URL and returns its
// canonical form (lower-case host, no trailing slash), the cache key.
func chartRepoURL(repository string) (*url.URL, error) {
	u, err := url.Parse(repository)
	if err != nil {
		return nil, fmt.Errorf("parsing chart repository %q: %w", sanitize(repository, 200), redact(err))
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("chart repository %s: want an https://, http:// or oci:// URL", sanitize(redactText(repository), 200))
	case u.Host == "":
		return nil, fmt.Errorf("chart repository %s: no host", sanitize(redactText(repository), 200))
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("chart repository %s: credentials, query or fragment in the URL are not allowed (give credentials with WithHost)",
			sanitize(redactText(repository), 200))
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}
