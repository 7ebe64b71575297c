package registry

import (
	"errors"
	"fmt"
	"io"
)

// maxTagLen is the longest valid tag (OCI distribution spec).
const maxTagLen = 128

// ValidTag reports whether s is a valid OCI tag:
// ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$. Tags from a registry that are not
// are dropped by ListTags.
func ValidTag(s string) bool { return validTag(s) }

func validTag[T string | []byte](s T) bool {
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
	seen      tagSet // the indexes of tags
	tags      []string
	dropped   int
	example   string // the first dropped name, cut to 64 bytes
	truncated bool   // a valid new tag came after max
}

func newTagCollector(max int) *tagCollector {
	return &tagCollector{max: max}
}

// add takes one name from the registry and reports whether it was new.
func (c *tagCollector) add(t string) bool {
	return c.addBytes([]byte(t))
}

// addBytes is add for a name read as bytes: it makes a string of t only to
// keep it.
func (c *tagCollector) addBytes(t []byte) bool {
	if !validTag(t) {
		if c.dropped == 0 {
			c.example = cut(string(t), 64)
		}
		c.dropped++
		return false
	}
	at, slot := c.seen.find(c.tags, t)
	switch {
	case at >= 0:
		return false
	case len(c.tags) >= c.max:
		c.truncated = true
		return false
	}
	c.tags = append(c.tags, string(t))
	c.seen.put(c.tags, slot)
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

// pageDecoder decodes one tags/list document into a collector.
type pageDecoder struct {
	s    *pageScanner
	c    *tagCollector
	res  pageResult
	last []byte // the last name so far
}

// decodePage streams one tags/list document ({"name": ..., "tags": [...]})
// into c, so a page's size never decides the memory used: it stops reading
// as soon as c is full (only the largest single string is held). Members
// other than "tags" are skipped. It allocates one string per tag kept and
// nothing else per tag.
func decodePage(r io.Reader, c *tagCollector) (pageResult, error) {
	d := &pageDecoder{s: newPageScanner(r), c: c}
	err := d.object()
	if errors.Is(err, errStop) {
		err = nil
	}
	if d.res.names > 0 {
		d.res.last = string(d.last)
	}
	return d.res, err
}

// object reads the top-level object.
func (d *pageDecoder) object() error {
	s := d.s
	if err := s.expect('{'); err != nil {
		return err
	}
	if c, err := s.peek(); err != nil || c == '}' {
		return err
	}
	for {
		isTags, err := s.key("tags")
		if err != nil {
			return err
		}
		if isTags {
			err = d.tags()
		} else {
			err = s.skip()
		}
		if err != nil {
			return err
		}
		if done, err := s.separator('}', "object key:value pair"); done || err != nil {
			return err
		}
	}
}

// tags reads the "tags" array (or null) into the collector.
func (d *pageDecoder) tags() error {
	s := d.s
	c, err := s.peek()
	switch {
	case err != nil:
		return err
	case c == 'n':
		_, err := s.word()
		return err
	case c != '[':
		return fmt.Errorf("tags is %s, want an array", kind(c))
	}
	s.off++
	if c, err := s.peek(); err != nil || c == ']' {
		s.off++
		return err
	}
	for {
		if err := d.tag(); err != nil {
			return err
		}
		if done, err := s.separator(']', "array element"); done || err != nil {
			return err
		}
	}
}

// tag reads one element of the tags array.
func (d *pageDecoder) tag() error {
	c, err := d.s.peek()
	if err != nil {
		return err
	}
	if c != '"' {
		return fmt.Errorf("tag is %s, want a string", kind(c))
	}
	raw, plain, err := d.s.str()
	if err != nil {
		return err
	}
	var added bool
	if plain {
		name := raw[1 : len(raw)-1]
		d.last = append(d.last[:0], name...)
		added = d.c.addBytes(name)
	} else {
		name, err := unquote(raw)
		if err != nil {
			return err
		}
		d.last = append(d.last[:0], name...)
		added = d.c.add(name)
	}
	d.res.names++
	if added {
		d.res.added++
	}
	if d.c.truncated {
		return errStop
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
