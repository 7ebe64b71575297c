package config

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

// setDefaults fills in the defaults documented on each field. Parse calls
// it; call it on a Config built in code before using it.
func (c *Config) setDefaults() {
	if c.APIVersion == "" {
		c.APIVersion = configAPIVersion
	}
	if c.Kind == "" {
		c.Kind = configKind
	}
	for i := range c.Repositories {
		c.Repositories[i].Default()
	}
}

// Default fills in the defaults documented on each field of r.
func (r *Repository) Default() {
	if r.Name == "" {
		r.Name = nameFromURL(r.URL)
	}
	if r.Schedule == "" {
		r.Schedule = defaultSchedule
	}
	if r.Author.Name == "" {
		r.Author.Name = DefaultAuthorName
	}
	if r.Author.Email == "" {
		r.Author.Email = DefaultAuthorEmail
	}
}

// nameUnsafe matches what a repository name may not contain.
func nameUnsafe() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._-]+`) }

// nameFromURL derives a repository name from a clone URL: its last two path
// elements without ".git", joined by "-", e.g. "acme-config" for
// ssh://git@github.com/acme/config.git. It returns "" when the URL has no
// usable path.
func nameFromURL(rawURL string) string {
	p := rawURL
	if u, err := url.Parse(rawURL); err == nil && u.Scheme != "" {
		p = u.Path
	} else if _, rest, ok := scpLike(rawURL); ok {
		p = rest
	}
	p = strings.TrimSuffix(path.Clean("/"+p), ".git")
	elems := strings.FieldsFunc(p, func(r rune) bool { return r == '/' })
	if len(elems) > 2 {
		elems = elems[len(elems)-2:]
	}
	name := nameUnsafe().ReplaceAllString(strings.Join(elems, "-"), "-")
	name = strings.Trim(name, "-.")
	if len(name) > maxNameLen {
		name = strings.Trim(name[len(name)-maxNameLen:], "-.")
	}
	return name
}
