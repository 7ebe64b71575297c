// Package forgetest starts a real Gitea for tests of pull-request code.
//
// StartGitea needs the gitea binary (v1.26.0, built by .ci/gitea.sh into
// $HOME/.cache/hoist-tools/bin) and Gitea's module source in the module
// cache (for its locale files). Without them the test is skipped, or fails
// when CI is "true".
package forgetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// GiteaVersion is the Gitea release StartGitea runs.
const GiteaVersion = "v1.26.0"

// Gitea is a running Gitea on 127.0.0.1.
type Gitea struct {
	// URL is the web and API base, http://127.0.0.1:PORT.
	URL string
	// User and Password are the admin user's; Token is an API token of
	// that user with write:repository, write:user and write:issue scopes.
	User, Password, Token string
	// Dir holds the server's data and its web.log.
	Dir string
}

// StartGitea starts a Gitea on a free loopback port with a sqlite
// database, an admin user and a token, and stops it (by PID) when the test
// ends. Start one per test package and share it between subtests: it takes
// a few seconds.
func StartGitea(t testing.TB) *Gitea {
	t.Helper()
	bin := need(t)
	src := moduleSource(t)
	g := &Gitea{Dir: t.TempDir(), User: "admin1", Password: "pw-" + random(10)}
	port := gittest.FreePort(t)
	g.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	ini := filepath.Join(g.Dir, "app.ini")
	writeINI(t, ini, g.Dir, src, port)
	log, err := os.Create(filepath.Join(g.Dir, "web.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	cmd := exec.Command(bin, "web", "--config", ini, "--work-path", g.Dir)
	cmd.Env = giteaEnv(g.Dir)
	cmd.Stdout, cmd.Stderr = log, log
	exited := gittest.Start(t, cmd)
	g.waitReady(t, exited)
	g.createAdmin(t, bin, ini)
	g.Token = g.createToken(t)
	return g
}

func giteaEnv(dir string) []string {
	return append(os.Environ(), "GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true",
		"GITEA_WORK_DIR="+dir, "GITEA_CUSTOM="+filepath.Join(dir, "custom"), "HOME="+dir)
}

// need returns the gitea binary: on PATH, or where .ci/gitea.sh puts it.
func need(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("gitea"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "hoist-tools", "bin", "gitea")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	missing(t, "gitea binary not found on PATH or in $HOME/.cache/hoist-tools/bin: run .ci/gitea.sh")
	return ""
}

// moduleSource returns Gitea's module source directory, which holds the
// locale files a Gitea built from the module proxy does not embed.
func moduleSource(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		missing(t, fmt.Sprintf("go env GOMODCACHE: %v", err))
	}
	src := filepath.Join(string(bytes.TrimSpace(out)), "code.gitea.io", "gitea@"+GiteaVersion)
	if _, err := os.Stat(filepath.Join(src, "options", "locale")); err != nil {
		missing(t, "gitea module source missing ("+err.Error()+"): run .ci/gitea.sh")
	}
	return src
}

func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeINI(t testing.TB, path, dir, src string, port int) {
	t.Helper()
	ini := fmt.Sprintf(`RUN_MODE = prod
WORK_PATH = %[1]s
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true
[server]
HTTP_ADDR = 127.0.0.1
HTTP_PORT = %[3]d
ROOT_URL = http://127.0.0.1:%[3]d/
DISABLE_SSH = true
OFFLINE_MODE = true
APP_DATA_PATH = %[1]s/data
STATIC_ROOT_PATH = %[2]s
[database]
DB_TYPE = sqlite3
PATH = %[1]s/data/gitea.db
[repository]
ROOT = %[1]s/repos
DEFAULT_BRANCH = main
[security]
INSTALL_LOCK = true
SECRET_KEY = %[4]s
INTERNAL_TOKEN = %[5]s
[service]
DISABLE_REGISTRATION = true
[session]
PROVIDER = memory
[cache]
ADAPTER = memory
[cron]
ENABLED = false
[log]
MODE = file
LEVEL = Warn
ROOT_PATH = %[1]s/log
`, dir, src, port, random(32), random(32))
	if u, err := user(); err == nil {
		ini = "RUN_USER = " + u + "\n" + ini
	}
	if err := os.WriteFile(path, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
}

func user() (string, error) {
	out, err := exec.Command("id", "-un").Output()
	return string(bytes.TrimSpace(out)), err
}

// waitReady polls /api/v1/version until Gitea answers (60 s at most).
func (g *Gitea) waitReady(t testing.TB, exited <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if resp, err := http.Get(g.URL + "/api/v1/version"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("gitea exited before it was ready; see %s", filepath.Join(g.Dir, "web.log"))
		case <-ctx.Done():
			t.Fatalf("gitea not ready after 60s; see %s", filepath.Join(g.Dir, "web.log"))
		case <-tick.C:
		}
	}
}

func (g *Gitea) createAdmin(t testing.TB, bin, ini string) {
	t.Helper()
	cmd := exec.Command(bin, "admin", "user", "create", "--config", ini, "--work-path", g.Dir,
		"--username", g.User, "--password", g.Password, "--email", g.User+"@example.com",
		"--admin", "--must-change-password=false")
	cmd.Env = giteaEnv(g.Dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gitea admin user create: %v\n%s", err, out)
	}
}

func (g *Gitea) createToken(t testing.TB) string {
	t.Helper()
	var tok struct {
		SHA1 string `json:"sha1"`
	}
	g.API(t, http.MethodPost, "/api/v1/users/"+g.User+"/tokens", map[string]any{
		"name": "tests", "scopes": []string{"write:repository", "write:user", "write:issue"},
	}, &tok)
	return tok.SHA1
}

// API calls the API as the admin user (basic auth) with a JSON body and
// decodes the JSON answer into out (when not nil); it fails the test on a
// status other than 2xx.
func (g *Gitea) API(t testing.TB, method, path string, body, out any) {
	t.Helper()
	resp := g.call(t, method, path, body)
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var msg bytes.Buffer
		_, _ = msg.ReadFrom(resp.Body)
		t.Fatalf("%s %s: %s: %s", method, path, resp.Status, msg.String())
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decoding: %v", method, path, err)
		}
	}
}

// call sends a request as the admin user with body as JSON (nil: none).
func (g *Gitea) call(t testing.TB, method, path string, body any) *http.Response {
	t.Helper()
	var r bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&r).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, g.URL+path, &r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(g.User, g.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// CreateRepo creates an empty repository of the admin user and returns its
// web URL (http://127.0.0.1:PORT/admin1/name.git without credentials).
func (g *Gitea) CreateRepo(t testing.TB, name string) string {
	t.Helper()
	g.API(t, http.MethodPost, "/api/v1/user/repos", map[string]any{
		"name": name, "default_branch": "main", "private": false,
	}, nil)
	return g.URL + "/" + g.User + "/" + name + ".git"
}

// PushURL returns the repository's URL with the admin user's credentials,
// for the git CLI.
func (g *Gitea) PushURL(name string) string {
	u, _ := url.Parse(g.URL + "/" + g.User + "/" + name + ".git")
	u.User = url.UserPassword(g.User, g.Password)
	return u.String()
}

// WaitIndexed waits (30 s at most) until Gitea has indexed the first push
// to repository name of the admin user: until then it answers 404 on its
// pull request list.
func (g *Gitea) WaitIndexed(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		var repo struct {
			Empty bool `json:"empty"`
		}
		g.API(t, http.MethodGet, "/api/v1/repos/"+g.User+"/"+name, nil, &repo)
		if !repo.Empty && g.pullsListable(name) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("gitea has not indexed %s after 30s", name)
		case <-tick.C:
		}
	}
}

func (g *Gitea) pullsListable(name string) bool {
	req, _ := http.NewRequest(http.MethodGet, g.URL+"/api/v1/repos/"+g.User+"/"+name+"/pulls", nil)
	req.SetBasicAuth(g.User, g.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Do calls the API as the admin user with a JSON body and returns the
// status code, without failing the test on an error status (for calls a
// test retries, such as a merge Gitea is not ready for yet).
func (g *Gitea) Do(t testing.TB, method, path string, body any) int {
	t.Helper()
	resp := g.call(t, method, path, body)
	resp.Body.Close()
	return resp.StatusCode
}

// Merge merges pull request number of the admin user's repository name
// through the API, once Gitea has checked it can: Gitea answers 405 "try
// again later" while its background check runs, even after it said the
// pull request is mergeable, so the merge is retried (60 s at most).
func (g *Gitea) Merge(t testing.TB, name string, number int) {
	t.Helper()
	path := fmt.Sprintf("/api/v1/repos/%s/%s/pulls/%d", g.User, name, number)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var pr struct {
			Mergeable bool `json:"mergeable"`
		}
		g.API(t, http.MethodGet, path, nil, &pr)
		if pr.Mergeable {
			if code := g.Do(t, http.MethodPost, path+"/merge", map[string]any{"Do": "merge"}); code/100 == 2 {
				return
			} else if code != http.StatusMethodNotAllowed {
				t.Fatalf("merging pull request %d: HTTP %d", number, code)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("pull request %d could not be merged in 60s", number)
		}
		time.Sleep(100 * time.Millisecond) // polling Gitea's background check; it sends no event
	}
}
