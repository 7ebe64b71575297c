package ui

import "net/http"

// Mount returns a handler that sends the status page's requests (GET and
// HEAD of /, /api/v1/status and /static/style.css) to page, a [Handler],
// and every other request to next: the daemon's /healthz, /metrics and
// /hooks keep working, and POST / still reaches next.
func Mount(next, page http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	for _, pattern := range []string{"GET /{$}", "GET /api/v1/status", "GET /static/style.css"} {
		mux.Handle(pattern, page)
	}
	return mux
}
