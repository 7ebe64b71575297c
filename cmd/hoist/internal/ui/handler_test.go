package ui

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// get serves one request to h and returns the response and its body.
func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return res, string(body)
}

func TestStatusJSON(t *testing.T) {
	st := fixture()
	for i := range st.Repositories { // a few passes are enough for the shape
		ps := st.Repositories[i].Passes
		st.Repositories[i].Passes = ps[max(0, len(ps)-2):]
	}
	res, body := get(t, Handler(fakeSource{st}), "/api/v1/status")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/status: %s, Content-Type %q", res.Status, res.Header.Get("Content-Type"))
	}
	golden := filepath.Join("testdata", "status.golden.json")
	if *update {
		if err := os.WriteFile(golden, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to write it): %v", err)
	}
	if diff := cmp.Diff(string(want), body); diff != "" {
		t.Errorf("GET /api/v1/status mismatch (-want +got):\n%s", diff)
	}
	for _, secret := range []string{"ghp_s3cr3tT0ken", "hunter2", "private_token", "hoist-bot", "<script>"} {
		if strings.Contains(body, secret) {
			t.Errorf("JSON holds %q", secret)
		}
	}
	var got Status
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("decoding status: %v", err)
	}
	if c := got.Repositories[2].LastCommit; c == nil || c.URL != "" {
		t.Errorf("hostile commit link = %+v, want one without URL", c)
	}
}

func TestPageEscapes(t *testing.T) {
	res, body := get(t, Handler(fakeSource{fixture()}), "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %s", res.Status)
	}
	if strings.Contains(strings.ToLower(body), "<script") {
		t.Errorf("page holds a script element:\n%s", body)
	}
	if strings.Contains(body, `href="javascript`) || strings.Contains(body, "ZgotmplZ") {
		t.Errorf("page links to a javascript: URL")
	}
	escaped := "&lt;script&gt;alert(1)&lt;/script&gt;"
	// The name, URL-less commit, policy ID, image, versions, reason, held
	// text, problems and history of the hostile repository: all text.
	if n := strings.Count(body, escaped); n < 15 {
		t.Errorf("page shows the hostile name escaped %d times, want at least 15", n)
	}
	for _, secret := range []string{"ghp_s3cr3tT0ken", "hunter2", "private_token", "hoist-bot"} {
		if strings.Contains(body, secret) {
			t.Errorf("page holds %q", secret)
		}
	}
}

func TestHeaders(t *testing.T) {
	h := Handler(fakeSource{fixture()})
	for _, tc := range []struct {
		path, status, contentType string
	}{
		{"/", "200 OK", "text/html; charset=utf-8"},
		{"/api/v1/status", "200 OK", "application/json"},
		{"/static/style.css", "200 OK", "text/css; charset=utf-8"},
		{"/static/", "404 Not Found", "text/plain; charset=utf-8"}, // no listing
		{"/nope", "404 Not Found", "text/plain; charset=utf-8"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res, _ := get(t, h, tc.path)
			got := map[string]string{"status": res.Status}
			for _, k := range []string{"Content-Type", "Content-Security-Policy", "X-Content-Type-Options",
				"Referrer-Policy", "Cache-Control", "X-Frame-Options"} {
				got[k] = res.Header.Get(k)
			}
			want := map[string]string{
				"status":                  tc.status,
				"Content-Type":            tc.contentType,
				"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "no-referrer",
				"Cache-Control":           "no-store",
				"X-Frame-Options":         "DENY",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("GET %s headers mismatch (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}

func TestReadOnly(t *testing.T) {
	h := Handler(fakeSource{fixture()})
	for _, path := range []string{"/", "/api/v1/status"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader("x")))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: %d, want 405", path, rec.Code)
		}
	}
}

func TestEmptyStatus(t *testing.T) {
	h := Handler(fakeSource{Status{GeneratedAt: now}})
	if _, body := get(t, h, "/"); !strings.Contains(body, "No repositories configured.") {
		t.Errorf("empty page lacks its note:\n%s", body)
	}
	if _, body := get(t, h, "/api/v1/status"); !strings.Contains(body, `"repositories": []`) {
		t.Errorf("empty JSON lacks an empty list:\n%s", body)
	}
}

func TestSourceGetsDeadline(t *testing.T) {
	var left time.Duration
	src := SourceFunc(func(ctx context.Context) Status {
		if d, ok := ctx.Deadline(); ok {
			left = time.Until(d)
		}
		return Status{GeneratedAt: now}
	})
	get(t, Handler(src, WithTimeout(time.Second)), "/api/v1/status")
	if left <= 0 || left > time.Second {
		t.Errorf("Source had %v left, want a deadline within 1s", left)
	}
}

func TestRefresh(t *testing.T) {
	for name, tc := range map[string]struct {
		opts []Option
		want string
	}{
		"default": {nil, `<meta http-equiv="refresh" content="30">`},
		"set":     {[]Option{WithRefresh(10 * time.Second)}, `<meta http-equiv="refresh" content="10">`},
		"off":     {[]Option{WithRefresh(0)}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, body := get(t, Handler(fakeSource{fixture()}, tc.opts...), "/")
			got := ""
			if i := strings.Index(body, `<meta http-equiv="refresh"`); i >= 0 {
				got = body[i : i+strings.Index(body[i:], ">")+1]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("refresh tag mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBounded serves a source with far too much: the page shows a bounded
// part and says how much it left out.
func TestBounded(t *testing.T) {
	repo := Repository{Name: "big"}
	for i := range 2000 {
		repo.Policies = append(repo.Policies, Policy{ID: fmt.Sprint("p", i)})
		repo.Problems = append(repo.Problems, Problem{Message: "m"})
		repo.History = append(repo.History, Event{Commit: "c", Kind: Update})
	}
	repo.Policies[0].Reason = strings.Repeat("x", 1<<20)
	_, body := get(t, Handler(fakeSource{Status{GeneratedAt: now, Repositories: []Repository{repo}}}), "/api/v1/status")
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	r := st.Repositories[0]
	got := []int{len(r.Policies), len(r.Problems), len(r.History), r.Omitted, len([]rune(r.Policies[0].Reason))}
	if diff := cmp.Diff([]int{500, 200, 100, 1500 + 1800 + 1900, 500}, got); diff != "" {
		t.Errorf("policies, problems, history, omitted, reason length mismatch (-want +got):\n%s", diff)
	}
}
