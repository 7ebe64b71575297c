package yamlpatch

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestBadOptions(t *testing.T) {
	root := t.TempDir()
	for name, opt := range map[string]Option{"jobs 0": WithJobs(0), "nil logger": WithLogger(nil)} {
		if _, err := Apply(root, nil, opt); err == nil {
			t.Errorf("Apply with %s: error = nil, want one", name)
		}
		if _, _, err := Scan(root, opt); err == nil {
			t.Errorf("Scan with %s: error = nil, want one", name)
		}
	}
}

func TestLoggingAndJobs(t *testing.T) {
	files := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		files[n+"/f.yaml"] = "i: x # {\"$imagepolicy\": \"p:tag\"}\n"
	}
	for _, jobs := range []int{1, 3, 16} {
		root := writeTree(t, files)
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		res, err := Apply(root, map[string]Ref{"p": {Tag: "y"}}, WithJobs(jobs), WithLogger(log))
		if err != nil || len(res.Changes) != 5 {
			t.Fatalf("jobs=%d: Apply = %d changes, %v; want 5", jobs, len(res.Changes), err)
		}
		for i, c := range res.Changes {
			if want := []string{"a", "b", "c", "d", "e"}[i] + "/f.yaml"; c.File != want {
				t.Errorf("jobs=%d: change %d in %s, want %s (sorted)", jobs, i, c.File, want)
			}
		}
		out := buf.String()
		if !strings.Contains(out, `msg="applied markers" files=5 changes=5 problems=0`) || strings.Count(out, `msg="updated file"`) != 5 {
			t.Errorf("jobs=%d: log lacks the summary or per-file lines:\n%s", jobs, out)
		}
	}
}
