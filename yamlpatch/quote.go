package yamlpatch

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// render returns the source text of v for a scalar of the given style.
// Quoted values keep their quote style; a plain value stays plain unless it
// would read as something other than that string, then it is double-quoted.
// The plain check is cached in c, which may be nil.
func render(v string, style yaml.Style, flow bool, c *plainCache) string {
	switch {
	case style&yaml.DoubleQuotedStyle != 0:
		return doubleQuote(v)
	case style&yaml.SingleQuotedStyle != 0:
		if strings.IndexFunc(v, needsEscape) >= 0 {
			return doubleQuote(v)
		}
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case c.ok(v, flow):
		return v
	}
	return doubleQuote(v)
}

// plainCache remembers plainOK answers for one run: targets repeat.
type plainCache struct {
	m sync.Map // string -> bool, answers for block context
}

func (c *plainCache) ok(v string, flow bool) bool {
	if flow && strings.ContainsAny(v, ",[]{}") {
		return false
	}
	if c == nil {
		return plainOK(v)
	}
	if r, ok := c.m.Load(v); ok {
		return r.(bool)
	}
	r := plainOK(v)
	c.m.Store(v, r)
	return r
}

// plainOK reports whether v can be written as a plain scalar that reads
// back as the string v: the YAML encoder would write it plain.
func plainOK(v string) bool {
	if v == "" || strings.IndexFunc(v, needsEscape) >= 0 {
		return false
	}
	if simpleWord(v) {
		return true
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

// simpleWord reports, without running the encoder, that v is plain-safe:
// it starts with a letter, holds only image-reference characters, does not
// end with ':' and is not a word YAML 1.1 or 1.2 reads as a bool or null.
func simpleWord(v string) bool {
	c := v[0]
	if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') || v[len(v)-1] == ':' {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._/:@+-", c) >= 0) {
			return false
		}
	}
	switch strings.ToLower(v) {
	case "y", "yes", "n", "no", "true", "false", "on", "off", "null":
		return false
	}
	return true
}
