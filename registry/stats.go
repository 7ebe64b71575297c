package registry

import (
	"maps"
	"sync"
	"time"
)

// RequestKey groups requests in Stats.
type RequestKey struct {
	// Host is the host the request went to (a registry or its token server).
	Host string
	// Status is the HTTP status, or 0 when no answer came (dropped, timed out).
	Status int
}

// Stats counts what a Scanner did since it was made.
type Stats struct {
	// Requests counts HTTP requests sent, by host and status, retries included.
	Requests map[RequestKey]int64
	// Retries counts requests sent again after a failure.
	Retries int64
	// RateLimitWaits counts requests that waited for the rate or concurrency
	// limit (or a Retry-After pause), and RateLimitWait is their total wait.
	RateLimitWaits int64
	RateLimitWait  time.Duration
	// TagLists counts tag lists fetched (one per repository per Tags call
	// that reached the registry; shared concurrent calls count once).
	TagLists int64
	// BuildTimeHits counts build times answered from the cache, and
	// BuildTimeFetches those read from a registry.
	BuildTimeHits, BuildTimeFetches int64
	// ChartIndexFetches counts chart repository indexes downloaded and
	// parsed, and ChartIndexNotModified those answered 304 Not Modified
	// (served from the cache, nothing parsed).
	ChartIndexFetches, ChartIndexNotModified int64
}

// Total is the number of HTTP requests sent.
func (s Stats) Total() int64 {
	var n int64
	for _, c := range s.Requests {
		n += c
	}
	return n
}

// statsRecorder is the Scanner's Stats, safe for concurrent use.
type statsRecorder struct {
	mu sync.Mutex // protects s
	s  Stats
}

func newStatsRecorder() *statsRecorder {
	return &statsRecorder{s: Stats{Requests: map[RequestKey]int64{}}}
}

func (r *statsRecorder) update(f func(*Stats)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.s)
}

func (r *statsRecorder) request(host string, status int) {
	r.update(func(s *Stats) { s.Requests[RequestKey{Host: host, Status: status}]++ })
}

func (r *statsRecorder) retried() { r.update(func(s *Stats) { s.Retries++ }) }

func (r *statsRecorder) waited(d time.Duration) {
	r.update(func(s *Stats) { s.RateLimitWaits++; s.RateLimitWait += d })
}

func (r *statsRecorder) snapshot() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.s
	s.Requests = maps.Clone(r.s.Requests)
	return s
}
