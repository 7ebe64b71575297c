package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrTruncated is wrapped by the error of a tag listing cut at WithMaxTags:
// the repository has more tags than were read, so a pick from them is not
// a pick from all of them.
var ErrTruncated = errors.New("tag list truncated")

// TagList is one listing of a repository's tags.
type TagList struct {
	// Tags are the valid tags, in the registry's order, without duplicates.
	Tags []string
	// Dropped counts the names the registry sent that are not valid OCI
	// tags (^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$); they are not in Tags.
	Dropped int
	// Truncated means the repository has more tags than WithMaxTags: Tags
	// holds the first ones and the error wraps ErrTruncated.
	Truncated bool
}

// Tags lists the tags of repo ("host/path", or a Docker Hub short name such
// as "nginx"), following pagination. Names that are not valid OCI tags are
// dropped (ListTags counts them). A repository with more tags than
// WithMaxTags is an error wrapping ErrTruncated and no tags, so a partial
// list is never taken for the whole. Concurrent calls for the same
// repository share one listing. The list is kept in the cache.
func (s *Scanner) Tags(ctx context.Context, repo string) ([]string, error) {
	l, err := s.ListTags(ctx, repo)
	if err != nil {
		return nil, err
	}
	return l.Tags, nil
}

// ListTags is Tags with what was left out: the count of dropped invalid
// names, and on truncation the tags read so far with Truncated set (and an
// error wrapping ErrTruncated). A truncated list is not cached.
func (s *Scanner) ListTags(ctx context.Context, repo string) (TagList, error) {
	h, r, err := s.client(repo)
	if err != nil {
		return TagList{}, err
	}
	v, err, shared := s.lists.Do(r.Name(), func() (any, error) {
		l, err := s.listTags(ctx, h, r.RepositoryStr())
		if err != nil {
			return l, fmt.Errorf("listing tags of %s: %w", r.Name(), err)
		}
		s.stats.update(func(st *Stats) { st.TagLists++ })
		if err := s.store.PutTags(r.Name(), l.Tags, time.Now()); err != nil {
			s.log.Warn("caching tags failed", "repository", r.Name(), "error", err)
		}
		return l, nil
	})
	l, _ := v.(TagList)
	if shared { // each caller may change its own list; the store keeps a copy or bytes
		l.Tags = slices.Clone(l.Tags)
	}
	return l, err
}

// CachedTags returns the tags of repo from the last successful Tags call
// (in this process, or an earlier one with the same WithCache file) and
// when they were listed. Names that are not valid tags (cached by an older
// version) are left out.
func (s *Scanner) CachedTags(repo string) ([]string, time.Time, bool) {
	r, err := parseRepo(repo)
	if err != nil {
		return nil, time.Time{}, false
	}
	tags, at, ok := s.store.Tags(r.Name())
	return slices.DeleteFunc(tags, func(t string) bool { return !ValidTag(t) }), at, ok
}

// listTags reads every page of repo's tag list, keeping valid tags up to
// the limit.
func (s *Scanner) listTags(ctx context.Context, h *hostClient, repo string) (TagList, error) {
	rt, err := h.transportFor(ctx, repo)
	if err != nil {
		return TagList{}, err
	}
	n := min(s.o.pageSize, s.o.maxTags)
	next := (&url.URL{Scheme: h.urlScheme(), Host: h.host, Path: "/v2/" + repo + "/tags/list",
		RawQuery: url.Values{"n": {strconv.Itoa(n)}}.Encode()}).String()
	c := newTagCollector(s.o.maxTags)
	defer s.logDropped(h, repo, c)
	for next != "" {
		page, link, err := s.page(ctx, h, rt, repo, next, c)
		if err != nil {
			return c.list(), err
		}
		if c.truncated {
			s.log.Warn("tag limit reached", "registry", h.host, "repository", repo, "limit", s.o.maxTags)
			return c.list(), fmt.Errorf("registry %s repository %s: more than %d tags: %w", h.host, repo, s.o.maxTags, ErrTruncated)
		}
		if page.added == 0 {
			break // a server that ignores n and last would repeat itself
		}
		next, err = nextPage(h, repo, next, link, page, n)
		if err != nil {
			return c.list(), err
		}
	}
	return c.list(), nil
}

// logDropped warns once per listing about names that are not valid tags.
func (s *Scanner) logDropped(h *hostClient, repo string, c *tagCollector) {
	if c.dropped > 0 {
		s.log.Warn("dropped invalid tag names", "registry", h.host, "repository", repo,
			"dropped", c.dropped, "example", fmt.Sprintf("%q", c.example))
	}
}

// page reads one page of a tag list into c.
func (s *Scanner) page(ctx context.Context, h *hostClient, rt http.RoundTripper, repo, u string, c *tagCollector) (pageResult, string, error) {
	resp, err := h.doURL(ctx, rt, repo, http.MethodGet, u, "application/json", true)
	if err != nil {
		return pageResult{}, "", err
	}
	defer drain(resp.Body)
	body := &limitedReader{r: resp.Body, n: maxPageBytes + 1}
	page, err := decodePage(body, c)
	if body.hit {
		return page, "", fmt.Errorf("registry %s repository %s: reading tag list: page larger than %d bytes", h.host, repo, maxPageBytes)
	}
	if err != nil {
		return page, "", fmt.Errorf("registry %s repository %s: decoding tag list: %w", h.host, repo, redact(err))
	}
	return page, resp.Header.Get("Link"), nil
}

// maxPageBytes caps one page of a tag list.
const maxPageBytes = 64 << 20

// limitedReader fails, and sets hit, once n bytes were read.
type limitedReader struct {
	r   io.Reader
	n   int64
	hit bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.hit {
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	if l.n -= int64(n); l.n <= 0 {
		l.hit = true
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// nextPage is the URL of the page after cur: the Link header's, or (for
// registries that honour n and last but send no Link) one built from the
// last tag when the page was full. "" means no more pages.
func nextPage(h *hostClient, repo, cur, link string, page pageResult, n int) (string, error) {
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
		u.Scheme = h.urlScheme()
		return u.String(), nil
	}
	if page.names != n {
		return "", nil
	}
	q := base.Query()
	q.Set("last", page.last)
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
