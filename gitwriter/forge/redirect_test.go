package forge_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hoist-dev/hoist/gitwriter/forge"
)

// TestTokenStaysOnAPIHost checks that a redirect to another host does not
// carry the token there, and that the token is read on every call.
func TestTokenStaysOnAPIHost(t *testing.T) {
	leaked := make(chan string, 4)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked <- r.Header.Get("Authorization")
		_, _ = w.Write([]byte(`[]`))
	}))
	defer other.Close()
	var seen []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization"))
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer api.Close()
	n := 0
	tok := forge.WithToken(func() (string, error) { n++; return "tok-" + string(rune('0'+n)), nil })
	f, err := forge.New("gitea", "https://git.example.com/a/b", tok, forge.WithAPIURL(api.URL))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := f.PullRequests(t.Context(), "hoist/main"); err != nil {
			t.Fatal(err)
		}
		if got := <-leaked; got != "" {
			t.Errorf("redirected request carried Authorization %q", got)
		}
	}
	if len(seen) != 2 || seen[0] != "token tok-1" || seen[1] != "token tok-2" {
		t.Errorf("API host saw %q, want token tok-1 then token tok-2", seen)
	}
}
