package deploy_test

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// startRegistry starts a CNCF distribution registry (plain HTTP) on a free
// loopback port and returns its host:port.
func startRegistry(t *testing.T) string {
	t.Helper()
	bin := need(t, "registry")
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cfg := filepath.Join(dir, "config.yml")
	writeFile(t, cfg, fmt.Sprintf(`version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: %s}}
http: {addr: %s}
`, filepath.Join(dir, "data"), addr))
	reg := startServer(t, bin, "serve", cfg)
	reg.waitFor(t, 30*time.Second, func() error { return httpOK(http.DefaultClient, "http://"+addr+"/v2/", "") })
	return addr
}

// imageEnv are the settings every image.sh run of the test shares, so that the
// push and the layout build the same image.
var imageEnv = []string{
	"VERSION=v0.0.0-test",
	"REVISION=0123456789abcdef0123456789abcdef01234567",
	"SOURCE=https://example.test/hoist",
	"SOURCE_DATE_EPOCH=1700000000",
}

// buildImage runs deploy/image.sh and returns the digest it prints last.
func buildImage(t *testing.T, extraEnv ...string) string {
	t.Helper()
	env := append(append([]string{"TMPDIR=" + t.TempDir()}, imageEnv...), extraEnv...)
	out, _ := run(t, nil, env, "bash", filepath.Join(repoRoot, "deploy", "image.sh"))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	digest := lines[len(lines)-1]
	if !strings.HasPrefix(digest, "sha256:") {
		t.Fatalf("image.sh printed %q last, want the digest; output:\n%s", digest, out)
	}
	return digest
}

func TestImage(t *testing.T) {
	t.Parallel()
	for _, bin := range []string{"bash", "go", "tar", "crane"} {
		need(t, bin)
	}
	ref := startRegistry(t) + "/hoist-dev/hoist:test"
	digest := buildImage(t, "IMAGE="+ref, "INSECURE=1")

	t.Run("digest", func(t *testing.T) {
		got, _ := run(t, nil, nil, "crane", "digest", "--insecure", ref)
		if diff := cmp.Diff(digest, strings.TrimSpace(got)); diff != "" {
			t.Errorf("pushed digest mismatch (-image.sh +registry):\n%s", diff)
		}
	})
	t.Run("config", func(t *testing.T) { testImageConfig(t, ref) })
	t.Run("filesystem", func(t *testing.T) { testImageFiles(t, ref) })
	t.Run("validates the sample config", func(t *testing.T) { testSampleConfig(t, ref) })
	t.Run("serves the probes", func(t *testing.T) { testProbes(t, ref) })
	t.Run("keeps a directory that is not a layout", func(t *testing.T) {
		out := t.TempDir()
		keep := filepath.Join(out, "keep.txt")
		writeFile(t, keep, "mine")
		env := append(append([]string{}, imageEnv...), "OUT="+out)
		_, errOut, err := tryRun(nil, env, "bash", filepath.Join(repoRoot, "deploy", "image.sh"))
		if err == nil || !strings.Contains(errOut, "not an OCI layout") {
			t.Errorf("image.sh OUT=<a directory with a file>: err=%v, want a refusal; stderr:\n%s", err, errOut)
		}
		if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
			t.Errorf("image.sh changed %s: %q, %v", keep, b, err)
		}
	})
	t.Run("layout", func(t *testing.T) {
		// Reuse the pushed binary: the shared source tree may change between builds.
		_, b := exportHoist(t, ref)
		dir := t.TempDir()
		exe, out := filepath.Join(dir, "hoist"), filepath.Join(dir, "layout")
		if err := os.WriteFile(exe, b, 0o700); err != nil {
			t.Fatal(err)
		}
		if got := buildImage(t, "OUT="+out, "BINARY="+exe); got != digest {
			t.Errorf("layout digest %s, pushed %s: the image build is not reproducible", got, digest)
		}
		if got := layoutDigests(t, out); !cmp.Equal(got, []string{digest}) {
			t.Errorf("layout %s holds %v, want [%s]", out, got, digest)
		}
	})
}

// imageConfig is the part of an OCI image config the test checks.
type imageConfig struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Config       struct {
		Entrypoint []string          `json:"Entrypoint"`
		Cmd        []string          `json:"Cmd"`
		User       string            `json:"User"`
		Labels     map[string]string `json:"Labels"`
	} `json:"config"`
}

func testImageConfig(t *testing.T, ref string) {
	out, _ := run(t, nil, nil, "crane", "config", "--insecure", ref)
	var got imageConfig
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("decoding the config of %s: %v\n%s", ref, err, out)
	}
	var want imageConfig
	want.Architecture, want.OS = "amd64", "linux"
	want.Config.Entrypoint = []string{"/hoist"}
	want.Config.User = "65532:65532"
	want.Config.Labels = map[string]string{
		"org.opencontainers.image.source":      "https://example.test/hoist",
		"org.opencontainers.image.version":     "v0.0.0-test",
		"org.opencontainers.image.revision":    "0123456789abcdef0123456789abcdef01234567",
		"org.opencontainers.image.title":       "hoist",
		"org.opencontainers.image.description": "Keeps the image references in a GitOps config repository up to date",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("image config mismatch (-want +got):\n%s", diff)
	}
}

// imageFile is one entry of the image's filesystem.
type imageFile struct {
	Mode     int64
	UID, GID int
}

// exportHoist returns the image's files and the content of /hoist.
func exportHoist(t *testing.T, ref string) (map[string]imageFile, []byte) {
	t.Helper()
	out, _ := run(t, nil, nil, "crane", "export", "--insecure", ref, "-")
	return readTar(t, []byte(out))
}

func testImageFiles(t *testing.T, ref string) {
	files, hoist := exportHoist(t, ref)
	want := map[string]imageFile{
		"etc":           {0o755, 0, 0},
		"etc/group":     {0o644, 0, 0},
		"etc/passwd":    {0o644, 0, 0},
		"etc/ssl":       {0o755, 0, 0},
		"hoist":         {0o755, 0, 0},
		"tmp":           {0o1777, 0, 0},
		"etc/ssl/certs": {0o755, 0, 0},
	}
	if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		want["etc/ssl/certs/ca-certificates.crt"] = imageFile{0o644, 0, 0}
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("image files mismatch (-want +got):\n%s", diff)
	}
	checkStaticAMD64(t, hoist)
}

// readTar lists a tar stream's entries and returns the content of /hoist.
func readTar(t *testing.T, b []byte) (map[string]imageFile, []byte) {
	t.Helper()
	files := map[string]imageFile{}
	var hoist []byte
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, hoist
		}
		if err != nil {
			t.Fatalf("reading the image filesystem: %v", err)
		}
		name := strings.Trim(strings.TrimPrefix(h.Name, "./"), "/")
		if name == "" {
			continue
		}
		files[name] = imageFile{h.Mode & 0o7777, h.Uid, h.Gid}
		if name == "hoist" {
			if hoist, err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// checkStaticAMD64 checks that b is a statically linked linux/amd64 executable
// and, on such a machine, that it runs.
func checkStaticAMD64(t *testing.T, b []byte) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("/hoist is not an ELF file: %v", err)
	}
	if f.Machine != elf.EM_X86_64 || f.Type != elf.ET_EXEC {
		t.Errorf("/hoist is %v %v, want EM_X86_64 ET_EXEC", f.Machine, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("/hoist has a %v program header: it is not statically linked", p.Type)
		}
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return
	}
	exe := filepath.Join(t.TempDir(), "hoist")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := tryRun(nil, nil, exe, "--help"); err != nil {
		t.Errorf("/hoist --help: %v\n%s%s", err, out, errOut)
	}
}

// layoutDigests lists the manifests of an OCI image layout's index.
func layoutDigests(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatalf("reading the OCI layout: %v", err)
	}
	var idx struct {
		Manifests []struct {
			Digest string `json:"digest"`
		} `json:"manifests"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatalf("decoding %s/index.json: %v", dir, err)
	}
	var digests []string
	for _, m := range idx.Manifests {
		digests = append(digests, m.Digest)
	}
	return digests
}

// imageBinary writes the image's /hoist into dir and returns its path. It
// skips off linux/amd64, where that binary cannot run.
func imageBinary(t *testing.T, ref, dir string) string {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the image's binary runs on linux/amd64 only")
	}
	_, b := exportHoist(t, ref)
	exe := filepath.Join(dir, "hoist")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

// testSampleConfig runs the image's own binary on the config the base ships:
// `hoist validate --config` must accept it once the files it names exist. The
// files are created under a temporary root, and each must lie under a mount of
// the Deployment, or the pod would not find it.
func testSampleConfig(t *testing.T, ref string) {
	dir := t.TempDir()
	exe := imageBinary(t, ref, dir)
	if help, _, _ := tryRun(nil, nil, exe, "validate", "--help"); !strings.Contains(help, "--config") {
		t.Fatal("hoist validate has no --config flag")
	}
	_, objs := render(t, "base")
	data, _ := lookup(find(t, objs, "ConfigMap"), "data", "config.yaml").(string)
	pod := lookup(find(t, objs, "Deployment"), "spec", "template", "spec")
	mounts := mountSources(t, pod, lookup(pod, "containers", "0"))
	root := filepath.Join(dir, "root")
	docs, err := decodeAll([]byte(data))
	if err != nil || len(docs) != 1 {
		t.Fatalf("decoding deploy/base/config.yaml: %v", err)
	}
	for _, p := range fileRefs(docs[0]) {
		if !underSecretMount(p, mounts) {
			t.Errorf("config names %s, which no secret mount of the Deployment holds", p)
		}
		writeFileAll(t, filepath.Join(root, p), "x\n")
	}
	cfg := filepath.Join(dir, "config.yaml")
	writeFile(t, cfg, strings.ReplaceAll(data, "/etc/hoist/", root+"/etc/hoist/"))
	if out, errOut, err := tryRun(nil, nil, exe, "validate", "--config", cfg); err != nil {
		t.Errorf("hoist validate --config deploy/base/config.yaml: %v\n%s%s", err, out, errOut)
	}
}

// fileRefs returns the values of every key ending in "File", the config's
// references to secret files.
func fileRefs(v any) []string {
	var refs []string
	switch c := v.(type) {
	case object:
		return fileRefs(map[string]any(c))
	case map[string]any:
		for k, x := range c {
			if s, ok := x.(string); ok && strings.HasSuffix(k, "File") {
				refs = append(refs, s)
			}
			refs = append(refs, fileRefs(x)...)
		}
	case []any:
		for _, x := range c {
			refs = append(refs, fileRefs(x)...)
		}
	}
	return refs
}

func underSecretMount(path string, mounts map[string]string) bool {
	for m, kind := range mounts {
		if strings.HasPrefix(kind, "secret") && strings.HasPrefix(path, m+"/") {
			return true
		}
	}
	return false
}

func writeFileAll(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, content)
}

// testProbes runs the image's hoist with the Deployment's args (paths moved under
// a temporary directory, listening on loopback) and a config whose repository is
// a closed loopback port: the args must parse, the default listen port must be
// the container port, the liveness path must answer 200 and the readiness path
// must exist.
func testProbes(t *testing.T, ref string) {
	dir := t.TempDir()
	exe := imageBinary(t, ref, dir)
	help, _, _ := tryRun(nil, nil, exe, "run", "--help")
	m := regexp.MustCompile(`--listen string.*\(default ":(\d+)"\)`).FindStringSubmatch(help)
	if m == nil {
		t.Fatalf("hoist run --help shows no --listen flag with a default port:\n%s", help)
	}
	_, objs := render(t, "base")
	ctr := lookup(find(t, objs, "Deployment"), "spec", "template", "spec", "containers", "0")
	if got := fmt.Sprint(lookup(ctr, "ports", "0", "containerPort")); got != m[1] {
		t.Errorf("containerPort %s, hoist run listens on :%s by default", got, m[1])
	}
	cfg := filepath.Join(dir, "etc/hoist/config.yaml")
	writeFileAll(t, cfg, fmt.Sprintf("apiVersion: hoist.dev/v1alpha1\nkind: Config\n"+
		"repositories:\n  - name: probe\n    url: git://127.0.0.1:%d/none.git\n", freePort(t)))
	var args []string
	for _, a := range lookup(ctr, "args").([]any) {
		args = append(args, strings.NewReplacer("/etc/hoist/", dir+"/etc/hoist/", "/var/lib/hoist", dir+"/state").Replace(a.(string)))
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	srv := startServer(t, exe, append(args, "--listen", addr)...)
	live, _ := lookup(ctr, "livenessProbe", "httpGet", "path").(string)
	ready, _ := lookup(ctr, "readinessProbe", "httpGet", "path").(string)
	srv.waitFor(t, 30*time.Second, func() error { return httpOK(http.DefaultClient, "http://"+addr+live, "") })
	resp, err := http.Get("http://" + addr + ready)
	if err != nil {
		t.Fatalf("GET %s: %v", ready, err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		t.Errorf("GET %s: %s, want the readiness endpoint", ready, resp.Status)
	}
}
