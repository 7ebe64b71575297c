// Package gittest starts real git servers on loopback for tests: bare repositories,
// `git daemon`, smart HTTP through git-http-backend, and sshd.
//
// Every server listens on a free 127.0.0.1 port and is stopped by its PID when the
// test ends. When a server binary is missing the test is skipped, except when the
// CI environment variable is "true", where it fails.
package gittest
