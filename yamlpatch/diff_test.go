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

func TestLineOffsets(t *testing.T) {
	for in, want := range map[string][]int{
		"":          {0},
		"a":         {0, 1},
		"a\n":       {0, 2},
		"a\r\nb":    {0, 3, 4},
		"\n\nx\n":   {0, 1, 2, 4},
		"a\rb\nc\n": {0, 4, 6},
	} {
		if diff := cmp.Diff(want, lineOffsets([]byte(in))); diff != "" {
			t.Errorf("lineOffsets(%q) mismatch (-want +got):\n%s", in, diff)
		}
	}
}
