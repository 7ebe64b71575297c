package gitwriter

import (
	"bytes"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/gitwriter/gittest"
)

// breakingProxy relays loopback TCP connections to target, and breaks the
// first git-receive-pack connection once the client has sent its commands
// and pack, before the server's answer reaches the client: the push may or
// may not have landed.
type breakingProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex // protects broken
	broken int
}

func startBreakingProxy(t *testing.T, target string) *breakingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &breakingProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *breakingProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.relay(c)
	}
}

func (p *breakingProxy) relay(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	req, err := readPktLine(client) // git://'s request: "git-receive-pack /repo..."
	if err != nil {
		return
	}
	first := bytes.Contains(req, []byte("git-receive-pack")) && p.breakOne()
	if _, err := server.Write(req); err != nil {
		return
	}
	buf := make([]byte, 64<<10)
	var n int
	if !first {
		go func() { _, _ = io.Copy(server, client) }()
		_, _ = io.Copy(client, server)
		return
	}
	go func() { _, _ = io.Copy(client, server) }() // the ref advertisement
	if n, err = client.Read(buf); err == nil {     // commands and pack
		_, _ = server.Write(buf[:n])
		time.Sleep(100 * time.Millisecond)
	}
}

// readPktLine reads one whole pkt-line (4 hex digits of length, then data).
func readPktLine(r io.Reader) ([]byte, error) {
	line := make([]byte, 4)
	if _, err := io.ReadFull(r, line); err != nil {
		return nil, err
	}
	size, err := strconv.ParseUint(string(line), 16, 16)
	if err != nil || size < 4 {
		return line, err
	}
	line = append(line, make([]byte, size-4)...)
	_, err = io.ReadFull(r, line[4:])
	return line, err
}

func (p *breakingProxy) breaks() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.broken
}

func (p *breakingProxy) breakOne() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.broken++
	return p.broken == 1
}

// TestInterruptedPushIsRedone: a push whose connection breaks is fetched
// and redone; the remote ends with exactly one commit holding the change.
func TestInterruptedPushIsRedone(t *testing.T) {
	base := t.TempDir()
	bare := gittest.NewBare(t, base+"/config.git", seed)
	s := gittest.Daemon(t, base)
	p := startBreakingProxy(t, s.Addr)
	url := "git://" + p.ln.Addr().String() + "/config.git"
	before := gittest.Git(t, bare, "rev-parse", "main")

	r := mustOpen(t, url)
	out, err := r.Update(context.Background(), setTo("deploy/web.yaml", "tag: 2.1.0\n", "apps:web", "2.1.0"))
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if p.breaks() == 0 {
		t.Fatal("the proxy broke no push: the test tested nothing")
	}
	head := gittest.Git(t, bare, "rev-parse", "main")
	if out.Commit != head || !out.Pushed {
		t.Errorf("Outcome.Commit = %q (pushed %v), remote main = %s", out.Commit, out.Pushed, head)
	}
	if n := gittest.Git(t, bare, "rev-list", "--count", before+"..main"); n != "1" {
		t.Errorf("%s commits landed, want exactly 1", n)
	}
	if got := gittest.Git(t, bare, "show", "main:deploy/web.yaml"); !strings.Contains(got, "2.1.0") {
		t.Errorf("deploy/web.yaml on the remote = %q, want the change", got)
	}
	t.Logf("attempts: %d", out.Attempts)
}
