package gitwriter

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestNetworkDeadline points gitwriter at servers that accept connections
// and never answer, and checks every step gives up with an error naming the
// step and the remote.
func TestNetworkDeadline(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	var mu sync.Mutex
	var conns []net.Conn // kept open and silent until the test ends
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	tests := []struct {
		name, url, step string
		opts            []Option
	}{
		{"git clone", "git://" + l.Addr().String() + "/x.git", "clone", []Option{WithBranch("main")}},
		{"git list", "git://" + l.Addr().String() + "/x.git", "list", nil},
		{"http clone", hang.URL + "/x.git", "clone", []Option{WithBranch("main")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := Open(context.Background(), tc.url, append(tc.opts, WithTimeout(200*time.Millisecond))...)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("Open still hangs a minute past its 200ms deadline")
			}
			var ge *Error
			if !errors.As(err, &ge) || ge.Step != tc.step || !strings.Contains(err.Error(), tc.url) {
				t.Fatalf("Open = %v, want a %s *Error naming %s", err, tc.step, tc.url)
			}
			if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "deadline") && !strings.Contains(err.Error(), "timeout") {
				t.Errorf("Open = %v, want a deadline error", err)
			}
		})
	}
}
