package registry

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// probePlainHTTP reports whether the first ping of host may fall back from
// HTTPS to plain HTTP. That is the case for loopback hosts (localhost,
// 127.0.0.0/8, [::1], any port), as docker, crane and go-containerregistry
// do, and for hosts marked with Scanner.AllowInsecure. A loopback host with
// a CA or client certificate configured expects TLS and is never probed;
// neither is a host with HostConfig.Insecure (always plain HTTP) nor any
// other host (always HTTPS): private ranges are not loopback.
func probePlainHTTP(host string, c HostConfig, allowInsecure bool) bool {
	if c.Insecure {
		return false
	}
	if allowInsecure {
		return true
	}
	return isLoopback(host) && c.CAFile == "" && c.CertFile == "" && c.KeyFile == ""
}

// isLoopback reports whether host ("name" or "name:port") is localhost or
// a loopback address.
func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}

// answeredPlainHTTP reports whether err is an HTTPS request answered in
// plain HTTP. Only that answer makes a probed host fall back to HTTP: a
// certificate or handshake failure is a TLS server that must stay TLS.
func answeredPlainHTTP(err error) bool {
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return string(rh.RecordHeader[:]) == "HTTP/"
	}
	return errors.Is(err, http.ErrSchemeMismatch)
}
