package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Tags lists the tags of repo ("host/path", or a Docker Hub short name such
// as "nginx"), following pagination up to WithMaxTags. Concurrent calls for
// the same repository share one listing. The list is kept in the cache.
func (s *Scanner) Tags(ctx context.Context, repo string) ([]string, error) {
	h, r, err := s.client(repo)
	if err != nil {
		return nil, err
	}
	v, err, _ := s.lists.Do(r.Name(), func() (any, error) {
		tags, err := s.listTags(ctx, h, r.RepositoryStr())
		if err != nil {
			return nil, fmt.Errorf("listing tags of %s: %w", r.Name(), err)
		}
		s.stats.update(func(st *Stats) { st.TagLists++ })
		if err := s.store.PutTags(r.Name(), tags, time.Now()); err != nil {
			s.log.Warn("caching tags failed", "repository", r.Name(), "error", err)
		}
		return tags, nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Clone(v.([]string)), nil
}

// CachedTags returns the tags of repo from the last successful Tags call
// (in this process, or an earlier one with the same WithCache file) and
// when they were listed.
func (s *Scanner) CachedTags(repo string) ([]string, time.Time, bool) {
	r, err := parseRepo(repo)
	if err != nil {
		return nil, time.Time{}, false
	}
	return s.store.Tags(r.Name())
}

type tagPage struct {
	Tags []string `json:"tags"`
}

// listTags reads every page of repo's tag list.
func (s *Scanner) listTags(ctx context.Context, h *hostClient, repo string) ([]string, error) {
	rt, err := h.transportFor(ctx, repo)
	if err != nil {
		return nil, err
	}
	n := min(s.o.pageSize, s.o.maxTags)
	next := (&url.URL{Scheme: h.scheme, Host: h.host, Path: "/v2/" + repo + "/tags/list",
		RawQuery: url.Values{"n": {strconv.Itoa(n)}}.Encode()}).String()
	seen := map[string]bool{}
	var tags []string
	for next != "" {
		page, link, err := s.page(ctx, h, rt, repo, next)
		if err != nil {
			return nil, err
		}
		added := 0
		for _, t := range page {
			if !seen[t] {
				seen[t] = true
				tags = append(tags, t)
				added++
			}
		}
		if len(tags) >= s.o.maxTags {
			s.log.Warn("tag limit reached", "registry", h.host, "repository", repo, "limit", s.o.maxTags)
			return tags[:s.o.maxTags], nil
		}
		if added == 0 {
			break // a server that ignores n and last would repeat itself
		}
		next, err = nextPage(h, repo, next, link, page, n)
		if err != nil {
			return nil, err
		}
	}
	return tags, nil
}

func (s *Scanner) page(ctx context.Context, h *hostClient, rt http.RoundTripper, repo, u string) ([]string, string, error) {
	resp, err := h.doURL(ctx, rt, repo, http.MethodGet, u, "application/json")
	if err != nil {
		return nil, "", err
	}
	data, err := readAll(resp, 64<<20)
	if err != nil {
		return nil, "", fmt.Errorf("registry %s repository %s: reading tag list: %w", h.host, repo, redact(err))
	}
	var p tagPage
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, "", fmt.Errorf("registry %s repository %s: decoding tag list: %w", h.host, repo, err)
	}
	return p.Tags, resp.Header.Get("Link"), nil
}

// nextPage is the URL of the page after cur: the Link header's, or (for
// registries that honour n and last but send no Link) one built from the
// last tag when the page was full. "" means no more pages.
func nextPage(h *hostClient, repo, cur, link string, page []string, n int) (string, error) {
	base, err := url.Parse(cur)
	if err != nil {
		return "", err
	}
	if link != "" {
		ref, ok := parseLink(link)
		if !ok {
			return "", nil
		}
		u, err := base.Parse(ref)
		if err != nil || u.Host != h.host {
			return "", fmt.Errorf("registry %s repository %s: refusing pagination link to another host", h.host, repo)
		}
		u.Scheme = h.scheme
		return u.String(), nil
	}
	if len(page) != n {
		return "", nil
	}
	q := base.Query()
	q.Set("last", page[len(page)-1])
	base.RawQuery = q.Encode()
	return base.String(), nil
}

// parseLink returns the target of a Link header with rel="next".
func parseLink(link string) (string, bool) {
	for part := range strings.SplitSeq(link, ",") {
		target, params, _ := strings.Cut(part, ";")
		target = strings.TrimSpace(target)
		if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			continue
		}
		if strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="next"`) || strings.Contains(params, "rel=next") {
			return target[1 : len(target)-1], true
		}
	}
	return "", false
}
