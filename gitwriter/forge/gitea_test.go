package forge_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hoist-dev/hoist/gitwriter/forge"
	"github.com/hoist-dev/hoist/gitwriter/forge/forgetest"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

func static(tok string) forge.Option {
	return forge.WithToken(func() (string, error) { return tok, nil })
}

// giteaRepo is a repository on a real Gitea with branch main and a local
// clone to push more branches from.
type giteaRepo struct {
	g    *forgetest.Gitea
	name string
	url  string
	work string
}

func newGiteaRepo(t *testing.T, g *forgetest.Gitea, name string) *giteaRepo {
	t.Helper()
	r := &giteaRepo{g: g, name: name, url: g.CreateRepo(t, name), work: t.TempDir()}
	gittest.Git(t, r.work, "init", "-q", "-b", "main")
	gittest.WriteFiles(t, r.work, map[string]string{"app.yaml": "image: app:1.0.0\n"})
	gittest.Git(t, r.work, "add", "-A")
	gittest.Git(t, r.work, "commit", "-q", "-m", "Initial commit")
	gittest.Git(t, r.work, "push", "-q", g.PushURL(name), "main")
	g.WaitIndexed(t, name)
	return r
}

// branch pushes a commit on branch name, made from the server's main, and
// returns its SHA. Each branch edits its own file, so none conflicts.
func (r *giteaRepo) branch(t *testing.T, name, tag string) string {
	t.Helper()
	gittest.Git(t, r.work, "fetch", "-q", r.g.PushURL(r.name), "main")
	gittest.Git(t, r.work, "checkout", "-q", "-B", name, "FETCH_HEAD")
	file := strings.ReplaceAll(name, "/", "-") + ".yaml"
	gittest.WriteFiles(t, r.work, map[string]string{file: "image: app:" + tag + "\n"})
	gittest.Git(t, r.work, "add", file)
	gittest.Git(t, r.work, "commit", "-q", "-m", "Update app to "+tag)
	gittest.Git(t, r.work, "push", "-q", "-f", r.g.PushURL(r.name), name)
	return gittest.Git(t, r.work, "rev-parse", "HEAD")
}

// merge merges pull request n through the API.
func (r *giteaRepo) merge(t *testing.T, n int) {
	t.Helper()
	r.g.Merge(t, r.name, n)
}

func openCount(prs []forge.PullRequest) int {
	n := 0
	for _, p := range prs {
		if p.State == forge.Open {
			n++
		}
	}
	return n
}

// TestGitea runs the forge against one real Gitea for the whole package.
func TestGitea(t *testing.T) {
	g := forgetest.StartGitea(t)
	repo := newGiteaRepo(t, g, "fleet")
	f, err := forge.New("gitea", repo.url, static(g.Token))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	t.Run("open update merge", func(t *testing.T) { testGiteaLifecycle(ctx, t, f, repo) })
	t.Run("close", func(t *testing.T) { testGiteaClose(ctx, t, f, repo) })
	t.Run("auto-merge and draft", func(t *testing.T) { testGiteaAutoMerge(ctx, t, f, repo) })
	t.Run("errors", func(t *testing.T) { testGiteaErrors(ctx, t, g, repo) })
}

func testGiteaLifecycle(ctx context.Context, t *testing.T, f forge.Forge, repo *giteaRepo) {
	sha := repo.branch(t, "hoist/main", "1.1.0")
	req := forge.Request{Base: "main", Head: "hoist/main", Title: "Update app to 1.1.0", Body: "| app | 1.1.0 |", Labels: []string{"images"}}
	pr, created, err := f.Ensure(ctx, req)
	if err != nil || !created {
		t.Fatalf("Ensure = created %v, %v; want a new pull request", created, err)
	}
	want := forge.PullRequest{Number: pr.Number, URL: pr.URL, State: forge.Open, Head: "hoist/main", Base: "main",
		HeadSHA: sha, Title: req.Title, Body: req.Body}
	if diff := cmp.Diff(want, pr); diff != "" {
		t.Errorf("opened pull request mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(pr.URL, repo.g.URL+"/admin1/fleet/pulls/") {
		t.Errorf("URL = %q, want the pull request's page", pr.URL)
	}

	sha = repo.branch(t, "hoist/main", "1.2.0")
	req.Title, req.Body, req.Labels = "Update app to 1.2.0", "| app | 1.2.0 |", []string{"images", "automated"}
	again, created, err := f.Ensure(ctx, req)
	if err != nil || created || again.Number != pr.Number {
		t.Fatalf("second Ensure = #%d created %v, %v; want #%d updated", again.Number, created, err, pr.Number)
	}
	if again.Title != req.Title || again.Body != req.Body {
		t.Errorf("updated pull request = %q / %q, want the new title and body", again.Title, again.Body)
	}
	var labels []struct{ Name string }
	repo.g.API(t, http.MethodGet, fmt.Sprintf("/api/v1/repos/admin1/fleet/issues/%d/labels", pr.Number), nil, &labels)
	if diff := cmp.Diff([]string{"automated", "images"}, names(labels), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("labels mismatch (-want +got):\n%s", diff)
	}
	prs, err := f.PullRequests(ctx, "hoist/main")
	if err != nil || len(prs) != 1 || openCount(prs) != 1 || prs[0].HeadSHA != sha {
		t.Fatalf("PullRequests = %+v, %v; want the one open pull request at %s", prs, err, sha)
	}

	repo.merge(t, pr.Number)
	prs, err = f.PullRequests(ctx, "hoist/main")
	if err != nil || len(prs) != 1 || prs[0].State != forge.Merged {
		t.Fatalf("after merge PullRequests = %+v, %v; want one merged", prs, err)
	}
	// A later pass on the same head opens a new pull request, listed first.
	repo.branch(t, "hoist/main", "1.3.0")
	next, created, err := f.Ensure(ctx, forge.Request{Base: "main", Head: "hoist/main", Title: "Update app to 1.3.0"})
	if err != nil || !created || next.Number == pr.Number {
		t.Fatalf("Ensure after merge = #%d created %v, %v; want a new pull request", next.Number, created, err)
	}
	prs, err = f.PullRequests(ctx, "hoist/main")
	got := []forge.State{}
	for _, p := range prs {
		got = append(got, p.State)
	}
	if diff := cmp.Diff([]forge.State{forge.Open, forge.Merged}, got); err != nil || diff != "" {
		t.Errorf("PullRequests states mismatch (-want +got):\n%s (err %v)", diff, err)
	}
	if err := f.Close(ctx, next.Number, ""); err != nil {
		t.Fatal(err)
	}
}

func names(ls []struct{ Name string }) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Name)
	}
	return out
}

func testGiteaClose(ctx context.Context, t *testing.T, f forge.Forge, repo *giteaRepo) {
	repo.branch(t, "hoist/api", "2.0.0")
	repo.branch(t, "hoist/web", "2.0.0")
	api, _, err := f.Ensure(ctx, forge.Request{Base: "main", Head: "hoist/api", Title: "Update api"})
	if err != nil {
		t.Fatal(err)
	}
	web, created, err := f.Ensure(ctx, forge.Request{Base: "main", Head: "hoist/web", Title: "Update web"})
	if err != nil || !created || web.Number == api.Number {
		t.Fatalf("Ensure for a second head = #%d created %v, %v; want its own pull request", web.Number, created, err)
	}
	if err := f.Close(ctx, api.Number, "main already has every change"); err != nil {
		t.Fatal(err)
	}
	prs, err := f.PullRequests(ctx, "hoist/api")
	if err != nil || len(prs) != 1 || prs[0].State != forge.Closed {
		t.Fatalf("PullRequests(api) = %+v, %v; want one closed", prs, err)
	}
	var comments []struct{ Body string }
	repo.g.API(t, http.MethodGet, fmt.Sprintf("/api/v1/repos/admin1/fleet/issues/%d/comments", api.Number), nil, &comments)
	if len(comments) != 1 || comments[0].Body != "main already has every change" {
		t.Errorf("comments = %+v, want the closing comment", comments)
	}
	prs, err = f.PullRequests(ctx, "hoist/web")
	if err != nil || len(prs) != 1 || prs[0].State != forge.Open {
		t.Fatalf("PullRequests(web) = %+v, %v; want one open", prs, err)
	}
}

func testGiteaAutoMerge(ctx context.Context, t *testing.T, f forge.Forge, repo *giteaRepo) {
	repo.branch(t, "hoist/draft", "3.0.0")
	pr, _, err := f.Ensure(ctx, forge.Request{Base: "main", Head: "hoist/draft", Title: "Update db", Draft: true})
	if err != nil || pr.Title != "WIP: Update db" {
		t.Fatalf("draft Ensure = %q, %v; want a WIP: title", pr.Title, err)
	}
	pr, _, err = f.Ensure(ctx, forge.Request{Base: "main", Head: "hoist/draft", Title: "Update db to 3"})
	if err != nil || pr.Title != "WIP: Update db to 3" {
		t.Fatalf("update of a draft = %q, %v; want it still WIP:", pr.Title, err)
	}
	if err := f.Close(ctx, pr.Number, ""); err != nil {
		t.Fatal(err)
	}

	// Gitea schedules the merge and runs it once its own mergeability check
	// is done (no CI checks are configured here).
	repo.branch(t, "hoist/auto", "4.0.0")
	req := forge.Request{Base: "main", Head: "hoist/auto", Title: "Update cache", Assignees: []string{"admin1"}, AutoMerge: true}
	pr, created, err := f.Ensure(ctx, req)
	if err != nil || !created {
		t.Fatalf("Ensure = created %v, %v", created, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		prs, err := f.PullRequests(ctx, "hoist/auto")
		if err != nil {
			t.Fatal(err)
		}
		if len(prs) == 1 && prs[0].State == forge.Merged {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pull request #%d with auto-merge not merged after 30s: %+v", pr.Number, prs)
		}
		time.Sleep(100 * time.Millisecond) // polling Gitea's background merge
	}
}

func testGiteaErrors(ctx context.Context, t *testing.T, g *forgetest.Gitea, repo *giteaRepo) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String() + "/admin1/fleet.git"
	l.Close()
	const badToken = "0123456789abcdef0123456789abcdef01234567"
	host := strings.TrimPrefix(g.URL, "http://")
	tests := []struct {
		name    string
		url     string
		token   func() (string, error)
		want    error
		wantTxt string
	}{
		{"wrong token", repo.url, func() (string, error) { return badToken, nil }, forge.ErrUnauthorized, "forgejo " + host + " admin1/fleet: "},
		{"missing repository", g.URL + "/admin1/nope.git", func() (string, error) { return g.Token, nil }, forge.ErrNotFound, "forgejo " + host + " admin1/nope: "},
		{"forge down", down, func() (string, error) { return g.Token, nil }, forge.ErrUnavailable, "admin1/fleet: "},
		{"token file missing", repo.url, func() (string, error) { return "", errors.New("open /secrets/token: no such file") }, forge.ErrToken, "/secrets/token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := forge.New("forgejo", tc.url, forge.WithToken(tc.token), forge.WithTimeout(10*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = f.Ensure(ctx, forge.Request{Base: "main", Head: "hoist/main", Title: "x"})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Ensure error = %v, want %v", err, tc.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantTxt) || strings.Contains(msg, badToken) || strings.Contains(msg, g.Token) || strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error %q: want it to name %q, on one line, without the token", msg, tc.wantTxt)
			}
			if _, err := f.PullRequests(ctx, "hoist/main"); !errors.Is(err, tc.want) {
				t.Errorf("PullRequests error = %v, want %v", err, tc.want)
			}
		})
	}
}
