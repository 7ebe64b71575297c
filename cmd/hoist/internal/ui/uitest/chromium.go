// Package uitest runs the status page in real headless Chromium for tests:
// the ui package's own and the end-to-end tests of hoist run.
package uitest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// ChromiumPath finds Debian's chromium; without it the test fails under
// CI=true and is skipped elsewhere.
func ChromiumPath(t testing.TB) string {
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

// Chromium runs headless Chromium once with args and the URL, in a profile
// of its own and with no network but the page's, and returns what it
// printed (the DOM with --dump-dom).
func Chromium(t testing.TB, bin, url string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
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

// CheckScreenshot checks that the file is a PNG of the given size and of
// some weight (a blank or unstyled page compresses to a few kilobytes), and
// returns how many pixels have the colour c.
func CheckScreenshot(t testing.TB, path string, width, height, minBytes int, c color.RGBA) int {
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
	n := countColor(img, c)
	t.Logf("screenshot: %dx%d, %d bytes, %d pixels of %v", size.X, size.Y, len(b), n, c)
	if size.X != width || size.Y != height {
		t.Errorf("screenshot is %dx%d, want %dx%d", size.X, size.Y, width, height)
	}
	if len(b) < minBytes {
		t.Errorf("screenshot is %d bytes, want at least %d", len(b), minBytes)
	}
	return n
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
