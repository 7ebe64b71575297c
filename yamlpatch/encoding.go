package yamlpatch

import (
	"bytes"
	"fmt"
	"sort"
	"unicode/utf8"
)

// msgUTF16 is the problem of a UTF-16 file holding the marker token: yaml.v3
// would decode it, but spans and edits work on UTF-8 bytes.
const msgUTF16 = "file is UTF-16; hoist reads UTF-8 only (convert it to UTF-8 to use its markers)"

// isUTF16 reports whether src starts with a UTF-16 byte order mark.
func isUTF16(src []byte) bool {
	return bytes.HasPrefix(src, []byte{0xFE, 0xFF}) || bytes.HasPrefix(src, []byte{0xFF, 0xFE})
}

// hasUTF16Token reports whether src holds the marker token encoded as
// UTF-16, little or big endian.
func hasUTF16Token(src []byte) bool {
	le := make([]byte, 0, 2*len(token))
	be := make([]byte, 0, 2*len(token))
	for i := 0; i < len(token); i++ {
		le = append(le, token[i], 0)
		be = append(be, 0, token[i])
	}
	return bytes.Contains(src, le) || bytes.Contains(src, be)
}

// utf16Problem returns the problem of a file in UTF-16 (with a byte order
// mark, or without one but holding NUL bytes) that holds a marker.
func utf16Problem(rel string, src []byte) (Problem, bool) {
	switch {
	case isUTF16(src) && (hasUTF16Token(src) || bytes.Contains(src, []byte(token))):
	case bytes.IndexByte(src, 0) >= 0 && hasUTF16Token(src):
	default:
		return Problem{}, false
	}
	return Problem{File: rel, Reason: msgUTF16}, true
}

// parseProblem turns a parse error into a problem with the line the error
// names. The YAML reader's errors (invalid UTF-8, control characters) name
// none: then the first such byte is found and its line and offset named.
func parseProblem(rel string, src []byte, err error) Problem {
	line, msg := ErrorLine(err)
	if line == 0 {
		if off, what, ok := badChar(src); ok {
			line = lineOf(src, off)
			msg = fmt.Sprintf("%s (%s at byte offset %d)", msg, what, off)
		}
	}
	if bytes.Contains(src, []byte("${")) {
		return Problem{File: rel, Line: line, Warning: true,
			Reason: "parsing: " + msg + " (a template holding ${...}: not rewritten)"}
	}
	return Problem{File: rel, Line: line, Reason: "parsing: " + msg}
}

// badChar returns the offset of the first byte the YAML reader rejects:
// invalid UTF-8, or a character outside YAML's printable set (tab, line
// breaks, U+0020-U+007E, U+0085, U+00A0-U+D7FF, U+E000-U+FFFD and above
// U+FFFF). A leading byte order mark is allowed.
func badChar(src []byte) (int, string, bool) {
	for i := 0; i < len(src); {
		r, w := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && w <= 1:
			return i, fmt.Sprintf("invalid UTF-8 byte 0x%02X", src[i]), true
		case !printable(r):
			return i, fmt.Sprintf("character %U", r), true
		}
		i += w
	}
	return 0, "", false
}

func printable(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E, r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD:
		return true
	}
	return r >= 0x10000 && r <= utf8.MaxRune
}

// lineOf returns the 1-based line, as yaml.v3 counts lines, of byte off.
func lineOf(src []byte, off int) int {
	starts := lineStarts(src)
	return sort.Search(len(starts), func(i int) bool { return starts[i] > off })
}
