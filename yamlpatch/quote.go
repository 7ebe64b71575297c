package yamlpatch

import (
	"fmt"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// render returns the source text of v for a scalar of the given style.
// Quoted values keep their quote style; a plain value stays plain unless it
// would read as something other than that string, then it is double-quoted.
func render(v string, style yaml.Style, flow bool) string {
	switch {
	case style&yaml.DoubleQuotedStyle != 0:
		return doubleQuote(v)
	case style&yaml.SingleQuotedStyle != 0:
		if strings.IndexFunc(v, needsEscape) >= 0 {
			return doubleQuote(v)
		}
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case plainOK(v, flow):
		return v
	}
	return doubleQuote(v)
}

// plainOK reports whether v can be written as a plain scalar that reads
// back as the string v: the YAML encoder would write it plain.
func plainOK(v string, flow bool) bool {
	if v == "" || strings.IndexFunc(v, needsEscape) >= 0 {
		return false
	}
	if flow && strings.ContainsAny(v, ",[]{}") {
		return false
	}
	out, err := yaml.Marshal(v)
	return err == nil && string(out) == v+"\n"
}

func needsEscape(r rune) bool {
	switch r {
	case '\u0085', '\u2028', '\u2029', '\ufeff', unicode.ReplacementChar:
		return true
	}
	return r < 0x20 || r == 0x7f || !unicode.IsPrint(r)
}

func doubleQuote(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x100 && needsEscape(r):
			fmt.Fprintf(&b, `\x%02X`, r)
		case r < 0x10000 && needsEscape(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\U%08X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
