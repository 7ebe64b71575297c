package registry_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// hookReceiver parses the webhooks it receives and records the results.
type hookReceiver struct {
	mu     sync.Mutex // protects events and errs
	events []registry.Event
	errs   []error
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	events, err := registry.ParseWebhook("distribution", r, []byte("hook-secret"))
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.errs = append(h.errs, err)
		http.Error(w, "bad hook", http.StatusUnauthorized)
		return
	}
	h.events = append(h.events, events...)
}

func (h *hookReceiver) snapshot() ([]registry.Event, []error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]registry.Event(nil), h.events...), append([]error(nil), h.errs...)
}

// TestNotificationsParsed receives the real notification POSTs of both
// registries.
func TestNotificationsParsed(t *testing.T) {
	for _, bin := range []string{"registry", "docker-registry"} {
		t.Run(bin, func(t *testing.T) {
			recv := &hookReceiver{}
			hook := httptest.NewServer(recv)
			t.Cleanup(hook.Close)
			s := registrytest.Start(t, registrytest.WithBinary(bin),
				registrytest.WithNotifications(hook.URL+"/hooks/distribution", "Bearer hook-secret"))
			registrytest.Push(t, s.Repo("notify/app:v1"), time.Now(), s.RemoteOptions()...)
			want := registry.Event{Repository: s.Repo("notify/app"), Tag: "v1"}
			deadline := time.Now().Add(30 * time.Second)
			for {
				events, errs := recv.snapshot()
				if len(errs) > 0 {
					t.Fatalf("parsing real notification: %v", errs[0])
				}
				if containsEvent(events, want) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("no event %+v within 30s; got %+v", want, events)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

func TestNotificationsWrongSecretRejected(t *testing.T) {
	recv := &hookReceiver{}
	hook := httptest.NewServer(recv)
	t.Cleanup(hook.Close)
	s := registrytest.Start(t, registrytest.WithNotifications(hook.URL, "Bearer not-the-secret"))
	registrytest.Push(t, s.Repo("notify/app:v1"), time.Now(), s.RemoteOptions()...)
	deadline := time.Now().Add(30 * time.Second)
	for {
		events, errs := recv.snapshot()
		if len(events) > 0 {
			t.Fatalf("accepted events with a wrong secret: %+v", events)
		}
		if len(errs) > 0 {
			if !errors.Is(errs[0], registry.ErrUnauthorized) {
				t.Fatalf("error %v, want ErrUnauthorized", errs[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no notification within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func containsEvent(events []registry.Event, want registry.Event) bool {
	for _, e := range events {
		if e == want {
			return true
		}
	}
	return false
}
