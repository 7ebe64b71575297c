package yamlpatch

import (
	"os"
	"path/filepath"
	"strings"
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

func TestRelSlashAbsPath(t *testing.T) {
	for _, tc := range []struct{ root, path string }{
		{"/r", "/r/a.yaml"},
		{"/r", "/r/d/e/f.yml"},
		{"/r", "/r"},
		{"/", "/a/b.yaml"},
		{"/r/x", "/r/xy/a.yaml"}, // a sibling sharing the root's prefix
	} {
		wantRel, _ := filepath.Rel(tc.root, tc.path)
		rel := relSlash(tc.root, tc.path)
		if rel != filepath.ToSlash(wantRel) {
			t.Errorf("relSlash(%q, %q) = %q, want %q", tc.root, tc.path, rel, wantRel)
		}
		if got, want := absPath(tc.root, rel), filepath.Join(tc.root, rel); rel != "." && !strings.HasPrefix(rel, "..") && got != want {
			t.Errorf("absPath(%q, %q) = %q, want %q", tc.root, rel, got, want)
		}
	}
}
