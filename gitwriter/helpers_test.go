package gitwriter

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// seed is the config repo every test starts from.
var seed = map[string]string{
	"deploy/api.yaml": "image: ghcr.io/acme/api:1.4.2 # {\"$imagepolicy\": \"apps:api\"}\n",
	"deploy/web.yaml": "tag: 2.0.0 # {\"$imagepolicy\": \"apps:web:tag\"}\n",
	"README.md":       "config\n",
}

// setTo returns an edit that sets file to content and reports one update of
// policy to tag.
func setTo(file, content, policy, tag string) EditFunc {
	return func(ctx context.Context, dir string) (Change, error) {
		p := filepath.Join(dir, filepath.FromSlash(file))
		old, _ := os.ReadFile(p)
		if string(old) == content {
			return Change{}, nil
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return Change{}, err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return Change{}, err
		}
		name := policy[strings.LastIndex(policy, ":")+1:]
		return Change{Updates: []Update{{
			File: file, Kind: "Deployment", Name: name, Policy: policy,
			Old: strings.TrimSpace(string(old)), New: content,
			Image: "ghcr.io/acme/" + name + ":" + tag, To: tag,
		}}}, nil
	}
}

// daemonRepo serves a seeded bare repo with a real git daemon and returns
// its path and URL.
func daemonRepo(t *testing.T) (bare, url string) {
	t.Helper()
	base := t.TempDir()
	bare = gittest.NewBare(t, filepath.Join(base, "config.git"), seed)
	s := gittest.Daemon(t, base)
	return bare, s.URL("config.git")
}

func mustOpen(t testing.TB, url string, opts ...Option) *Repo {
	t.Helper()
	r, err := Open(context.Background(), url, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", url, err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// recorder is a slog.Handler keeping every record's level and text, for
// tests that check what gitwriter logs.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (h *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *recorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recorder) WithGroup(string) slog.Handler            { return h }
func (h *recorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, b.String())
	return nil
}

// matching returns the recorded lines containing s.
func (h *recorder) matching(s string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, l := range h.lines {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}
