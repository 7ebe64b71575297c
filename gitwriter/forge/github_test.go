package forge_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/gitwriter/forge"
)

// Answers in the shapes of docs.github.com/rest/pulls/pulls.
const (
	ghPR7 = `{"number":7,"state":"open","html_url":"https://ghe.example.com/acme/fleet/pull/7","title":"Update app","body":"table",
	  "head":{"ref":"hoist/main","sha":"abc123"},"base":{"ref":"main"},"merged_at":null}`
	ghList = `[` + ghPR7 + `,
	  {"number":5,"state":"closed","html_url":"u5","title":"t5","head":{"ref":"hoist/main","sha":"d5"},"base":{"ref":"main"},"merged_at":"2024-01-02T03:04:05Z"},
	  {"number":3,"state":"closed","html_url":"u3","title":"t3","head":{"ref":"hoist/main","sha":"d3"},"base":{"ref":"main"},"merged_at":null}]`
)

func newGitHubFake(t *testing.T, routes map[string]route) (*fakeForge, forge.Forge) {
	fake := newFakeForge(t, "Authorization", routes)
	f, err := forge.New("github", "git@ghe.example.com:acme/fleet.git", static("ghp_secret"), forge.WithAPIURL(fake.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return fake, f
}

func TestGitHubEnsureOpens(t *testing.T) {
	fake, f := newGitHubFake(t, map[string]route{
		"GET /api/v3/repos/acme/fleet/pulls":                        {200, `[]`},
		"POST /api/v3/repos/acme/fleet/pulls":                       {201, ghPR7},
		"POST /api/v3/repos/acme/fleet/pulls/7/requested_reviewers": {201, ghPR7},
		"POST /api/v3/repos/acme/fleet/issues/7/labels":             {200, `[{"name":"images"}]`},
		"POST /api/v3/repos/acme/fleet/issues/7/assignees":          {201, `{"number":7}`},
	})
	pr, created, err := f.Ensure(t.Context(), forge.Request{Base: "main", Head: "hoist/main", Title: "Update app", Body: "table",
		Labels: []string{"images"}, Reviewers: []string{"alice"}, Assignees: []string{"bob"}, Draft: true})
	if err != nil || !created {
		t.Fatalf("Ensure = created %v, %v", created, err)
	}
	want := forge.PullRequest{Number: 7, URL: "https://ghe.example.com/acme/fleet/pull/7", State: forge.Open,
		Head: "hoist/main", Base: "main", HeadSHA: "abc123", Title: "Update app", Body: "table"}
	if diff := cmp.Diff(want, pr); diff != "" {
		t.Errorf("pull request mismatch (-want +got):\n%s", diff)
	}
	list := fake.find("GET", "/api/v3/repos/acme/fleet/pulls")
	q, _ := url.ParseQuery(list.Query)
	if q.Get("head") != "acme:hoist/main" || q.Get("state") != "open" || list.Auth != "Bearer ghp_secret" {
		t.Errorf("list query %q auth %q: want head=acme:hoist/main, state=open, Bearer token", list.Query, list.Auth)
	}
	checks := []struct {
		path string
		want any
	}{
		{"/api/v3/repos/acme/fleet/pulls", map[string]any{"title": "Update app", "head": "hoist/main", "base": "main", "body": "table", "draft": true}},
		{"/api/v3/repos/acme/fleet/pulls/7/requested_reviewers", map[string]any{"reviewers": []any{"alice"}}},
		{"/api/v3/repos/acme/fleet/issues/7/labels", []any{"images"}}, // GitHub takes a bare array too
		{"/api/v3/repos/acme/fleet/issues/7/assignees", map[string]any{"assignees": []any{"bob"}}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, fake.find("POST", c.path).Body); diff != "" {
			t.Errorf("POST %s body mismatch (-want +got):\n%s", c.path, diff)
		}
	}
}

func TestGitHubEnsureUpdates(t *testing.T) {
	fake, f := newGitHubFake(t, map[string]route{
		"GET /api/v3/repos/acme/fleet/pulls":     {200, `[` + ghPR7 + `]`},
		"PATCH /api/v3/repos/acme/fleet/pulls/7": {200, strings.Replace(ghPR7, `"Update app"`, `"Update app to 2"`, 1)},
	})
	pr, created, err := f.Ensure(t.Context(), forge.Request{Base: "main", Head: "hoist/main", Title: "Update app to 2", Body: "new", Reviewers: []string{"alice"}})
	if err != nil || created || pr.Number != 7 || pr.Title != "Update app to 2" {
		t.Fatalf("Ensure = %+v created %v, %v; want #7 updated", pr, created, err)
	}
	want := []string{"GET /api/v3/repos/acme/fleet/pulls", "PATCH /api/v3/repos/acme/fleet/pulls/7"}
	if diff := cmp.Diff(want, fake.requests()); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff) // no second POST, reviewers untouched
	}
	if diff := cmp.Diff(map[string]any{"title": "Update app to 2", "body": "new"}, fake.find("PATCH", "/api/v3/repos/acme/fleet/pulls/7").Body); diff != "" {
		t.Errorf("PATCH body mismatch (-want +got):\n%s", diff)
	}
}

func TestGitHubPullRequestsAndClose(t *testing.T) {
	fake, f := newGitHubFake(t, map[string]route{
		"GET /api/v3/repos/acme/fleet/pulls":              {200, ghList},
		"POST /api/v3/repos/acme/fleet/issues/7/comments": {201, `{"id":1,"body":"done"}`},
		"PATCH /api/v3/repos/acme/fleet/pulls/7":          {200, ghPR7},
	})
	prs, err := f.PullRequests(t.Context(), "hoist/main")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range prs {
		got = append(got, string(p.State))
	}
	if diff := cmp.Diff([]string{"open", "merged", "closed"}, got); diff != "" {
		t.Errorf("states mismatch (-want +got):\n%s", diff)
	}
	q, _ := url.ParseQuery(fake.find("GET", "/api/v3/repos/acme/fleet/pulls").Query)
	if q.Get("state") != "all" || q.Get("sort") != "created" || q.Get("direction") != "desc" || q.Get("per_page") != "50" {
		t.Errorf("list query = %v", q)
	}
	if err := f.Close(t.Context(), 7, "done"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"state": "closed"}, fake.find("PATCH", "/api/v3/repos/acme/fleet/pulls/7").Body); diff != "" {
		t.Errorf("close body mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"body": "done"}, fake.find("POST", "/api/v3/repos/acme/fleet/issues/7/comments").Body); diff != "" {
		t.Errorf("comment body mismatch (-want +got):\n%s", diff)
	}
}

func TestGitHubErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"bad credentials", 401, `{"message":"Bad credentials ghp_secret","documentation_url":"https://docs.github.com/rest"}`, forge.ErrUnauthorized},
		{"missing repository", 404, `{"message":"Not Found"}`, forge.ErrNotFound},
		{"validation", 422, `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and hoist/main"}]}`, forge.ErrRejected},
		{"server error", 502, "<html>\x1b[31mbad gateway" + strings.Repeat("x", 500), forge.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, f := newGitHubFake(t, map[string]route{"GET /api/v3/repos/acme/fleet/pulls": {tc.status, tc.body}})
			_, _, err := f.Ensure(t.Context(), forge.Request{Base: "main", Head: "hoist/main", Title: "x"})
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "github ghe.example.com acme/fleet: ") || strings.Contains(msg, "ghp_secret") ||
				strings.ContainsAny(msg, "\x1b\n") || len(msg) > 400 {
				t.Errorf("error %q: want the host and repo, one capped line, no token", msg)
			}
		})
	}
}

func TestGitHubAutoMergeUnsupported(t *testing.T) {
	_, f := newGitHubFake(t, map[string]route{
		"GET /api/v3/repos/acme/fleet/pulls":  {200, `[]`},
		"POST /api/v3/repos/acme/fleet/pulls": {201, ghPR7},
	})
	pr, created, err := f.Ensure(t.Context(), forge.Request{Base: "main", Head: "hoist/main", Title: "x", AutoMerge: true})
	if !errors.Is(err, forge.ErrAutoMerge) || !created || pr.Number != 7 {
		t.Fatalf("Ensure = #%d created %v, %v; want #7 opened and ErrAutoMerge", pr.Number, created, err)
	}
}
