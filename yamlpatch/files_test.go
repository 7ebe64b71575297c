package yamlpatch

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, 70000)
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	files := map[string][]byte{"empty.yaml": nil, "small.yaml": []byte("a: b\n"), "big.yaml": big}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range files {
		got, meta, err := readFile(filepath.Join(dir, name), defaultMaxFileSize)
		if err != nil || string(got) != string(want) || meta.mode.Perm() != 0o640 || meta.uid != os.Getuid() {
			t.Errorf("readFile(%s) = %d bytes, %v, %v; want %d bytes, -rw-r-----", name, len(got), meta, err, len(want))
		}
	}
	if err := os.Symlink("small.yaml", filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"link.yaml", "fifo.yaml", "missing.yaml"} {
		if _, _, err := readFile(filepath.Join(dir, name), defaultMaxFileSize); err == nil {
			t.Errorf("readFile(%s) error = nil, want one", name)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sync := range []bool{false, true} {
		if err := writeFile(path, []byte("new"), fileMeta{mode: 0o640, uid: os.Geteuid(), gid: os.Getegid()}, writeOpts{sync: sync, euid: os.Geteuid(), egid: os.Getegid()}); err != nil {
			t.Fatalf("writeFile(sync=%v): %v", sync, err)
		}
	}
	if err := writeFile(filepath.Join(dir, "missing", "f.yaml"), []byte("x"), fileMeta{mode: 0o644}, writeOpts{}); err == nil {
		t.Error("writeFile into a missing directory: error = nil, want one")
	}
	// A directory in the way makes the rename fail after the temp file exists.
	if err := os.Mkdir(filepath.Join(dir, "d.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "d.yaml", "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(filepath.Join(dir, "d.yaml"), []byte("x"), fileMeta{mode: 0o644}, writeOpts{}); err == nil {
		t.Error("writeFile over a non-empty directory: error = nil, want one")
	}
	got := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		info, _ := e.Info()
		got[e.Name()] = info.Mode().String()
	}
	want := map[string]string{"f.yaml": "-rw-r-----", "d.yaml": "drwxr-xr-x"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("directory mismatch, temp files left? (-want +got):\n%s", diff)
	}
	if data, _ := os.ReadFile(path); string(data) != "new" {
		t.Errorf("f.yaml = %q, want %q", data, "new")
	}
}

func TestOwnerKept(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file another owner")
	}
	root := writeTree(t, map[string]string{"f.yaml": "i: a # {\"$imagepolicy\": \"p:tag\"}\n"})
	path := filepath.Join(root, "f.yaml")
	if err := os.Chown(path, 12345, 23456); err != nil {
		t.Fatal(err)
	}
	if res, err := Apply(root, map[string]Ref{"p": {Tag: "b"}}); err != nil || len(res.Changes) != 1 {
		t.Fatalf("Apply = %+v, %v; want one change", res, err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != 12345 || st.Gid != 23456 {
		t.Errorf("owner = %d:%d, want 12345:23456", st.Uid, st.Gid)
	}
}

func TestReadFileInto(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.yaml")
	want := "image: a:1 # marker\n"
	if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{0, 4, 64} {
		scratch := make([]byte, 0, size)
		got, _, err := readFileInto(path, defaultMaxFileSize, scratch)
		if err != nil || string(got) != want {
			t.Fatalf("readFileInto(scratch of %d) = %q, %v; want %q", size, got, err, want)
		}
		shared := cap(scratch) > 0 && &got[:1][0] == &scratch[:1][0]
		if fits := size > len(want); shared != fits {
			t.Errorf("readFileInto(scratch of %d) used scratch: %v, want %v", size, shared, fits)
		}
	}
}

func TestAbsPath(t *testing.T) {
	for _, tc := range []struct{ root, rel string }{
		{"/r", "a.yaml"},
		{"/r", "d/e/f.yml"},
		{"/", "a/b.yaml"},
	} {
		if got, want := absPath(tc.root, tc.rel), filepath.Join(tc.root, tc.rel); got != want {
			t.Errorf("absPath(%q, %q) = %q, want %q", tc.root, tc.rel, got, want)
		}
	}
}

// TestListFilesAsWalkDir: the walk lists the files, in the order, and the
// problems that filepath.WalkDir gives.
func TestListFilesAsWalkDir(t *testing.T) {
	outside := t.TempDir()
	root := t.TempDir()
	for _, d := range []string{"b", "a/c", ".git/objects", "z/.git", "unreadable/x"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"b/x.yaml", "a/c/y.yml", "a/Kustomization", "a/readme.md", "a-b.yaml", ".git/objects/o.yaml",
		"z/.git/h.yaml", "z/k.yaml", "unreadable/x/u.yaml", ".hidden.yaml"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("a: b\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(outside, "o.yaml"), nil, 0o644)
	for link, target := range map[string]string{"in.yaml": "b/x.yaml", "out.yaml": filepath.Join(outside, "o.yaml"),
		"outdir": outside, "dangling.yaml": "nothing.yaml", "dangling.txt": "nothing"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 { // root reads any directory
		os.Chmod(filepath.Join(root, "unreadable"), 0)
		defer os.Chmod(filepath.Join(root, "unreadable"), 0o755)
	}
	log := slog.New(slog.DiscardHandler)
	files, problems, err := listFiles(root, log)
	wantFiles, wantProblems, wantErr := walkDirReference(root, log)
	if diff := cmp.Diff(wantFiles, files); diff != "" || err != nil || wantErr != nil {
		t.Errorf("listFiles files mismatch (-want +got), err %v (want %v):\n%s", err, wantErr, diff)
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("listFiles problems mismatch (-want +got):\n%s", diff)
	}
	if len(files) < 6 || len(problems) < 3 {
		t.Errorf("listFiles = %q, %v; want 6 or 7 files and the links' problems", files, problems)
	}
}

// walkDirReference is listFiles as it was, on filepath.WalkDir.
func walkDirReference(root string, log *slog.Logger) ([]string, []Problem, error) {
	var files []string
	var problems []Problem
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		r, _ := filepath.Rel(root, path)
		rel := filepath.ToSlash(r)
		switch {
		case err != nil && path == root:
			return err
		case err != nil:
			problems = append(problems, Problem{File: rel, Reason: fmt.Sprintf("reading: %v", err)})
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			if p, ok := outsideLink(root, path, rel, d.Name()); ok {
				problems = append(problems, p)
			}
		case d.IsDir() && d.Name() == ".git":
			return fs.SkipDir
		case d.Type().IsRegular() && isCandidate(d.Name()):
			files = append(files, rel)
		}
		return nil
	})
	return files, problems, err
}
