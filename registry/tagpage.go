package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxTagLen is the longest valid tag (OCI distribution spec).
const maxTagLen = 128

// ValidTag reports whether s is a valid OCI tag:
// ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$. Tags from a registry that are not
// are dropped by ListTags.
func ValidTag(s string) bool {
	if len(s) == 0 || len(s) > maxTagLen || s[0] == '.' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// tagCollector gathers the valid, distinct tags of one listing, up to max.
type tagCollector struct {
	max       int
	seen      map[string]bool
	tags      []string
	dropped   int
	example   string // the first dropped name, cut to 64 bytes
	truncated bool   // a valid new tag came after max
}

func newTagCollector(max int) *tagCollector {
	return &tagCollector{max: max, seen: map[string]bool{}}
}

// add takes one name from the registry and reports whether it was new.
func (c *tagCollector) add(t string) bool {
	switch {
	case !ValidTag(t):
		if c.dropped == 0 {
			c.example = cut(t, 64)
		}
		c.dropped++
		return false
	case c.seen[t]:
		return false
	case len(c.tags) >= c.max:
		c.truncated = true
		return false
	}
	c.seen[t] = true
	c.tags = append(c.tags, t)
	return true
}

// pageResult is what one page of a tag list held.
type pageResult struct {
	names int    // names on the page, valid or not
	added int    // valid names not seen before
	last  string // the last name, for the "last" query parameter
}

// errStop ends decoding a page early; it never leaves decodePage.
var errStop = errors.New("stop")

// decodePage streams one tags/list document ({"name": ..., "tags": [...]})
// into c, token by token, so a page's size never decides the memory used:
// it stops reading as soon as c is full (only the largest single token is
// held). Members other than "tags" are skipped.
func decodePage(r io.Reader, c *tagCollector) (pageResult, error) {
	var res pageResult
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return res, err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return res, err
		}
		if key != "tags" {
			if err := skipValue(dec); err != nil {
				return res, err
			}
			continue
		}
		if err := decodeTags(dec, c, &res); errors.Is(err, errStop) {
			return res, nil
		} else if err != nil {
			return res, err
		}
	}
	return res, expectDelim(dec, '}')
}

// decodeTags reads the "tags" array (or null) into c.
func decodeTags(dec *json.Decoder, c *tagCollector, res *pageResult) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("tags is %v, want an array", tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		t, ok := tok.(string)
		if !ok {
			return fmt.Errorf("tag is %T, want a string", tok)
		}
		res.names++
		res.last = t
		if c.add(t) {
			res.added++
		}
		if c.truncated {
			return errStop
		}
	}
	return expectDelim(dec, ']')
}

// skipValue reads one value of any shape without keeping it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("got %v, want %q", tok, want)
	}
	return nil
}

// cut returns at most n bytes of s, marked with "..." when cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// list is what c collected.
func (c *tagCollector) list() TagList {
	return TagList{Tags: c.tags, Dropped: c.dropped, Truncated: c.truncated}
}
