// Package registry reads container registries politely and fast: it lists
// tags, resolves digests and finds image build times, lists Helm chart
// versions (OCI charts and classic index.yaml repositories), and parses
// registry webhooks.
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
// Loopback hosts (localhost, 127.0.0.0/8, [::1]) and hosts marked with
// Scanner.AllowInsecure speak plain HTTP when their server answers HTTPS in
// plain HTTP; every other host is HTTPS unless HostConfig.Insecure says so.
//
// Registries are not trusted. Tag names that are not valid OCI tags are
// dropped and counted (ListTags), a tag page is decoded as a stream that
// stops at WithMaxTags (a cut list is an error wrapping ErrTruncated), tag
// lists and manifests never follow a redirect to another host (blobs may),
// repository paths with ".." or other invalid components are refused before
// any request, and error text from a registry is sanitised, capped and
// stripped of credentials before it reaches an error message.
//
// The registry is pinged once per host and a token is exchanged once per
// repository, so a pass costs one request per repository plus one per extra
// page of tags. Build times are read from image config blobs only for digests
// never seen before, and kept (with digests of tags) in a cache that survives
// restarts when WithCache names a bbolt file.
//
// A classic chart repository's index.yaml goes through the same host stack
// (credentials, retry, limits, TLS). It is fetched with a conditional GET,
// read no further than WithMaxIndexSize, decoded one chart at a time, and
// kept as a compact list of versions per chart (about 6 MiB for a 44 MiB
// index), so an unchanged index costs one 304 and no parsing.
package registry
