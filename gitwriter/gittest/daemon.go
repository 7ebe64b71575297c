package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Server is a git server started for one test.
type Server struct {
	// Base is the directory the server exports repositories from.
	Base string
	// Addr is the server's host:port on 127.0.0.1.
	Addr string
	// User and Password are the basic-auth credentials (HTTP only).
	User, Password string
	// CAFile is the PEM file of the certificate the server presents (HTTPS only).
	CAFile string

	scheme string
}

// URL returns the URL of repository repo, a path relative to Base.
func (s *Server) URL(repo string) string {
	return fmt.Sprintf("%s://%s/%s", s.scheme, s.Addr, strings.TrimPrefix(repo, "/"))
}

// Daemon starts a real `git daemon` exporting every repository under base, with
// push (receive-pack) enabled, on a free loopback port.
func Daemon(t testing.TB, base string) *Server {
	t.Helper()
	git := need(t, "git")
	port := FreePort(t)
	cmd := exec.Command(git, "daemon", "--reuseaddr", "--listen=127.0.0.1",
		"--port="+strconv.Itoa(port), "--base-path="+base, "--export-all",
		"--enable=receive-pack", "--informative-errors")
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	cmd.Stderr = &logWriter{t: t, prefix: "git daemon: "}
	done := Start(t, cmd)
	waitPort(t, port, done)
	return &Server{Base: base, Addr: "127.0.0.1:" + strconv.Itoa(port), scheme: "git"}
}

// logWriter sends a server's output to the test log while the test runs.
type logWriter struct {
	t      testing.TB
	prefix string
}

func (w *logWriter) Write(p []byte) (int, error) {
	if os.Getenv("GITTEST_VERBOSE") != "" {
		w.t.Log(w.prefix + strings.TrimSpace(string(p)))
	}
	return len(p), nil
}
