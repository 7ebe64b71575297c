package daemon

import (
	"encoding/json"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// maxHookBody bounds a webhook request body.
const maxHookBody = 1 << 20

// HookFunc authenticates and parses a webhook request of one kind and
// returns the image repositories it says were pushed, normalised the way
// Result.Images are. An error is answered with status 400 (or the status of
// an error with a StatusCode method).
type HookFunc func(kind string, r *http.Request) ([]string, error)

// Handler serves /healthz, /readyz, /metrics and POST /hooks/{kind} (and
// /hooks/{kind}/{secret}, for the registries that put the secret in the URL).
// The path's secret is never logged.
func Handler(d *Daemon, m *Metrics, hook HookFunc) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !d.Ready() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "first passes still running"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	hooks := func(w http.ResponseWriter, r *http.Request) {
		kind := r.PathValue("kind")
		r.Body = http.MaxBytesReader(w, r.Body, maxHookBody)
		images, err := hook(kind, r)
		m.webhook(kind, err == nil)
		if err != nil {
			d.o.log.Warn("webhook rejected", "kind", kind, "error", err)
			writeJSON(w, statusOf(err), map[string]string{"error": err.Error()})
			return
		}
		repos := d.Trigger(images)
		d.o.log.Info("webhook accepted", "kind", kind, "images", images, "triggered", repos)
		writeJSON(w, http.StatusAccepted, map[string]any{"images": images, "triggered": repos})
	}
	mux.HandleFunc("POST /hooks/{kind}", hooks)
	// Docker Hub and Quay carry the secret as the last path element.
	mux.HandleFunc("POST /hooks/{kind}/{secret}", hooks)
	return mux
}

func statusOf(err error) int {
	if s, ok := err.(interface{ StatusCode() int }); ok {
		return s.StatusCode()
	}
	return http.StatusBadRequest
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
