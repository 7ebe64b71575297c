package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// pageScanner reads JSON forward from a reader with a window of the body:
// the window grows only to hold one string, number or literal, so a page's
// size never decides the memory used. It checks syntax as encoding/json
// does, and hands out strings as raw bytes so that a caller allocates only
// the strings it keeps.
type pageScanner struct {
	r   io.Reader
	buf []byte // buf[off:] is read and not consumed
	off int
	err error // the reader's error (io.EOF at the end), once it returned one
}

// scanBufSize is the initial window; maxDepth the deepest nesting accepted
// (encoding/json's limit).
const (
	scanBufSize = 16 << 10
	maxDepth    = 10000
)

func newPageScanner(r io.Reader) *pageScanner {
	return &pageScanner{r: r, buf: make([]byte, 0, scanBufSize)}
}

// more moves the unconsumed bytes to the front (off becomes 0) and reads
// more after them, growing the window when it is full. It reports whether
// it read any byte.
func (s *pageScanner) more() bool {
	n := copy(s.buf[:cap(s.buf)], s.buf[s.off:])
	s.buf, s.off = s.buf[:n], 0
	if len(s.buf) == cap(s.buf) {
		s.buf = append(s.buf, make([]byte, cap(s.buf))...)[:n]
	}
	for empty := 0; s.err == nil && empty < 100; empty++ {
		m, err := s.r.Read(s.buf[n:cap(s.buf)])
		s.buf, s.err = s.buf[:n+m], err
		if m > 0 {
			return true
		}
	}
	if s.err == nil {
		s.err = io.ErrNoProgress
	}
	return false
}

// endErr is the error of a document that ended too early.
func (s *pageScanner) endErr() error {
	if s.err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return s.err
}

// peek skips white space and returns the next byte without consuming it.
func (s *pageScanner) peek() (byte, error) {
	for {
		for ; s.off < len(s.buf); s.off++ {
			if c := s.buf[s.off]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return c, nil
			}
		}
		if !s.more() {
			return 0, s.endErr()
		}
	}
}

// expect consumes want, after white space.
func (s *pageScanner) expect(want byte) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != want {
		return fmt.Errorf("invalid character %q, want %q", c, want)
	}
	s.off++
	return nil
}

// separator consumes what follows an element of an object or array (after
// what, for the error): a comma, or the closing byte, which reports done.
func (s *pageScanner) separator(closing byte, what string) (done bool, err error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	s.off++
	switch c {
	case closing:
		return true, nil
	case ',':
		return false, nil
	}
	return false, fmt.Errorf("invalid character %q after %s", c, what)
}

// str consumes a string (the next byte is its opening quote) and returns
// its raw bytes with the quotes, valid until the next read, and whether
// they are the value as is (printable ASCII without escapes). Escapes in a
// string that is not plain are checked by whoever decodes it, or by valid.
func (s *pageScanner) str() (raw []byte, plain bool, err error) {
	plain = true
	i := s.off + 1
	for {
		for ; i < len(s.buf); i++ {
			switch c := s.buf[i]; {
			case c == '"':
				raw, s.off = s.buf[s.off:i+1], i+1
				return raw, plain, nil
			case c == '\\':
				plain = false
				i++ // the escaped byte, which may be a quote
			case c < 0x20:
				return nil, false, fmt.Errorf("invalid character %q in string literal", c)
			case c >= 0x7f:
				plain = false
			}
		}
		before := s.off
		if !s.more() {
			return nil, false, s.endErr()
		}
		i -= before
	}
}

// unquote decodes a string that is not plain, as encoding/json does.
func unquote(raw []byte) (string, error) {
	var v string
	err := json.Unmarshal(raw, &v)
	return v, err
}

// word consumes a number or literal (true, false, null) and checks it.
func (s *pageScanner) word() ([]byte, error) {
	i := s.off
	for {
		for ; i < len(s.buf); i++ {
			if c := s.buf[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'E') {
				w := s.buf[s.off:i]
				s.off = i
				return w, checkWord(string(w))
			}
		}
		before := s.off
		if !s.more() {
			return nil, s.endErr() // a word is never last in an object
		}
		i -= before
	}
}

// checkWord checks a literal or number as encoding/json's Decoder.Token
// does, which also fails on numbers out of float64's range.
func checkWord(w string) error {
	if w == "true" || w == "false" || w == "null" {
		return nil
	}
	if !validNumber(w) {
		return fmt.Errorf("invalid literal %q", cut(w, 16))
	}
	if _, err := strconv.ParseFloat(w, 64); err != nil {
		return fmt.Errorf("number %s: %w", cut(w, 16), err)
	}
	return nil
}

// validNumber reports whether w is a JSON number.
func validNumber(w string) bool {
	i := 0
	digits := func() int {
		n := 0
		for ; i < len(w) && '0' <= w[i] && w[i] <= '9'; i++ {
			n++
		}
		return n
	}
	if i < len(w) && w[i] == '-' {
		i++
	}
	if i < len(w) && w[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(w) && w[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(w) && (w[i] == 'e' || w[i] == 'E') {
		i++
		if i < len(w) && (w[i] == '+' || w[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(w)
}

// key consumes an object key and its colon and reports whether the key is
// name.
func (s *pageScanner) key(name string) (bool, error) {
	if err := s.expect('"'); err != nil {
		return false, err
	}
	s.off--
	raw, plain, err := s.str()
	if err != nil {
		return false, err
	}
	is := plain && len(raw) == len(name)+2 && string(raw[1:len(raw)-1]) == name
	if !plain {
		k, err := unquote(raw)
		if err != nil {
			return false, err
		}
		is = k == name
	}
	return is, s.expect(':')
}

// skip consumes one value of any shape, checking its syntax.
func (s *pageScanner) skip() error {
	var open []byte // the containers the scanner is in, innermost last
	for {
		c, err := s.peek()
		if err != nil {
			return err
		}
		switch c {
		case '{', '[':
			if len(open) >= maxDepth {
				return errors.New("exceeded max depth")
			}
			s.off++
			empty, err := s.enter(c)
			if err != nil {
				return err
			}
			if !empty {
				open = append(open, c)
				continue
			}
		default:
			if err := s.scalar(c); err != nil {
				return err
			}
		}
		if open, err = s.afterValue(open); err != nil || len(open) == 0 {
			return err
		}
	}
}

// enter is called after '{' or '[': it consumes the closing bracket of an
// empty container and reports true, or the first key of an object.
func (s *pageScanner) enter(open byte) (empty bool, err error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	if c == open+2 { // '{'+2 is '}', '['+2 is ']'
		s.off++
		return true, nil
	}
	if open == '{' {
		_, err = s.key("")
	}
	return false, err
}

// scalar consumes a string, number or literal starting with c.
func (s *pageScanner) scalar(c byte) error {
	if c != '"' {
		_, err := s.word()
		return err
	}
	raw, plain, err := s.str()
	if err == nil && !plain && !json.Valid(raw) {
		err = errors.New("invalid string literal")
	}
	return err
}

// afterValue consumes what follows a value inside the containers open:
// the brackets it closes, then a comma and (in an object) the next key. It
// returns the containers still open.
func (s *pageScanner) afterValue(open []byte) ([]byte, error) {
	for len(open) > 0 {
		c, err := s.peek()
		if err != nil {
			return open, err
		}
		s.off++
		top := open[len(open)-1]
		switch {
		case c == top+2:
			open = open[:len(open)-1]
		case c == ',' && top == '{':
			_, err := s.key("")
			return open, err
		case c == ',':
			return open, nil
		default:
			return open, fmt.Errorf("invalid character %q after a value", c)
		}
	}
	return open, nil
}

// kind names the JSON value starting with c, for errors.
func kind(c byte) string {
	switch {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || '0' <= c && c <= '9':
		return "a number"
	}
	return fmt.Sprintf("invalid character %q", c)
}
