package gitwriter

import (
	"context"
	"testing"

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
