package forge_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/gitwriter/forge"
)

// Answers in the shapes of docs.gitlab.com/api/merge_requests.
const (
	glMR4 = `{"id":104,"iid":4,"state":"opened","web_url":"https://gitlab.example.com/acme/infra/fleet/-/merge_requests/4",
	  "title":"Update app","description":"table","source_branch":"hoist/main","target_branch":"main","sha":"abc123",
	  "assignees":[{"id":11,"username":"bob"}]}`
	glList = `[` + glMR4 + `,
	  {"id":103,"iid":3,"state":"merged","web_url":"u3","title":"t3","source_branch":"hoist/main","target_branch":"main","sha":"d3"},
	  {"id":102,"iid":2,"state":"closed","web_url":"u2","title":"t2","source_branch":"hoist/main","target_branch":"main","sha":"d2"}]`
	glProject = "/api/v4/projects/acme%2Finfra%2Ffleet"
)

func newGitLabFake(t *testing.T, routes map[string]route) (*fakeForge, forge.Forge) {
	fake := newFakeForge(t, "PRIVATE-TOKEN", routes)
	f, err := forge.New("gitlab", "https://gitlab.example.com/acme/infra/fleet.git", static("glpat-secret"), forge.WithAPIURL(fake.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return fake, f
}

func TestGitLabEnsureOpens(t *testing.T) {
	fake, f := newGitLabFake(t, map[string]route{
		"GET " + glProject + "/merge_requests":         {200, `[]`},
		"GET /api/v4/users":                            {200, `[{"id":11,"username":"bob"}]`},
		"POST " + glProject + "/merge_requests":        {201, glMR4},
		"PUT " + glProject + "/merge_requests/4/merge": {200, glMR4},
	})
	pr, created, err := f.Ensure(t.Context(), forge.Request{Base: "main", Head: "hoist/main", Title: "Update app", Body: "table",
		Labels: []string{"images", "auto"}, Reviewers: []string{"bob"}, Assignees: []string{"bob"}, Draft: true, AutoMerge: true})
	if err != nil || !created {
		t.Fatalf("Ensure = created %v, %v", created, err)
	}
	want := forge.PullRequest{Number: 4, URL: "https://gitlab.example.com/acme/infra/fleet/-/merge_requests/4", State: forge.Open,
		Head: "hoist/main", Base: "main", HeadSHA: "abc123", Title: "Update app", Body: "table"}
	if diff := cmp.Diff(want, pr); diff != "" {
		t.Errorf("merge request mismatch (-want +got):\n%s", diff)
	}
	list := fake.find("GET", glProject+"/merge_requests")
	q, _ := url.ParseQuery(list.Query)
	if q.Get("source_branch") != "hoist/main" || q.Get("state") != "opened" || list.Auth != "glpat-secret" {
		t.Errorf("list query %q auth %q: want source_branch, state=opened, PRIVATE-TOKEN", list.Query, list.Auth)
	}
	wantBody := map[string]any{"title": "Draft: Update app", "description": "table", "source_branch": "hoist/main",
		"target_branch": "main", "labels": "images,auto", "assignee_ids": []any{11.0}, "reviewer_ids": []any{11.0}}
	if diff := cmp.Diff(wantBody, fake.find("POST", glProject+"/merge_requests").Body); diff != "" {
		t.Errorf("create body mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"auto_merge": true, "merge_when_pipeline_succeeds": true}, fake.find("PUT", glProject+"/merge_requests/4/merge").Body); diff != "" {
		t.Errorf("merge body mismatch (-want +got):\n%s", diff)
	}
}

func TestGitLabEnsureUpdates(t *testing.T) {
	fake, f := newGitLabFake(t, map[string]route{
		"GET " + glProject + "/merge_requests":   {200, `[` + glMR4 + `]`},
		"PUT " + glProject + "/merge_requests/4": {200, glMR4},
	})
	_, created, err := f.Ensure(t.Context(), forge.Request{Base: "main", Head: "hoist/main", Title: "Update app to 2", Body: "new", Labels: []string{"images"}})
	if err != nil || created {
		t.Fatalf("Ensure = created %v, %v; want an update", created, err)
	}
	want := map[string]any{"title": "Update app to 2", "description": "new", "add_labels": "images"}
	if diff := cmp.Diff(want, fake.find("PUT", glProject+"/merge_requests/4").Body); diff != "" {
		t.Errorf("update body mismatch (-want +got):\n%s", diff)
	}
	if n := len(fake.requests()); n != 2 {
		t.Errorf("requests = %v, want a list and one update", fake.requests())
	}
}

func TestGitLabPullRequestsAndClose(t *testing.T) {
	fake, f := newGitLabFake(t, map[string]route{
		"GET " + glProject + "/merge_requests":          {200, glList},
		"POST " + glProject + "/merge_requests/4/notes": {201, `{"id":1,"body":"done"}`},
		"PUT " + glProject + "/merge_requests/4":        {200, glMR4},
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
	q, _ := url.ParseQuery(fake.find("GET", glProject+"/merge_requests").Query)
	if q.Get("source_branch") != "hoist/main" || q.Get("state") != "" || q.Get("order_by") != "created_at" || q.Get("sort") != "desc" {
		t.Errorf("list query = %v", q)
	}
	if err := f.Close(t.Context(), 4, "done"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"state_event": "close"}, fake.find("PUT", glProject+"/merge_requests/4").Body); diff != "" {
		t.Errorf("close body mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"body": "done"}, fake.find("POST", glProject+"/merge_requests/4/notes").Body); diff != "" {
		t.Errorf("note body mismatch (-want +got):\n%s", diff)
	}
}

func TestGitLabErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"bad token", 401, `{"message":"401 Unauthorized"}`, forge.ErrUnauthorized},
		{"missing project", 404, `{"message":"404 Project Not Found"}`, forge.ErrNotFound},
		{"scope", 403, `{"error":"insufficient_scope"}`, forge.ErrForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, f := newGitLabFake(t, map[string]route{"GET " + glProject + "/merge_requests": {tc.status, tc.body}})
			_, err := f.PullRequests(t.Context(), "hoist/main")
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "gitlab gitlab.example.com acme/infra/fleet: ") || strings.Contains(msg, "glpat-secret") {
				t.Errorf("error %q: want the host and project path, no token", msg)
			}
		})
	}
}
