package gitwriter

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"text/template"
	"unicode"
)

// templateFuncs returns the functions commit message templates may call
// besides text/template's own: the Sprig functions (Flux gives templates
// Sprig's hermetic set) that Flux's documentation and Flux users' templates
// use, with Sprig's names, argument order and results. None decodes data
// (no b64dec), so no function can turn an escaped value back into lines.
// A template calling another Sprig function fails when it is checked.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"lower": strings.ToLower, "upper": strings.ToUpper, "trim": strings.TrimSpace,
		"trimAll":    func(cutset, s string) string { return strings.Trim(s, cutset) },
		"trimPrefix": func(prefix, s string) string { return strings.TrimPrefix(s, prefix) },
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"contains":   func(substr, s string) bool { return strings.Contains(s, substr) },
		"hasPrefix":  func(prefix, s string) bool { return strings.HasPrefix(s, prefix) },
		"hasSuffix":  func(suffix, s string) bool { return strings.HasSuffix(s, suffix) },
		"replace":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"repeat":     repeat,
		"nospace":    func(s string) string { return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), "") },
		"trunc":      trunc,
		"indent":     indent,
		"nindent":    func(n int, s string) (string, error) { s, err := indent(n, s); return "\n" + s, err },
		"quote": func(vs ...any) string {
			return joinNonNil(vs, func(v any) string { return fmt.Sprintf("%q", toString(v)) })
		},
		"squote":    func(vs ...any) string { return joinNonNil(vs, func(v any) string { return "'" + toString(v) + "'" }) },
		"cat":       func(vs ...any) string { return joinNonNil(vs, toString) },
		"toString":  toString,
		"join":      func(sep string, v any) string { return strings.Join(toStrings(v), sep) },
		"splitList": func(sep, s string) []string { return strings.Split(s, sep) },
		"sortAlpha": func(v any) []string { s := toStrings(v); slices.Sort(s); return s },
		"sha256sum": func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) },
		"sha1sum":   func(s string) string { h := sha1.Sum([]byte(s)); return hex.EncodeToString(h[:]) },
		"b64enc":    func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"empty":     empty,
		"default":   func(d any, given ...any) any { return cmpOr(d, given) },
	}
}

// trunc keeps the first n bytes of s, or the last -n when n is negative.
func trunc(n int, s string) string {
	switch {
	case n < 0 && len(s)+n > 0:
		return s[len(s)+n:]
	case n >= 0 && len(s) > n:
		return s[:n]
	}
	return s
}

// repeat is strings.Repeat with a negative count meaning none and a result
// no longer than a message may be.
func repeat(n int, s string) (string, error) {
	if n > 0 && len(s) > 0 && n > maxMessage/len(s) {
		return "", fmt.Errorf("repeat: result longer than %d bytes", maxMessage)
	}
	return strings.Repeat(s, max(n, 0)), nil
}

func indent(n int, s string) (string, error) {
	pad, err := repeat(n, " ")
	if err != nil {
		return "", err
	}
	if lines := strings.Count(s, "\n") + 1; len(pad) > 0 && lines > maxMessage/len(pad) {
		return "", fmt.Errorf("indent: result longer than %d bytes", maxMessage)
	}
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad), nil
}

// toString formats v as Sprig's toString does: strings as they are, byte
// slices as text, errors and Stringers by their method, the rest with %v.
func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case error:
		return v.Error()
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprintf("%v", v)
	}
}

// toStrings turns a list into strings, leaving out nil elements; anything
// else becomes a list of one.
func toStrings(v any) []string {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return []string{toString(v)}
	}
	var out []string
	for i := range rv.Len() {
		if e := rv.Index(i); !(e.Kind() == reflect.Interface && e.IsNil()) {
			out = append(out, toString(e.Interface()))
		}
	}
	return out
}

func joinNonNil(vs []any, f func(any) string) string {
	var out []string
	for _, v := range vs {
		if v != nil {
			out = append(out, f(v))
		}
	}
	return strings.Join(out, " ")
}

// empty reports whether v is nil or its type's zero value; a struct is
// never empty (as in Sprig).
func empty(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Invalid:
		return true
	case reflect.Array, reflect.Slice, reflect.Map, reflect.String:
		return rv.Len() == 0
	case reflect.Struct:
		return false
	case reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func:
		return rv.IsNil()
	default:
		return rv.IsZero()
	}
}

// cmpOr is Sprig's default: given[0] unless it is missing or empty.
func cmpOr(d any, given []any) any {
	if len(given) == 0 || empty(given[0]) {
		return d
	}
	return given[0]
}
