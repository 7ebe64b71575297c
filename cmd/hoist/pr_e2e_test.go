package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/demo"
	"github.com/hoist-dev/hoist/gitwriter/forge/forgetest"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// prWorld is a real Gitea holding the demo config repository, a real
// registry, and a service config that proposes by pull request.
type prWorld struct {
	g        *forgetest.Gitea
	reg      *registrytest.Server
	repo     string // the repository's name on Gitea
	url      string // its clone URL, without credentials
	token    string // a file holding the admin's API token
	config   string // the service config file
	stateDir string
}

func newPRWorld(t *testing.T, g *forgetest.Gitea, name, per string, extra string, opts ...registrytest.Option) *prWorld {
	t.Helper()
	reg := registrytest.Start(t, opts...)
	files, err := demo.Files("../../testdata/demo", reg.Host)
	if err != nil {
		t.Fatal(err)
	}
	url := g.CreateRepo(t, name)
	work := t.TempDir()
	gittest.WriteFiles(t, work, files)
	gittest.Git(t, work, "init", "-q", "-b", "main")
	gittest.Git(t, work, "add", "-A")
	gittest.Git(t, work, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "initial")
	gittest.Git(t, work, "push", "-q", g.PushURL(name), "main")
	g.WaitIndexed(t, name)

	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte(g.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	content := fmt.Sprintf("apiVersion: hoist.dev/v1alpha1\nkind: Config\nrepositories:\n  - name: %s\n    url: %s\n"+
		"    auth: {username: %s, tokenFile: %s}\n    pullRequest: {provider: gitea, labels: [images], per: %s}\n%s",
		name, url, g.User, token, per, extra)
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return &prWorld{g: g, reg: reg, repo: name, url: url, token: token, config: cfg, stateDir: t.TempDir()}
}

type giteaPR struct {
	Number int    `json:"number"`
	State  string `json:"state"`
	Merged bool   `json:"merged"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Head   struct {
		Ref string `json:"ref"`
	} `json:"head"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
}

func (w *prWorld) pulls(t *testing.T) []giteaPR {
	t.Helper()
	var prs []giteaPR
	w.g.API(t, http.MethodGet, "/api/v1/repos/"+w.g.User+"/"+w.repo+"/pulls?state=all&limit=50", nil, &prs)
	return prs
}

func (w *prWorld) open(t *testing.T) []giteaPR {
	t.Helper()
	var open []giteaPR
	for _, p := range w.pulls(t) {
		if p.State == "open" {
			open = append(open, p)
		}
	}
	return open
}

func (w *prWorld) push(t *testing.T, repo string, tags ...string) {
	t.Helper()
	for _, tag := range tags {
		registrytest.Push(t, w.reg.Repo(repo)+":"+tag, time.Now())
	}
}

func (w *prWorld) once(t *testing.T) string {
	t.Helper()
	out, errOut, err := (&world{}).hoist(t, "once", "--config", w.config, "--state-dir", w.stateDir)
	if err != nil {
		t.Fatalf("hoist once: %v\n%s%s", err, out, errOut)
	}
	return out
}

// TestPullRequestsOnGitea: approve by pull request on a real Gitea. A pass
// opens one pull request with the table; a newer tag updates the same one;
// merged, the next pass opens nothing; closed without merging, its versions
// are not proposed again, while a newer version opens a new one.
func TestPullRequestsOnGitea(t *testing.T) {
	g := forgetest.StartGitea(t) // one server for the subtests: it takes seconds to start
	t.Run("lifecycle", func(t *testing.T) { testPullRequestLifecycle(t, g) })
	t.Run("flags", func(t *testing.T) { testPullRequestByFlags(t, g) })
	t.Run("daemon webhook", func(t *testing.T) { testPullRequestFromDaemon(t, g) })
	t.Run("per policy", func(t *testing.T) { testPullRequestPerPolicy(t, g) })
}

func (w *prWorld) pushDemo(t *testing.T) {
	t.Helper()
	w.push(t, "acme/api", "1.0.0", "1.1.0")
	w.push(t, "acme/web", "1.0.0")
	w.push(t, "acme/worker", "main-1700000000-0a1b2c3")
}

func testPullRequestLifecycle(t *testing.T, g *forgetest.Gitea) {
	w := newPRWorld(t, g, "fleet", "repository", "")
	w.pushDemo(t)

	out := w.once(t)
	open := w.open(t)
	if len(open) != 1 || !strings.Contains(out, "pull request #1 opened: ") {
		t.Fatalf("after the first pass: open PRs %+v, stdout:\n%s", open, out)
	}
	pr := open[0]
	if pr.Head.Ref != "hoist/main" || !strings.Contains(pr.Body, "| `apps:api` |") || !strings.Contains(pr.Body, "| `1.1.0` |") ||
		len(pr.Labels) != 1 || pr.Labels[0].Name != "images" || !strings.HasPrefix(pr.Title, "Update images: api 1.1.0") {
		t.Errorf("the pull request: %+v", pr)
	}

	// A newer tag: the same pull request, updated.
	w.push(t, "acme/api", "1.3.0")
	out = w.once(t)
	open = w.open(t)
	if len(open) != 1 || open[0].Number != pr.Number || !strings.Contains(open[0].Body, "| `1.3.0` |") ||
		!strings.Contains(out, "updated") {
		t.Fatalf("after a newer tag: open PRs %+v, stdout:\n%s", open, out)
	}

	// Merged: the next pass opens nothing.
	g.Merge(t, w.repo, pr.Number)
	out = w.once(t)
	if prs := w.pulls(t); len(prs) != 1 || !prs[0].Merged || strings.Contains(out, "pull request") {
		t.Fatalf("after the merge: PRs %+v, stdout:\n%s", prs, out)
	}

	// A newer version opens a new pull request; closed without merging,
	// the same version is not proposed again.
	w.push(t, "acme/api", "1.4.0")
	w.once(t)
	open = w.open(t)
	if len(open) != 1 || !strings.Contains(open[0].Body, "| `1.4.0` |") {
		t.Fatalf("after 1.4.0: open PRs %+v", open)
	}
	g.API(t, http.MethodPatch, fmt.Sprintf("/api/v1/repos/%s/%s/pulls/%d", g.User, w.repo, open[0].Number), map[string]any{"state": "closed"}, nil)
	out = w.once(t)
	if open := w.open(t); len(open) != 0 || strings.Contains(out, "opened") {
		t.Fatalf("after closing 1.4.0 unmerged: open PRs %+v, stdout:\n%s", open, out)
	}
	w.push(t, "acme/api", "1.5.0")
	w.once(t)
	open = w.open(t)
	if len(open) != 1 || !strings.Contains(open[0].Body, "| `1.5.0` |") || strings.Contains(open[0].Body, "1.4.0") {
		t.Fatalf("after 1.5.0: open PRs %+v", open)
	}
	if n := len(w.pulls(t)); n != 3 {
		t.Errorf("%d pull requests in all, want 3 (merged, closed, open)", n)
	}
}

// testPullRequestByFlags: the same from the command line, no config file.
func testPullRequestByFlags(t *testing.T, g *forgetest.Gitea) {
	w := newPRWorld(t, g, "flags", "repository", "")
	w.pushDemo(t)
	out, errOut, err := (&world{}).hoist(t, "once", "--repo", w.url, "--git-username", g.User, "--git-token-file", w.token,
		"--pull-request", "gitea", "--pr-label", "deps")
	if err != nil {
		t.Fatalf("hoist once: %v\n%s%s", err, out, errOut)
	}
	open := w.open(t)
	if len(open) != 1 || open[0].Head.Ref != "hoist/main" || len(open[0].Labels) != 1 || open[0].Labels[0].Name != "deps" {
		t.Errorf("open PRs %+v, stdout:\n%s", open, out)
	}
}

// testPullRequestFromDaemon: `hoist run` opens the pull request at its first
// pass, and a registry webhook brings a newer tag into the same one.
func testPullRequestFromDaemon(t *testing.T, g *forgetest.Gitea) {
	rl := newRelay(t)
	secret := filepath.Join(t.TempDir(), "hook-secret")
	if err := os.WriteFile(secret, []byte(hookSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newPRWorld(t, g, "daemon", "repository",
		"    schedule: \"@every 1h\"\nwebhooks:\n  - {kind: distribution, secretFile: "+secret+"}\n",
		registrytest.WithNotifications("http://"+rl.addr+"/hooks/distribution", hookSecret))
	w.pushDemo(t)
	d := &daemonWorld{world: &world{stateDir: w.stateDir}, addr: rl.addr, relay: rl, config: w.config}
	d.start(t)
	open := w.open(t)
	if len(open) != 1 || !strings.Contains(open[0].Body, "| `1.1.0` |") {
		t.Fatalf("after the first pass: open PRs %+v", open)
	}
	w.push(t, "acme/api", "1.2.0")
	waitFor(t, 60*time.Second, "the webhook's update of the pull request", func() bool {
		open := w.open(t)
		return len(open) == 1 && strings.Contains(open[0].Body, "| `1.2.0` |")
	})
	d.waitMetrics(t, 30*time.Second, map[string]float64{
		`hoist_pull_requests_total{action="opened",repo="daemon"}`:  1,
		`hoist_pull_requests_total{action="updated",repo="daemon"}`: 1,
	})
}

// testPullRequestPerPolicy: per: policy opens one branch and pull request
// per policy, each with its own change; a newer tag moves only its own.
func testPullRequestPerPolicy(t *testing.T, g *forgetest.Gitea) {
	w := newPRWorld(t, g, "perpolicy", "policy", "")
	w.push(t, "acme/api", "1.0.0", "1.1.0")
	w.push(t, "acme/web", "1.0.0", "1.0.1")
	w.push(t, "acme/worker", "main-1700000000-0a1b2c3")
	w.once(t)
	heads := map[string]giteaPR{}
	for _, p := range w.open(t) {
		heads[p.Head.Ref] = p
	}
	api, web := heads["hoist/main-apps-api"], heads["hoist/main-apps-web"]
	if len(heads) != 2 || !strings.Contains(api.Body, "| `1.1.0` |") || strings.Contains(api.Body, "apps:web") ||
		!strings.Contains(web.Body, "| `1.0.1` |") || strings.Contains(web.Body, "apps:api") {
		t.Fatalf("open pull requests by head: %+v", heads)
	}
	w.push(t, "acme/api", "1.3.0")
	out := w.once(t)
	open := w.open(t)
	if len(open) != 2 || !strings.Contains(out, "apps:api: pushed") || strings.Contains(out, "apps:web: pushed") {
		t.Fatalf("after a newer api tag: %d open, stdout:\n%s", len(open), out)
	}
	for _, p := range open {
		if p.Head.Ref == "hoist/main-apps-api" && (p.Number != api.Number || !strings.Contains(p.Body, "| `1.3.0` |")) {
			t.Errorf("api's pull request was not updated in place: %+v", p)
		}
	}
}
