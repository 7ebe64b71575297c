// Package registrytest runs real container registries on loopback for tests.
//
// Start launches a CNCF distribution `registry` process (or Debian's
// `docker-registry`, distribution 2.8, with WithBinary) on a free 127.0.0.1
// port with its own storage directory, optional TLS with a CA made for the
// test, optional htpasswd auth and optional notification endpoints. The
// process is stopped by PID when the test ends.
//
// Push, PushIndex and Tag fill a registry with small random images.
package registrytest
