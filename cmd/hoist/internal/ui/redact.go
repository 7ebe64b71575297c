package ui

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Caps on the length of texts shown, in runes.
const (
	maxText  = 500 // error and problem messages, reasons
	maxShort = 200 // names, versions, subjects, URLs
)

// RedactURL returns u without user info, query or fragment, so that no
// token or password embedded in it is shown. An scp-like address
// ("git@host:org/repo") loses its user; text that is not a URL loses
// anything before an "@" and after a "?" or "#".
func RedactURL(u string) string {
	if p, err := url.Parse(u); err == nil && p.Scheme != "" && p.Opaque == "" {
		p.User, p.RawQuery, p.ForceQuery, p.Fragment, p.RawFragment = nil, "", false, "", ""
		return p.String()
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.LastIndex(u, "@"); i >= 0 {
		u = u[i+1:]
	}
	return u
}

// link returns u redacted when it is an absolute http(s) URL, else "": a
// link on the page never runs script or leaves for another scheme.
func link(u string) string {
	r := RedactURL(u)
	p, err := url.Parse(r)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return r
}

// credentials matches user info in URLs inside free text: the part between
// "scheme://" and the last "@" before a slash or space.
var credentials = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/\s]*@`)

// queries matches the query or fragment of URLs inside free text.
var queries = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^\s?#]*)[?#]\S*`)

// Sanitize makes untrusted text fit to show: valid UTF-8, user info,
// queries and fragments cut from the URLs in it, control and format
// characters and runs of spaces turned into one space, and, when limit > 0,
// at most limit runes. Its work is bounded by limit, not by the length of s.
func Sanitize(s string, limit int) string {
	cut := false
	if limit > 0 && len(s) > 8*limit {
		// A URL cut in half could keep part of its user info: drop the
		// last word (up to a space, where the URL patterns stop too) when it
		// holds one.
		s, cut = s[:8*limit], true
		if i := strings.LastIndexAny(s, " \t\n\f\r"); strings.Contains(s[i+1:], "://") {
			s = s[:max(i, 0)]
		}
	}
	s = redactText(strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	s = redactText(strings.Join(strings.Fields(s), " "))
	if limit > 0 && (cut || utf8.RuneCountInString(s) > limit) {
		s = strings.TrimRight(string([]rune(s)[:min(utf8.RuneCountInString(s), limit-1)]), " ") + "…"
	}
	return s
}

// redactText cuts user info, queries and fragments from the URLs in s.
func redactText(s string) string {
	return queries.ReplaceAllString(credentials.ReplaceAllString(s, "$1"), "$1")
}

// subject is the first line of a commit message, sanitised.
func subject(msg string) string {
	first, _, _ := strings.Cut(msg, "\n")
	return Sanitize(first, maxShort)
}
