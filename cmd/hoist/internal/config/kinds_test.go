package config

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hoist-dev/hoist/registry"
)

// TestWebhookKindsMatchRegistry keeps webhookKinds in step with the payload
// formats registry.ParseWebhook knows: it refuses a known kind for lack of a
// secret, and an unknown kind for being unknown.
func TestWebhookKindsMatchRegistry(t *testing.T) {
	for _, kind := range append(webhookKinds(), "gitlab") {
		req := httptest.NewRequest("POST", "/hooks/"+kind, strings.NewReader("{}"))
		_, err := registry.ParseWebhook(kind, req, nil)
		known := errors.Is(err, registry.ErrUnauthorized)
		if want := kind != "gitlab"; known != want {
			t.Errorf("registry knows webhook kind %q: %v, want %v (error %v)", kind, known, want, err)
		}
	}
}
