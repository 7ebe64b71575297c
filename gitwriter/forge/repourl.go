package forge

import (
	"fmt"
	"net/url"
	"strings"
)

// location is where a repository lives, parsed from its git URL.
type location struct {
	// scheme is "https" or "http": what the derived API URL uses.
	scheme string
	// host is the web host, with the port for http(s) URLs (an SSH port is
	// not the web port, so it is dropped).
	host string
	// segments are the path segments after the host, without ".git".
	segments []string
}

// parseRepoURL parses an https://, http://, ssh:// or scp-like
// (git@host:owner/repo.git) repository URL. User info is dropped.
func parseRepoURL(raw string) (location, error) {
	if strings.ContainsAny(raw, " \t\r\n\x00") || raw == "" {
		return location{}, fmt.Errorf("repository URL %q: empty or holds spaces or control characters", safeText(raw))
	}
	if !strings.Contains(raw, "://") {
		return parseSCP(raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return location{}, fmt.Errorf("repository URL %q: not a URL", redactRepoURL(raw))
	}
	loc := location{scheme: "https", host: u.Host}
	switch u.Scheme {
	case "https":
	case "http":
		loc.scheme = "http"
	case "ssh", "git+ssh", "ssh+git":
		loc.host = u.Hostname()
		if strings.Contains(loc.host, ":") {
			loc.host = "[" + loc.host + "]"
		}
	default:
		return location{}, fmt.Errorf("repository URL %q: scheme %q is not https, http or ssh", redactRepoURL(raw), u.Scheme)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return location{}, fmt.Errorf("repository URL %q: has a query or fragment", redactRepoURL(raw))
	}
	return loc.withPath(raw, u.Hostname(), u.Path)
}

// parseSCP parses [user@]host:path.
func parseSCP(raw string) (location, error) {
	i := strings.Index(raw, ":")
	if i < 0 || strings.Contains(raw[:i], "/") {
		return location{}, fmt.Errorf("repository URL %q: want https://host/owner/repo, ssh://host/owner/repo or git@host:owner/repo", redactRepoURL(raw))
	}
	host := raw[:i]
	if at := strings.LastIndex(host, "@"); at >= 0 {
		host = host[at+1:]
	}
	loc := location{scheme: "https", host: host}
	return loc.withPath(raw, host, raw[i+1:])
}

// withPath checks host and sets the segments of path.
func (l location) withPath(raw, hostname, path string) (location, error) {
	if hostname == "" || strings.ContainsAny(hostname, "/\\@?#%") {
		return location{}, fmt.Errorf("repository URL %q: no valid host", redactRepoURL(raw))
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	path = strings.TrimSuffix(path, "/")
	var segs []string
	for s := range strings.SplitSeq(path, "/") {
		if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "\\?#%:") {
			return location{}, fmt.Errorf("repository URL %q: path %q is not owner/repo", redactRepoURL(raw), safeText(path))
		}
		segs = append(segs, s)
	}
	if len(segs) < 2 {
		return location{}, fmt.Errorf("repository URL %q: path %q is not owner/repo", redactRepoURL(raw), safeText(path))
	}
	l.segments = segs
	return l, nil
}

// ownerRepo returns the last two segments: owner and repository name.
func (l location) ownerRepo() (owner, repo string) {
	n := len(l.segments)
	return l.segments[n-2], l.segments[n-1]
}

// prefix returns the path before owner/repo ("" or "/sub/path"): where a
// Gitea served under a sub-path lives.
func (l location) prefix() string {
	n := len(l.segments)
	if n <= 2 {
		return ""
	}
	return "/" + strings.Join(l.segments[:n-2], "/")
}

// path returns all segments joined: GitLab's namespace/project path.
func (l location) path() string { return strings.Join(l.segments, "/") }

// redactRepoURL drops any user info of a URL for messages.
func redactRepoURL(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			return safeText(raw[:i+3] + "REDACTED@" + rest[at+1:])
		}
		return safeText(raw)
	}
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		return safeText("REDACTED@" + raw[at+1:])
	}
	return safeText(raw)
}
