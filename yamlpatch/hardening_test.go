package yamlpatch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

const marked = `image: ghcr.io/acme/api:1.4.2 # {"$imagepolicy": "apps:api"}` + "\n"

var apiRefs = map[string]Ref{"apps:api": {Name: "ghcr.io/acme/api", Tag: "1.5.0"}}

func problemStrings(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Error())
	}
	return out
}

func TestErrorLine(t *testing.T) {
	_, yerr := parseDocs([]byte("a: b\nc: [\n"))
	var typed struct{ A int }
	terr := yaml.Unmarshal([]byte("x: 1\na: str\n"), &typed)
	tests := map[string]struct {
		err      error
		line     int
		msg      string
		contains bool
	}{
		"nil":         {nil, 0, "", false},
		"parser":      {yerr, 2, "did not find expected node content", false},
		"wrapped":     {fmt.Errorf("parsing YAML: %w", errors.New("yaml: line 5: bad thing")), 5, "bad thing", false},
		"no line":     {errors.New("yaml: control characters are not allowed"), 0, "control characters are not allowed", false},
		"not yaml":    {errors.New("open x: no such file"), 0, "open x: no such file", false},
		"type error":  {terr, 2, "cannot unmarshal !!str `str` into int", false},
		"bad number":  {errors.New("yaml: line x: y"), 0, "line x: y", false},
		"line zero":   {errors.New("yaml: line 0: y"), 0, "line 0: y", false},
		"no message":  {errors.New("yaml: line 7"), 0, "line 7", false},
		"text inside": {errors.New("loading: yaml: line 2: found `yaml: ` in text"), 2, "found `yaml: ` in text", false},
	}
	for name, tc := range tests {
		line, msg := ErrorLine(tc.err)
		if diff := cmp.Diff(fmt.Sprint(tc.line, " ", tc.msg), fmt.Sprint(line, " ", msg)); diff != "" {
			t.Errorf("%s: ErrorLine(%v) mismatch (-want +got):\n%s", name, tc.err, diff)
		}
	}
}

func utf16(s string, bigEndian, bom bool) string {
	var b []byte
	if bom {
		b = []byte{0xFF, 0xFE}
		if bigEndian {
			b = []byte{0xFE, 0xFF}
		}
	}
	for i := 0; i < len(s); i++ {
		if bigEndian {
			b = append(b, 0, s[i])
		} else {
			b = append(b, s[i], 0)
		}
	}
	return string(b)
}

// TestEncodingProblems checks that a parse error the YAML reader gives
// without a line gets one, with the byte offset, and that a UTF-16 file
// holding a marker is reported, not skipped.
func TestEncodingProblems(t *testing.T) {
	tests := map[string]struct {
		src  string
		want []string
	}{
		"NUL": {"a: b\n" + marked + "c: \x00\n",
			[]string{"f.yaml:3: parsing: control characters are not allowed (character U+0000 at byte offset 69)"}},
		"control": {marked + "\x01: x\n",
			[]string{"f.yaml:2: parsing: control characters are not allowed (character U+0001 at byte offset 61)"}},
		"invalid UTF-8": {"a: \xff\n" + marked,
			[]string{"f.yaml:1: parsing: invalid leading UTF-8 octet (invalid UTF-8 byte 0xFF at byte offset 3)"}},
		"UTF-16LE BOM":     {utf16(marked, false, true), []string{"f.yaml: " + msgUTF16}},
		"UTF-16BE BOM":     {utf16(marked, true, true), []string{"f.yaml: " + msgUTF16}},
		"UTF-16LE no BOM":  {utf16(marked, false, false), []string{"f.yaml: " + msgUTF16}},
		"UTF-16 no marker": {utf16("a: b\n", false, true), nil},
		"BOM then UTF-8":   {"\xff\xfe" + marked, []string{"f.yaml: " + msgUTF16}},
	}
	for name, tc := range tests {
		root := writeTree(t, map[string]string{"f.yaml": tc.src})
		res, err := Apply(root, apiRefs)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, problemStrings(res.Problems)); diff != "" {
			t.Errorf("%s: Apply problems mismatch (-want +got):\n%s", name, diff)
		}
		_, probs, err := Scan(root)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, problemStrings(probs)); diff != "" {
			t.Errorf("%s: Scan problems mismatch (-want +got):\n%s", name, diff)
		}
	}
}

// TestMaxFileSize checks that a marked file over the limit is reported and
// left alone, a big file without markers is skipped, and the rest goes on.
// The marker of big.yaml straddles the 64 KiB chunks the search reads.
func TestMaxFileSize(t *testing.T) {
	pad := strings.Repeat("# padding\n", 6553) // 65530 bytes
	root := writeTree(t, map[string]string{
		"big.yaml":    pad + marked,
		"quiet.yaml":  pad + "a: b\n",
		"small.yaml":  marked,
		"border.yaml": "#" + strings.Repeat("x", 2048-len(marked)-2) + "\n" + marked, // exactly the limit
	})
	want := []string{"big.yaml: file too large to rewrite: 0.1 MiB > 0.0 MiB limit"}
	res, err := Apply(root, apiRefs, WithMaxFileSize(2048))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, problemStrings(res.Problems)); diff != "" {
		t.Errorf("Apply problems mismatch (-want +got):\n%s", diff)
	}
	if len(res.Changes) != 2 {
		t.Errorf("Apply changed %v, want small.yaml and border.yaml", res.Changes)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "big.yaml")); string(got) != pad+marked {
		t.Error("big.yaml was changed")
	}
	_, probs, err := Scan(root, WithMaxFileSize(2048))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, problemStrings(probs)); diff != "" {
		t.Errorf("Scan problems mismatch (-want +got):\n%s", diff)
	}
	if _, err := makeOptions(WithMaxFileSize(0)); err == nil {
		t.Error("WithMaxFileSize(0) accepted")
	}
	if got := (&tooLargeError{size: 23_500_000, limit: 8 << 20}).Error(); got != "file too large to rewrite: 22.4 MiB > 8 MiB limit" {
		t.Errorf("message = %q", got)
	}
}

// withWriter replaces the function that writes changed files.
func withWriter(w func(string, []byte, fileMeta, writeOpts) error) Option {
	return func(o *options) error {
		o.write = w
		return nil
	}
}

// TestWriteFailureIsAnError checks that a write failing mid-Apply (a full
// disk) makes Apply fail, naming the file, rather than look like no change.
func TestWriteFailureIsAnError(t *testing.T) {
	root := writeTree(t, map[string]string{"a.yaml": marked, "b.yaml": marked})
	full := func(path string, data []byte, meta fileMeta, w writeOpts) error {
		if filepath.Base(path) == "b.yaml" {
			return &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
		}
		return writeFile(path, data, meta, w)
	}
	res, err := Apply(root, apiRefs, withWriter(full))
	if !errors.Is(err, ErrWrite) || !strings.Contains(err.Error(), "b.yaml: changes not written") ||
		!strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("Apply error = %v, want ErrWrite naming b.yaml and ENOSPC", err)
	}
	if len(res.Changes) != 1 || res.Changes[0].File != "a.yaml" || len(res.Problems) != 1 {
		t.Errorf("Apply = %+v, want the change of a.yaml and a problem for b.yaml", res)
	}
}

// TestInPlaceWrites checks that in-place writes keep the inode (and so
// mode and owner), and that a hard-linked file is replaced by rename.
func TestInPlaceWrites(t *testing.T) {
	root := writeTree(t, map[string]string{"a.yaml": marked, "linked.yaml": marked})
	if err := os.Chmod(filepath.Join(root, "a.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.yaml")
	if err := os.Link(filepath.Join(root, "linked.yaml"), other); err != nil {
		t.Fatal(err)
	}
	inoBefore := inode(t, filepath.Join(root, "a.yaml"))
	res, err := Apply(root, apiRefs, WithInPlaceWrites(), WithSync())
	if err != nil || len(res.Changes) != 2 {
		t.Fatalf("Apply = %+v, %v", res, err)
	}
	fi, _ := os.Stat(filepath.Join(root, "a.yaml"))
	if inode(t, filepath.Join(root, "a.yaml")) != inoBefore || fi.Mode().Perm() != 0o600 {
		t.Errorf("a.yaml: inode or mode changed (mode %v)", fi.Mode())
	}
	for path, want := range map[string]string{filepath.Join(root, "a.yaml"): "1.5.0", filepath.Join(root, "linked.yaml"): "1.5.0", other: "1.4.2"} {
		if got, _ := os.ReadFile(path); !strings.Contains(string(got), want) {
			t.Errorf("%s = %q, want %s", path, got, want)
		}
	}
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// TestVerifyRejectsTaggedValues checks that re-parse verification, on its
// own, refuses a new value that keeps a YAML type tag (!!int 1.2.0).
func TestVerifyRejectsTaggedValues(t *testing.T) {
	for _, tag := range []string{"!!int", "!!binary", "!!bool", "!!float", "!!timestamp"} {
		p, err := parseFile([]byte("a: " + tag + " 12\n"))
		if err != nil {
			t.Fatal(err)
		}
		out := []byte("a: " + tag + " 1.2.0\n")
		if err := verify(p.flat(), out, []edit{{idx: 3, value: "1.2.0", node: p.flat()[3]}}); err == nil {
			t.Errorf("verify accepted %q", out)
		}
	}
	p, _ := parseFile([]byte("a: !e 12\n"))
	if err := verify(p.flat(), []byte("a: !e 1.2.0\n"), []edit{{idx: 3, value: "1.2.0", node: p.flat()[3]}}); err != nil {
		t.Errorf("verify refused an application tag: %v", err)
	}
}

// TestQuickSafe checks which edits are verified without a re-parse; every
// case is also checked with the full verification.
func TestQuickSafe(t *testing.T) {
	tests := map[string]struct {
		src, tag string
		quick    bool
	}{
		"plain":              {"a: x:1 # {\"$imagepolicy\": \"apps:api\"}\n", "2", true},
		"plain number-like":  {"a: 1.4 # {\"$imagepolicy\": \"apps:api:tag\"}\n", "1.5.0", true},
		"double":             {"a: \"x\" # {\"$imagepolicy\": \"apps:api\"}\n", `a"b\c`, true},
		"single":             {"a: 'x' # {\"$imagepolicy\": \"apps:api\"}\n", "it's", true},
		"flow":               {"a: [x:1, y] # {\"$imagepolicy\": \"apps:api\"}\n", "2", false}, // marker on the sequence
		"flow item":          {"a: [y, x:1 # {\"$imagepolicy\": \"apps:api\"}\n ]\n", "2", true},
		"flow colon":         {"a: [y, x:1 # {\"$imagepolicy\": \"apps:api:tag\"}\n ]\n", "a: b", false},
		"plain to quoted":    {"a: x # {\"$imagepolicy\": \"apps:api:tag\"}\n", "true", false},
		"single to double":   {"a: 'x' # {\"$imagepolicy\": \"apps:api:tag\"}\n", "a\tb", false},
		"invalid UTF-8":      {"a: \"x\" # {\"$imagepolicy\": \"apps:api:tag\"}\n", "\xff", false},
		"multi-line quoted":  {"a: \"x\n  y\" # {\"$imagepolicy\": \"apps:api:tag\"}\n", "z", false},
		"application tag":    {"a: !e x # {\"$imagepolicy\": \"apps:api:tag\"}\n", "z", false},
		"string tag":         {"a: !!str 1 # {\"$imagepolicy\": \"apps:api:tag\"}\n", "v2", true},
		"anchored and alias": {"a: &k x # {\"$imagepolicy\": \"apps:api:tag\"}\nb: *k\n", "z", true},
	}
	for name, tc := range tests {
		var fr fileResult
		l := parseSource("f.yaml", []byte(tc.src), fileMeta{}, &fr)
		o, _ := makeOptions()
		refs := map[string]Ref{"apps:api": {Name: "n", Tag: tc.tag}}
		edits, _ := o.plan("f.yaml", l, refs, &fr)
		if len(edits) == 0 {
			if tc.quick {
				t.Errorf("%s: no edit (problems %v)", name, fr.problems)
			}
			continue
		}
		if got := o.quickSafe(l, edits); got != tc.quick {
			t.Errorf("%s: quickSafe = %v, want %v", name, got, tc.quick)
		}
		if err := verify(l.flat(), applyEdits(l.src, edits), edits); tc.quick && err != nil {
			t.Errorf("%s: quickSafe but verify says %v", name, err)
		}
	}
}
