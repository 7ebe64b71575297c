package yamlpatch

import (
	"bytes"
	"errors"
	"unicode/utf8"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// lineStarts returns the byte offset of every line start as yaml.v3 counts
// lines: CRLF, CR, LF, NEL, LS and PS all end a line, and a leading BOM is
// not part of line 1.
func lineStarts(src []byte) []int {
	first := 0
	if bytes.HasPrefix(src, []byte("\xEF\xBB\xBF")) {
		first = 3
	}
	starts := []int{first}
	for i := first; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\r' && i+1 < len(src) && src[i+1] == '\n':
			i++
			starts = append(starts, i+1)
		case c == '\r' || c == '\n':
			starts = append(starts, i+1)
		case c == 0xC2 && i+1 < len(src) && src[i+1] == 0x85:
			i++
			starts = append(starts, i+1)
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9):
			i += 2
			starts = append(starts, i+1)
		}
	}
	return starts
}

var errNoSpan = errors.New("cannot locate the value's bytes (multi-line values are not rewritten)")

// offset converts a 1-based line and column (in characters) to a byte offset.
func offset(src []byte, starts []int, line, col int) (int, bool) {
	if line < 1 || line > len(starts) || col < 1 {
		return 0, false
	}
	p := starts[line-1]
	for range col - 1 {
		if p >= len(src) {
			return 0, false
		}
		_, w := utf8.DecodeRune(src[p:])
		p += w
	}
	return p, true
}

// valueSpan returns the byte span [start, end) of scalar n in src, quotes
// included and anchor or tag excluded.
func valueSpan(src []byte, starts []int, n *yaml.Node) (int, int, error) {
	p, ok := offset(src, starts, n.Line, n.Column)
	if !ok {
		return 0, 0, errNoSpan
	}
	p = skipProperties(src, p)
	var end int
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		end = quotedEnd(src, p, '"')
	case n.Style&yaml.SingleQuotedStyle != 0:
		end = quotedEnd(src, p, '\'')
	default:
		end = plainEnd(src, p, n.Value)
	}
	if end < 0 {
		return 0, 0, errNoSpan
	}
	return p, end, nil
}

// skipProperties skips an anchor (&a) and a tag (!t) and the spaces after
// them. It stops at a line break: a value on a later line than its
// properties is not rewritten, since its change would be reported on the
// wrong line.
func skipProperties(src []byte, p int) int {
	for p < len(src) && (src[p] == '&' || src[p] == '!') {
		for p < len(src) && !isBlank(src[p]) {
			p++
		}
		for p < len(src) && (src[p] == ' ' || src[p] == '\t') {
			p++
		}
	}
	return p
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// quotedEnd returns the offset just past the closing quote of the quoted
// scalar starting at p, or -1.
func quotedEnd(src []byte, p int, q byte) int {
	if p >= len(src) || src[p] != q {
		return -1
	}
	for i := p + 1; i < len(src); i++ {
		switch {
		case q == '"' && src[i] == '\\':
			i++
		case src[i] == q && q == '\'' && i+1 < len(src) && src[i+1] == '\'':
			i++
		case src[i] == q:
			return i + 1
		}
	}
	return -1
}

// plainEnd returns the end of a single-line plain scalar whose text is value.
func plainEnd(src []byte, p int, value string) int {
	if value == "" || !bytes.HasPrefix(src[p:], []byte(value)) {
		return -1
	}
	end := p + len(value)
	rest := src[end:]
	switch {
	case len(rest) == 0, bytes.IndexByte([]byte(" \t\r\n,]}"), rest[0]) >= 0,
		bytes.HasPrefix(rest, []byte("\u0085")), bytes.HasPrefix(rest, []byte("\u2028")),
		bytes.HasPrefix(rest, []byte("\u2029")):
		return end
	}
	return -1
}
