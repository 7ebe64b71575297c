package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// fakeRegistry serves the read side of the distribution API for generated
// repositories "fleet/svc-NNNNN": the /v2/ ping, tag lists paginated as CNCF
// distribution does it (sorted, ?n=&last=, a Link header with rel="next"
// while more remain), and HEAD/GET of manifests answering a digest. Tag j of
// a repository is tagName(j), so a repository is just its tag count; pushes
// add one.
type fakeRegistry struct {
	maxPage int // the largest n served, like distribution's default 1000

	mu     sync.RWMutex // protects counts
	counts []int        // tags of repository i

	pings, lists, heads, gets, other atomic.Int64
}

// newFakeRegistry spreads tags over repos repositories: every tenth
// repository has ten times the tags of the others (a few long-lived images
// with deep histories, most with few), so the big ones take several pages.
func newFakeRegistry(repos, tags int) *fakeRegistry {
	weights := make([]int, repos)
	total := 0
	for i := range weights {
		weights[i] = 1
		if i%10 == 0 {
			weights[i] = 10
		}
		total += weights[i]
	}
	counts := make([]int, repos)
	given := 0
	for i, w := range weights {
		counts[i] = max(1, tags*w/total)
		given += counts[i]
	}
	for i := 0; given < tags; i = (i + 1) % repos { // hand out the rounding
		counts[i]++
		given++
	}
	return &fakeRegistry{maxPage: 1000, counts: counts}
}

// repoName is the path of repository i.
func repoName(i int) string { return fmt.Sprintf("fleet/svc-%05d", i) }

// tagName is tag j of every repository: "1.<minor>.<patch>" with four-digit
// fields, so the lexical order distribution sorts by is also the semver
// order, and the newest tag is the last one listed.
func tagName(j int) string { return fmt.Sprintf("1.%d.%d", 1000+j/1000, 1000+j%1000) }

// latest returns the newest tag of repository i.
func (f *fakeRegistry) latest(i int) string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return tagName(f.counts[i] - 1)
}

// push adds a tag to repository i and returns it.
func (f *fakeRegistry) push(i int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts[i]++
	return tagName(f.counts[i] - 1)
}

// totalTags returns the tags of all repositories.
func (f *fakeRegistry) totalTags() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	n := 0
	for _, c := range f.counts {
		n += c
	}
	return n
}

// requests returns the requests served so far, ping included.
func (f *fakeRegistry) requests() int64 {
	return f.pings.Load() + f.lists.Load() + f.heads.Load() + f.gets.Load() + f.other.Load()
}

// repoIndex parses "fleet/svc-NNNNN".
func (f *fakeRegistry) repoIndex(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, "fleet/svc-")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	f.mu.RLock()
	defer f.mu.RUnlock()
	return i, err == nil && i >= 0 && i < len(f.counts)
}

func (f *fakeRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/v2/" || p == "/v2":
		f.pings.Add(1)
		w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		w.WriteHeader(http.StatusOK)
	case strings.HasSuffix(p, "/tags/list") && r.Method == http.MethodGet:
		f.lists.Add(1)
		f.serveTags(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/v2/"), "/tags/list"))
	case strings.Contains(p, "/manifests/") && (r.Method == http.MethodHead || r.Method == http.MethodGet):
		if r.Method == http.MethodHead {
			f.heads.Add(1)
		} else {
			f.gets.Add(1)
		}
		name, ref, _ := strings.Cut(strings.TrimPrefix(p, "/v2/"), "/manifests/")
		f.serveManifest(w, r, name, ref)
	default:
		f.other.Add(1)
		http.NotFound(w, r)
	}
}

// serveTags answers one page of a tag list.
func (f *fakeRegistry) serveTags(w http.ResponseWriter, r *http.Request, name string) {
	i, ok := f.repoIndex(name)
	if !ok {
		writeError(w, http.StatusNotFound, "NAME_UNKNOWN")
		return
	}
	q := r.URL.Query()
	n := f.maxPage
	if s := q.Get("n"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			writeError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID")
			return
		}
		n = min(v, f.maxPage)
	}
	f.mu.RLock()
	count := f.counts[i]
	f.mu.RUnlock()
	from := 0
	if last := q.Get("last"); last != "" {
		from = sort.Search(count, func(j int) bool { return tagName(j) > last })
	}
	to := min(count, from+n)
	tags := make([]string, 0, to-from)
	for j := from; j < to; j++ {
		tags = append(tags, tagName(j))
	}
	if to < count && n > 0 {
		next := url.Values{"n": {strconv.Itoa(n)}, "last": {tags[len(tags)-1]}}
		w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?%s>; rel="next"`, name, next.Encode()))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"name": name, "tags": tags})
}

// serveManifest answers a small OCI manifest whose digest depends on the
// repository and tag.
func (f *fakeRegistry) serveManifest(w http.ResponseWriter, r *http.Request, name, ref string) {
	if _, ok := f.repoIndex(name); !ok {
		writeError(w, http.StatusNotFound, "NAME_UNKNOWN")
		return
	}
	body := []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"sha256:%s"},"layers":[]}`,
		hexSum(name+":"+ref)))
	w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
	w.Header().Set("Docker-Content-Digest", "sha256:"+hexSum(string(body)))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

func hexSum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func writeError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code}}})
}
