package yamlpatch

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDiffMatchesGit compares Result.Diff of each golden case with what
// `git diff` prints for the same change (index lines and hunk function
// context removed).
func TestDiffMatchesGit(t *testing.T) {
	git := lookPath(t, "git")
	cases, _ := filepath.Glob("testdata/*/original")
	for _, orig := range cases {
		name := filepath.Base(filepath.Dir(orig))
		t.Run(name, func(t *testing.T) {
			work := t.TempDir()
			copyTree(t, orig, work)
			run := func(args ...string) string {
				cmd := exec.Command(git, append([]string{"-c", "core.autocrlf=false", "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
				cmd.Dir = work
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("git %v: %v", args, err)
				}
				return string(out)
			}
			os.WriteFile(filepath.Join(work, ".gitattributes"), []byte("* -text\n"), 0o644)
			run("init", "-q", ".")
			run("add", "-A")
			run("commit", "-q", "-m", "original")
			res, err := Apply(work, goldenRefs)
			if err != nil {
				t.Fatal(err)
			}
			want := normalizeGitDiff(run("diff", "--no-color", "--no-ext-diff", "-U3"))
			if diff := cmp.Diff(want, res.Diff); diff != "" {
				t.Errorf("Diff differs from git diff (-git +got):\n%s", diff)
			}
		})
	}
}

var (
	indexLine   = regexp.MustCompile(`(?m)^index [0-9a-f]+\.\.[0-9a-f]+( [0-7]+)?\n`)
	hunkContext = regexp.MustCompile(`(?m)^(@@ [^@]* @@).*$`)
)

func normalizeGitDiff(s string) string {
	s = indexLine.ReplaceAllString(s, "")
	return hunkContext.ReplaceAllString(s, "$1")
}

func TestSplitLines(t *testing.T) {
	for in, want := range map[string][]string{
		"":          nil,
		"a":         {"a"},
		"a\n":       {"a\n"},
		"a\r\nb":    {"a\r\n", "b"},
		"\n\nx\n":   {"\n", "\n", "x\n"},
		"a\rb\nc\n": {"a\rb\n", "c\n"},
	} {
		if diff := cmp.Diff(want, splitLines([]byte(in))); diff != "" {
			t.Errorf("splitLines(%q) mismatch (-want +got):\n%s", in, diff)
		}
	}
}
