package config

import (
	"net/url"
	"path/filepath"
	"strings"
)

// Transports of a clone URL, as returned by [urlTransport].
const (
	transportFile  = "file"
	transportHTTP  = "http"
	transportHTTPS = "https"
	transportGit   = "git"
	transportSSH   = "ssh"
)

// urlTransport returns how a clone URL is reached: [transportFile] for file
// URLs and absolute paths, [transportSSH] for ssh URLs and the scp-like
// form user@host:path, or the scheme of an http, https or git URL. The
// error never contains the URL, which may hold credentials.
func urlTransport(rawURL string) (string, error) {
	switch {
	case rawURL == "":
		return "", invalid("is required")
	case strings.ContainsAny(rawURL, " \t\r\n"):
		return "", invalid("must not contain whitespace")
	case filepath.IsAbs(rawURL):
		return transportFile, nil
	case !strings.Contains(rawURL, "://"):
		if _, _, ok := scpLike(rawURL); ok {
			return transportSSH, nil
		}
		return "", invalid("must be a file, http, https, git or ssh URL, an absolute path, or user@host:path")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", invalid("is not a valid URL") // url.Error would repeat the URL
	}
	if _, ok := u.User.Password(); ok {
		return "", invalid("must not embed a password; use auth.passwordFile or auth.tokenFile")
	}
	return checkScheme(u)
}

func checkScheme(u *url.URL) (string, error) {
	switch u.Scheme {
	case transportFile:
		if u.Path == "" {
			return "", invalid("a file URL needs a path")
		}
	case transportHTTP, transportHTTPS, transportGit, transportSSH:
		if u.Host == "" {
			return "", invalid("a %s URL needs a host", u.Scheme)
		}
	default:
		return "", invalid("unsupported scheme %q; use file, http, https, git or ssh", u.Scheme)
	}
	return u.Scheme, nil
}

// scpLike splits the scp-like form [user@]host:path.
func scpLike(s string) (host, path string, ok bool) {
	before, path, found := strings.Cut(s, ":")
	if !found || path == "" || strings.Contains(before, "/") {
		return "", "", false
	}
	if i := strings.LastIndex(before, "@"); i >= 0 {
		before = before[i+1:]
	}
	if before == "" {
		return "", "", false
	}
	return before, path, true
}
