// Package registry reads container registries politely and fast: it lists
// tags, resolves digests and finds image build times, and parses registry
// webhooks.
//
// A Scanner keeps one client per registry host. Each request goes through the
// same stack, outermost first:
//
//	auth (anonymous, basic, or a bearer token per repository, exchanged once)
//	retry (429/503 honour Retry-After; 5xx, timeouts and dropped connections
//	       back off exponentially with jitter; every attempt has a deadline)
//	limit (per-host requests per second, burst and concurrent requests)
//	count (Stats: requests by host and status)
//	TLS (custom CA, client certificate) or plain HTTP for insecure hosts
//
// The registry is pinged once per host and a token is exchanged once per
// repository, so a pass costs one request per repository plus one per extra
// page of tags. Build times are read from image config blobs only for digests
// never seen before, and kept (with digests of tags) in a cache that survives
// restarts when WithCache names a bbolt file.
package registry
