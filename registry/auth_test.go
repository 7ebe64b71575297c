package registry_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// tokenRegistry puts bearer-token auth (realm on the same host) in front
// of an in-process registry: /token gives "tok:<scope>" for basic
// credentials alice:pw, and /v2/<repo>/ needs the token of its scope.
type tokenRegistry struct {
	srv   *httptest.Server
	open  *httptest.Server // the same registry without auth, to push to
	inner http.Handler

	mu     sync.Mutex // protects tokens
	tokens map[string]int
}

func newTokenRegistry(t *testing.T) *tokenRegistry {
	tr := &tokenRegistry{inner: ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))), tokens: map[string]int{}}
	tr.srv = httptest.NewServer(tr)
	t.Cleanup(tr.srv.Close)
	tr.open = httptest.NewServer(tr.inner)
	t.Cleanup(tr.open.Close)
	return tr
}

func (tr *tokenRegistry) host() string { return strings.TrimPrefix(tr.srv.URL, "http://") }

func (tr *tokenRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		tr.token(w, r)
		return
	}
	scope := ""
	if rest, ok := strings.CutPrefix(r.URL.Path, "/v2/"); ok && rest != "" {
		i := strings.Index(rest, "/tags/")
		if i < 0 {
			i = strings.Index(rest, "/manifests/")
		}
		if i < 0 {
			i = strings.Index(rest, "/blobs/")
		}
		if i > 0 {
			scope = "repository:" + rest[:i] + ":pull"
		}
	}
	if scope == "" || r.Header.Get("Authorization") != "Bearer tok:"+scope {
		challenge := fmt.Sprintf(`Bearer realm="%s/token",service="test"`, tr.srv.URL)
		if scope != "" {
			challenge += fmt.Sprintf(`,scope="%s"`, scope)
		}
		w.Header().Set("WWW-Authenticate", challenge)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	tr.inner.ServeHTTP(w, r)
}

func (tr *tokenRegistry) token(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != "alice" || pass != "pw" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	scope := r.URL.Query().Get("scope")
	tr.mu.Lock()
	tr.tokens[scope]++
	tr.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"token": "tok:" + scope, "expires_in": 300})
}

func TestBearerTokenExchangedOncePerRepository(t *testing.T) {
	tr := newTokenRegistry(t)
	for _, repo := range []string{"a/one", "a/two"} {
		registrytest.Push(t, strings.TrimPrefix(tr.open.URL, "http://")+"/"+repo+":1", time.Now())
	}
	dockerConfig := fmt.Sprintf(`{"auths":{"http://%s/v1/":{"auth":"%s"}}}`, tr.host(),
		base64.StdEncoding.EncodeToString([]byte("alice:pw")))
	for name, c := range map[string]registry.HostConfig{
		"username and password files": {UsernameFile: secretFile(t, "alice"), PasswordFile: secretFile(t, "pw")},
		"docker config file":          {DockerConfigFile: secretFile(t, dockerConfig)},
		"username and token files":    {UsernameFile: secretFile(t, "alice"), TokenFile: secretFile(t, "pw")},
		"legacy dockercfg file":       {DockerConfigFile: secretFile(t, fmt.Sprintf(`{%q:{"username":"alice","password":"pw"}}`, tr.host()))},
	} {
		t.Run(name, func(t *testing.T) {
			tr.mu.Lock()
			clear(tr.tokens)
			tr.mu.Unlock()
			c.Insecure = true
			sc, err := registry.New(registry.WithHost(tr.host(), c))
			if err != nil {
				t.Fatal(err)
			}
			defer sc.Close()
			ctx := context.Background()
			for range 3 {
				for _, repo := range []string{"a/one", "a/two"} {
					if _, err := sc.Tags(ctx, tr.host()+"/"+repo); err != nil {
						t.Fatalf("Tags(%s): %v", repo, err)
					}
					if _, err := sc.Digest(ctx, tr.host()+"/"+repo, "1", ""); err != nil {
						t.Fatalf("Digest(%s): %v", repo, err)
					}
				}
			}
			want := map[string]int{"repository:a/one:pull": 1, "repository:a/two:pull": 1}
			tr.mu.Lock()
			defer tr.mu.Unlock()
			if diff := cmp.Diff(want, tr.tokens); diff != "" {
				t.Errorf("token exchanges mismatch (-want +got):\n%s", diff)
			}
			// 1 ping + 2 token requests + 12 calls.
			if n := sc.Stats().Total(); n != 15 {
				t.Errorf("sent %d requests, want 15: %v", n, sc.Stats().Requests)
			}
		})
	}
}

func TestBearerWrongPasswordFailsCleanly(t *testing.T) {
	tr := newTokenRegistry(t)
	sc, err := registry.New(registry.WithHost(tr.host(), registry.HostConfig{Insecure: true,
		UsernameFile: secretFile(t, "alice"), PasswordFile: secretFile(t, "hunter2-wrong")}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	_, err = sc.Tags(context.Background(), tr.host()+"/a/one")
	if err == nil {
		t.Fatal("Tags with a wrong password succeeded")
	}
	if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), tr.host()) {
		t.Errorf("error %q leaks the password or does not name the host", err)
	}
}

func TestNormalizeRepository(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":                    "index.docker.io/library/nginx",
		"docker.io/acme/api":       "index.docker.io/acme/api",
		"ghcr.io/acme/api":         "ghcr.io/acme/api",
		"127.0.0.1:5000/team/app":  "127.0.0.1:5000/team/app",
		"registry-1.docker.io/a/b": "registry-1.docker.io/a/b",
	} {
		got, err := registry.NormalizeRepository(in)
		if err != nil || got != want {
			t.Errorf("NormalizeRepository(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ghcr.io/acme/api:1.0", "https://ghcr.io/acme/api", "UPPER/case"} {
		if _, err := registry.NormalizeRepository(bad); err == nil {
			t.Errorf("NormalizeRepository(%q) succeeded", bad)
		}
	}
}

func TestTokenFileUsedAsBearer(t *testing.T) {
	tr := newTokenRegistry(t)
	registrytest.Push(t, strings.TrimPrefix(tr.open.URL, "http://")+"/a/one:1", time.Now())
	sc, err := registry.New(registry.WithHost(tr.host(), registry.HostConfig{Insecure: true,
		TokenFile: secretFile(t, "tok:repository:a/one:pull")}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	tags, err := sc.Tags(context.Background(), tr.host()+"/a/one")
	if err != nil || len(tags) != 1 {
		t.Fatalf("Tags = %v, %v", tags, err)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.tokens) != 0 {
		t.Errorf("token server asked %v, want no exchange", tr.tokens)
	}
}

func TestDockerConfigCredentialHelper(t *testing.T) {
	tr := newTokenRegistry(t)
	registrytest.Push(t, strings.TrimPrefix(tr.open.URL, "http://")+"/a/one:1", time.Now())
	bin := t.TempDir()
	script := "#!/bin/sh\nread host\n[ \"$host\" = \"" + tr.host() + "\" ] || exit 1\n" +
		`echo '{"ServerURL":"'$host'","Username":"alice","Secret":"pw"}'` + "\n"
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-hoisttest"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cfg := fmt.Sprintf(`{"credHelpers":{%q:"hoisttest"}}`, tr.host())
	sc, err := registry.New(registry.WithHost(tr.host(), registry.HostConfig{Insecure: true,
		DockerConfigFile: secretFile(t, cfg)}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if tags, err := sc.Tags(context.Background(), tr.host()+"/a/one"); err != nil || len(tags) != 1 {
		t.Fatalf("Tags = %v, %v", tags, err)
	}
}

// TestUseDockerConfig: a docker config named at run time (a Flux
// ImageRepository's secretRef) supplies credentials to a host the scanner
// has none for, and never overrides credentials the operator configured.
func TestUseDockerConfig(t *testing.T) {
	tr := newTokenRegistry(t)
	registrytest.Push(t, strings.TrimPrefix(tr.open.URL, "http://")+"/a/one:1", time.Now())
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".dockerconfigjson")
	auth := base64.StdEncoding.EncodeToString([]byte("alice:pw"))
	if err := os.WriteFile(cfg, []byte(`{"auths":{"`+tr.host()+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	anon := registry.WithKeychain(emptyKeychain{})
	insecure := registry.WithDefaults(registry.HostConfig{Insecure: true})
	ctx := context.Background()

	sc, err := registry.New(anon, insecure)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if _, err := sc.Tags(ctx, tr.host()+"/a/one"); err == nil {
		t.Fatal("Tags without credentials succeeded")
	}
	sc.UseDockerConfig(tr.host(), cfg)
	if tags, err := sc.Tags(ctx, tr.host()+"/a/one"); err != nil || len(tags) == 0 {
		t.Errorf("Tags with the docker config = %v, %v", tags, err)
	}

	op, err := registry.New(anon, registry.WithHost(tr.host(), registry.HostConfig{Insecure: true,
		UsernameFile: secretFile(t, "alice"), PasswordFile: secretFile(t, "wrong")}))
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	op.UseDockerConfig(tr.host(), cfg)
	if _, err := op.Tags(ctx, tr.host()+"/a/one"); err == nil {
		t.Error("the repository's docker config overrode the operator's credentials")
	}
}

type emptyKeychain struct{}

func (emptyKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return authn.Anonymous, nil
}
