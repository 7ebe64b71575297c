package registry

import (
	"maps"
	"slices"
	"sync"
	"time"
)

// store keeps what the scanner learned: tag lists, the digest of each tag,
// build times by digest and platform manifests of indexes.
type store interface {
	Tags(repo string) ([]string, time.Time, bool)
	PutTags(repo string, tags []string, at time.Time) error
	TagDigest(repo, tag string) (string, bool)
	BuildTime(digest string) (time.Time, bool)
	PutBuild(repo string, tagDigests map[string]string, times map[string]time.Time) error
	PlatformDigest(index, platform string) (string, bool)
	PutPlatformDigest(index, platform, digest string) error
	ChartIndex(repo string) (chartIndexMeta, bool)
	ChartEntry(repo, chart string) ([]byte, bool)
	PutChartIndex(repo string, meta chartIndexMeta, charts map[string][]byte) error
	Close() error
}

// memStore is the in-memory store used without WithCache.
type memStore struct {
	mu         sync.RWMutex // protects the maps
	tags       map[string]tagList
	tagDigests map[string]map[string]string // repo -> tag -> digest
	times      map[string]time.Time
	platforms  map[string]string // index + "\x00" + platform -> digest
	chartMeta  map[string]chartIndexMeta
	charts     map[string]map[string][]byte // chart repository -> chart -> encodeChart
}

type tagList struct {
	tags []string
	at   time.Time
}

func newMemStore() *memStore {
	return &memStore{tags: map[string]tagList{}, tagDigests: map[string]map[string]string{},
		times: map[string]time.Time{}, platforms: map[string]string{},
		chartMeta: map[string]chartIndexMeta{}, charts: map[string]map[string][]byte{}}
}

func (m *memStore) Tags(repo string) ([]string, time.Time, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	l, ok := m.tags[repo]
	return append([]string(nil), l.tags...), l.at, ok
}

// PutTags keeps a copy of tags. Tags equal to those it has are copied into
// the list it has: nothing is allocated, and the strings it keeps are the
// caller's (not a second copy of each while the caller holds its list).
func (m *memStore) PutTags(repo string, tags []string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.tags[repo]; ok && slices.Equal(l.tags, tags) {
		copy(l.tags, tags)
		m.tags[repo] = tagList{tags: l.tags, at: at}
		return nil
	}
	m.tags[repo] = tagList{tags: slices.Clone(tags), at: at}
	return nil
}

func (m *memStore) TagDigest(repo, tag string) (string, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	d, ok := m.tagDigests[repo][tag]
	return d, ok
}

func (m *memStore) BuildTime(digest string) (time.Time, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t, ok := m.times[digest]
	return t, ok
}

func (m *memStore) PutBuild(repo string, tagDigests map[string]string, times map[string]time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tagDigests[repo] == nil {
		m.tagDigests[repo] = map[string]string{}
	}
	maps.Copy(m.tagDigests[repo], tagDigests)
	maps.Copy(m.times, times)
	return nil
}

func (m *memStore) PlatformDigest(index, platform string) (string, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	d, ok := m.platforms[index+"\x00"+platform]
	return d, ok
}

func (m *memStore) PutPlatformDigest(index, platform, digest string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.platforms[index+"\x00"+platform] = digest
	return nil
}

func (m *memStore) Close() error { return nil }
