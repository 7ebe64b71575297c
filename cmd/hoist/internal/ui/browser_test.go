package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// chromiumPath finds Debian's chromium; without it the test fails under
// CI=true and is skipped elsewhere.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (.ci/install.sh installs Debian's chromium package)")
	}
	t.Skip("chromium is not installed")
	return ""
}

// chromium runs headless Chromium once with args and the URL, in a
// profile of its own, and returns what it printed.
func chromium(t *testing.T, bin, url string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	profile := t.TempDir()
	args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--virtual-time-budget=5000", "--user-data-dir=" + profile}, args...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("running chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

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
	bin := chromiumPath(t)
	var log pathLog
	srv := httptest.NewServer(log.wrap(Handler(fakeSource{fixture()})))
	defer srv.Close()

	dom := string(chromium(t, bin, srv.URL+"/", "--dump-dom"))
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
	chromium(t, bin, srv.URL+"/", "--screenshot="+shot, "--window-size=1280,900")
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

// checkScreenshot checks that the file is a 1280x900 PNG of some weight:
// a blank or unstyled page compresses to a few kilobytes.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding screenshot: %v", err)
	}
	size := img.Bounds().Size()
	blue := countColor(img, color.RGBA{0x3b, 0x6f, 0xd8, 0xff})
	t.Logf("screenshot: %dx%d, %d bytes, %d pixels of the chart's pass colour", size.X, size.Y, len(b), blue)
	if size.X != 1280 || size.Y != 900 {
		t.Errorf("screenshot is %dx%d, want 1280x900", size.X, size.Y)
	}
	if len(b) < 40<<10 {
		t.Errorf("screenshot is %d bytes, want at least 40 KiB", len(b))
	}
	// The bars get their colour from the style sheet alone: without it
	// (or without the chart) there is none of it.
	if blue < 1000 {
		t.Errorf("screenshot has %d pixels of the chart's pass colour #3b6fd8, want at least 1000", blue)
	}
}

// countColor counts the pixels of img that are exactly c.
func countColor(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == c {
				n++
			}
		}
	}
	return n
}
