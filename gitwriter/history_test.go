package gitwriter

import (
	"context"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestHistory(t *testing.T) {
	bare, url := daemonRepo(t)
	w := mustOpen(t, url, WithAuthor("bot", "bot@example.com"))
	ctx := context.Background()
	for _, tag := range []string{"2.0.1", "2.0.2"} {
		_, err := w.Update(ctx, setTo("deploy/web.yaml", "tag: "+tag+"\n", "apps:web", tag))
		must(t, err)
		outsidePush(t, bare, "README.md", "after "+tag+"\n")
	}
	_, err := w.Update(ctx, passEdit("7"))
	must(t, err)

	// A fresh shallow clone still reads the whole audit log.
	r := mustOpen(t, url)
	got, err := r.History(ctx, 0)
	must(t, err)
	want := []Entry{
		{Policy: "apps:a", Image: "ghcr.io/acme/a:7", To: "7"},
		{Policy: "apps:b", Image: "ghcr.io/acme/b:7", To: "7"},
		{Policy: "apps:web", Image: "ghcr.io/acme/web:2.0.2", To: "2.0.2"},
		{Policy: "apps:web", Image: "ghcr.io/acme/web:2.0.1", To: "2.0.1"},
	}
	ignore := cmpopts.IgnoreFields(Entry{}, "Commit", "When", "Author")
	if diff := cmp.Diff(want, got, ignore); diff != "" {
		t.Errorf("History mismatch (-want +got):\n%s", diff)
	}
	for _, e := range got {
		if e.Author != "bot <bot@example.com>" || e.When.IsZero() || len(e.Commit) != 40 {
			t.Errorf("entry %+v lacks author, time or commit", e)
		}
	}
	two, err := r.History(ctx, 2)
	must(t, err)
	if diff := cmp.Diff(want[:2], two, ignore); diff != "" {
		t.Errorf("History(limit 2) mismatch (-want +got):\n%s", diff)
	}
}

// FuzzParseTrailers reads arbitrary commit messages: it never panics, every
// trailer it returns comes from one line of the message's last paragraph,
// and trailers gitwriter renders always read back.
func FuzzParseTrailers(f *testing.F) {
	f.Add("Update images: api 1.4.3\n\napps:api: 1.4.2 -> 1.4.3\n\nHoist-Policy: apps:api\nHoist-Image: ghcr.io/acme/api:1.4.3\n", "apps:web")
	f.Add("no trailers", "p")
	f.Add("a\n\nKey: v\n\n", "x:y")
	f.Fuzz(func(t *testing.T, msg, policy string) {
		for _, kv := range ParseTrailers(msg) {
			if strings.ContainsAny(kv[0], " \t\n") || strings.Contains(kv[1], "\n") {
				t.Fatalf("malformed trailer %q from %q", kv, msg)
			}
		}
		c := Change{Updates: []Update{{Policy: policy, Image: "img:1", To: "1"}}}
		got := entries(&object.Commit{Message: msg + "\n\n" + trailers(c) + "\n"})
		if len(got) != 1 || unquote(got[0].Policy) != policy || got[0].Image != "img:1" || got[0].To != "1" {
			t.Errorf("entries after rendered trailers for %q = %+v", policy, got)
		}
	})
}
