// Package kubetest starts a real etcd and kube-apiserver on free loopback
// ports for tests, and stops them by PID when the test ends.
//
// The binaries come from PATH, then from $KUBEBUILDER_ASSETS, then from
// $HOME/.cache/hoist-tools/envtest (.ci/kube.sh installs them there). When
// one is missing the test is skipped, or fails when CI=true.
package kubetest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

// Server is an etcd and kube-apiserver pair on loopback.
type Server struct {
	// Config reaches the server as a member of system:masters. Copy it
	// (rest.CopyConfig) before changing it.
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file with the same access.
	Kubeconfig string
}

// Start starts etcd and kube-apiserver, and waits until the server is ready.
func Start(tb testing.TB) *Server {
	tb.Helper()
	etcdBin, kasBin := Need(tb, "etcd"), Need(tb, "kube-apiserver")
	dir := tb.TempDir()
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", freePort(tb))
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", freePort(tb))
	etcd := start(tb, etcdBin, "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "default="+peerURL)
	etcd.waitFor(tb, 60*time.Second, func() error { return httpOK(http.DefaultClient, clientURL+"/health", "") })

	token := rand.Text()
	writeFile(tb, filepath.Join(dir, "tokens.csv"), token+",admin,admin,system:masters\n")
	writeKeys(tb, dir)
	port := freePort(tb)
	host := fmt.Sprintf("https://127.0.0.1:%d", port)
	kas := start(tb, kasBin, "--etcd-servers="+clientURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port), "--cert-dir="+filepath.Join(dir, "certs"),
		"--service-account-issuer="+host,
		"--service-account-key-file="+filepath.Join(dir, "sa.pub"),
		"--service-account-signing-key-file="+filepath.Join(dir, "sa.key"),
		"--token-auth-file="+filepath.Join(dir, "tokens.csv"),
		"--authorization-mode=RBAC", "--service-cluster-ip-range=10.0.0.0/24",
		"--disable-admission-plugins=ServiceAccount", "--endpoint-reconciler-type=none")
	// The certificate is self-signed and generated at start; the check only waits.
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	kas.waitFor(tb, 120*time.Second, func() error { return httpOK(insecure, host+"/readyz", token) })

	kubeconfig := filepath.Join(dir, "kubeconfig")
	writeFile(tb, kubeconfig, fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: %q}}]
contexts: [{name: test, context: {cluster: test, user: admin}}]
current-context: test
`, host, token))
	cfg := &rest.Config{Host: host, BearerToken: token, TLSClientConfig: rest.TLSClientConfig{Insecure: true},
		QPS: 100, Burst: 200}
	return &Server{Config: cfg, Kubeconfig: kubeconfig}
}

// Need returns the path of a binary, skipping the test when it is missing,
// or failing it when CI=true (CI must run every test).
func Need(tb testing.TB, name string) string {
	tb.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	var dirs []string
	if d := os.Getenv("KUBEBUILDER_ASSETS"); d != "" {
		dirs = append(dirs, d)
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".cache", "hoist-tools", "envtest"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s not found on PATH or in %v (run .ci/kube.sh)", name, dirs)
	}
	tb.Skipf("%s not found on PATH or in %v", name, dirs)
	return ""
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("picking a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func httpOK(c *http.Client, url, token string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// writeKeys writes sa.key and sa.pub, the service account token signing pair.
func writeKeys(tb testing.TB, dir string) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	writeFile(tb, filepath.Join(dir, "sa.key"), string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	writeFile(tb, filepath.Join(dir, "sa.pub"), string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})))
}
