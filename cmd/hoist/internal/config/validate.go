package config

import (
	"fmt"
	"math"
	"net"
	"path"
	"slices"
	"strconv"
	"strings"
)

// maxNameLen bounds repository names, which appear in metric labels and
// state directory names.
const maxNameLen = 63

// validate reports every problem in c, joined, each a [*fieldError]. Call
// setDefaults first on a Config built in code.
func (c *Config) validate() error { return merge(nil, nil, c.problems()) }

// validator collects the problems of one Config.
type validator struct {
	pos  *positions
	errs []*fieldError
}

func (v *validator) add(path string, err error) {
	v.errs = append(v.errs, &fieldError{File: v.pos.fileName(), Line: v.pos.line(path), Path: path, Err: err})
}

func (v *validator) addf(path, format string, args ...any) { v.add(path, invalid(format, args...)) }

func (c *Config) problems() []*fieldError {
	v := &validator{pos: c.pos}
	if c.APIVersion != "" && c.APIVersion != configAPIVersion {
		v.addf("apiVersion", "must be %s", configAPIVersion)
	}
	if c.Kind != "" && c.Kind != configKind {
		v.addf("kind", "must be %s", configKind)
	}
	if len(c.Repositories) == 0 {
		v.addf("repositories", "at least one repository is required")
	}
	names := map[string]string{}
	for i, r := range c.Repositories {
		p := fmt.Sprintf("repositories[%d]", i)
		v.repository(p, r)
		v.unique(p+".name", r.Name, names)
	}
	hosts := map[string]string{}
	for i, r := range c.Registries {
		p := fmt.Sprintf("registries[%d]", i)
		v.registry(p, r)
		v.unique(p+".host", normalizeHost(r.Host), hosts)
	}
	for name, where := range c.Secrets {
		if name == "" || strings.Count(name, "/") > 1 || where == "" {
			v.addf("secrets."+name, "want a secret name (namespace/name or name) and the path it is mounted at")
		}
	}
	kinds := map[string]string{}
	for i, w := range c.Webhooks {
		p := fmt.Sprintf("webhooks[%d]", i)
		v.webhook(p, w)
		v.unique(p+".kind", w.Kind, kinds)
	}
	dests := map[string]string{}
	for i, n := range c.Notifications {
		p := fmt.Sprintf("notifications[%d]", i)
		v.notification(p, n)
		v.unique(p+".name", n.Name, dests)
	}
	v.notificationSettings(c.NotificationSettings)
	v.envNames(c)
	return v.errs
}

// unique reports value if an earlier path in seen has it.
func (v *validator) unique(path, value string, seen map[string]string) {
	if value == "" {
		return
	}
	if first, ok := seen[value]; ok {
		v.addf(path, "duplicate %q (also %s)", value, first)
		return
	}
	seen[value] = path
}

func (v *validator) webhook(p string, w Webhook) {
	if w.Kind == "" {
		v.addf(p+".kind", "is required; one of %s", strings.Join(webhookKinds(), ", "))
	} else if !slices.Contains(webhookKinds(), w.Kind) {
		v.addf(p+".kind", "unknown kind %q; one of %s", w.Kind, strings.Join(webhookKinds(), ", "))
	}
	if w.Secret().isZero() {
		v.addf(p, "secretFile or secretEnv is required")
	}
	v.oneOf(p, "secretFile", w.SecretFile, "secretEnv", w.SecretEnv)
}

// oneOf reports two settings of which only one may be set.
func (v *validator) oneOf(p, keyA, a, keyB, b string) {
	if a != "" && b != "" {
		v.addf(p+"."+keyB, "set only one of %s and %s", keyA, keyB)
	}
}

// positive reports a limit that is set in the file but not positive, or is
// negative.
func (v *validator) positive(path string, x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 || x == 0 && v.pos.has(path) {
		v.addf(path, "must be a positive number")
	}
}

// hostPort checks a registry host: a name or IP with an optional port.
func hostPort(h string) error {
	if h == "" {
		return invalid("is required")
	}
	if strings.Contains(h, "://") || strings.ContainsAny(h, "/ \t\r\n@?#") {
		return invalid("must be a host name with an optional port, like ghcr.io or localhost:5000, without scheme or path")
	}
	host, port := h, ""
	if strings.Contains(strings.TrimPrefix(h, "["), ":") && !strings.HasSuffix(h, "]") {
		var err error
		if host, port, err = net.SplitHostPort(h); err != nil {
			return invalid("must be host or host:port")
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return invalid("port must be a number from 1 to 65535")
		}
	}
	if host == "" {
		return invalid("host name is empty")
	}
	return nil
}

// relPath checks a path inside the repository.
func relPath(p string) error {
	if path.IsAbs(p) || strings.HasPrefix(p, `\`) {
		return invalid("must be relative to the repository root")
	}
	if c := path.Clean(p); c == ".." || strings.HasPrefix(c, "../") {
		return invalid("must stay inside the repository")
	}
	return nil
}
