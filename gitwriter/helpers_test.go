package gitwriter

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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
