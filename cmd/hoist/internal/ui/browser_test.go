package ui

import (
	"image/color"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/ui/uitest"
)

// pathLog records the paths a server was asked for.
type pathLog struct {
	mu    sync.Mutex // protects paths
	paths []string
}

func (l *pathLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.paths = append(l.paths, r.URL.Path)
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *pathLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Compact(slices.Sorted(slices.Values(l.paths)))
}

// TestChromium loads the page in real headless Chromium: the rendered text
// shows the repositories, the held policy and the hostile name as text; the
// page asks for nothing but itself and its style sheet; the screenshot is a
// full-sized PNG. With HOIST_UI_SCREENSHOT=path the screenshot is kept there.
func TestChromium(t *testing.T) {
	bin := uitest.ChromiumPath(t)
	var log pathLog
	srv := httptest.NewServer(log.wrap(Handler(fakeSource{fixture()})))
	defer srv.Close()

	dom := string(uitest.Chromium(t, bin, srv.URL+"/", "--dump-dom"))
	for _, want := range []string{
		"demo", "platform", "https://git.example.com/acme/gitops.git",
		"held: main-1700000500-def5678 was reverted in 9e8d7c6; waiting for a version above it",
		"minAge 24h: v1.11.3 was built 3h ago",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
	if strings.Contains(strings.ToLower(dom), "<script") || strings.Contains(dom, "ghp_s3cr3tT0ken") {
		t.Errorf("rendered page holds a script element or a secret:\n%s", dom)
	}

	shot := filepath.Join(t.TempDir(), "status.png")
	uitest.Chromium(t, bin, srv.URL+"/", "--screenshot="+shot, "--window-size=1280,900")
	checkScreenshot(t, shot)
	if want := []string{"/", "/static/style.css"}; !slices.Equal(log.list(), want) {
		t.Errorf("chromium asked for %q, want %q", log.list(), want)
	}
	if dst := os.Getenv("HOIST_UI_SCREENSHOT"); dst != "" {
		b, err := os.ReadFile(shot)
		if err == nil {
			err = os.WriteFile(dst, b, 0o644)
		}
		if err != nil {
			t.Fatalf("keeping the screenshot: %v", err)
		}
	}
}

// checkScreenshot checks that the file is a 1280x900 PNG of some weight,
// styled: the chart's bars get their colour from the style sheet alone.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	if blue := uitest.CheckScreenshot(t, path, 1280, 900, 40<<10, color.RGBA{0x3b, 0x6f, 0xd8, 0xff}); blue < 1000 {
		t.Errorf("screenshot has %d pixels of the chart's pass colour #3b6fd8, want at least 1000", blue)
	}
}
