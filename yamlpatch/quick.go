package yamlpatch

import (
	"bytes"
	"strings"
	"unicode/utf8"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// quickSafe reports whether every edit is proven to change only its own
// scalar's value, to exactly its new string, so that the file need not be
// parsed again to verify it.
//
// The proof: the old and new text are each one scalar token on one line,
// of the same kind (plain, single- or double-quoted). The YAML scanner ends
// such a token at the same place whatever its content (a closing quote, or
// for a plain scalar the blank, flow indicator or line end that follows,
// which the edit does not touch) and leaves the same state behind it, so
// every other token, and so every other node, is unchanged. The anchor and
// tag sit outside the span and stay. The new value reads back as the
// string: quoted text is built by render to decode to it (valid UTF-8 only:
// invalid bytes become U+FFFD), and plain text passed the encoder's own
// plain-scalar check (plainOK), which only allows text that resolves to a
// string; in a flow collection only image-reference characters are taken.
func (o *options) quickSafe(l *loaded, edits []edit) bool {
	for _, e := range edits {
		if !quickSafeEdit(e.node, l.src[e.start:e.end], e, &o.plain) {
			return false
		}
	}
	return true
}

func quickSafeEdit(n *yaml.Node, old []byte, e edit, c *plainCache) bool {
	const breaks = "\r\n\u0085\u2028\u2029"
	if n.Kind != yaml.ScalarNode || (n.Style&yaml.TaggedStyle != 0 && n.Tag != "!!str") ||
		bytes.ContainsAny(old, breaks) || strings.ContainsAny(e.repl, breaks) ||
		!utf8.ValidString(e.value) || e.repl == "" || len(old) == 0 {
		return false
	}
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return old[0] == '"' && e.repl == doubleQuote(e.value)
	case n.Style&yaml.SingleQuotedStyle != 0:
		return old[0] == '\'' && e.repl == "'"+strings.ReplaceAll(e.value, "'", "''")+"'" &&
			strings.IndexFunc(e.value, needsEscape) < 0
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.FlowStyle) != 0:
		return false
	}
	// Plain: the old text must be plain too, and the new one plain-safe.
	if old[0] == '"' || old[0] == '\'' || e.repl != e.value || !c.ok(e.value, e.flow) {
		return false
	}
	return !e.flow || imageWord(e.value)
}

// imageWord reports whether v is made of image-reference characters,
// starts with a letter or digit and does not end with ':': a plain scalar
// that no flow indicator can split.
func imageWord(v string) bool {
	if v == "" || !isAlnum(v[0]) || v[len(v)-1] == ':' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isAlnum(v[i]) && strings.IndexByte("._/:@+-", v[i]) < 0 {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
