package yamlpatch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// token is the text every marker contains; files without it are not parsed.
const token = "$imagepolicy"

// The marker fields. fieldRef ("") is the whole reference.
const (
	fieldRef    = ""
	fieldTag    = "tag"
	fieldName   = "name"
	fieldDigest = "digest"
)

// markerSpec is a parsed marker comment.
type markerSpec struct {
	policy string // "ns:name" or "name"
	field  string
}

// hasToken reports whether a comment mentions the marker token.
func hasToken(comment string) bool {
	return strings.Contains(comment, token)
}

// parseMarker parses a line comment such as `# {"$imagepolicy": "ns:name:tag"}`.
// Any spacing is accepted, and text after the JSON object is ignored.
func parseMarker(comment string) (markerSpec, error) {
	s := strings.TrimLeft(comment, "# \t")
	if id, ok := simpleMarker(s); ok {
		return parsePolicyID(id)
	}
	if !strings.HasPrefix(s, "{") {
		return markerSpec{}, errors.New(`comment mentions $imagepolicy but is not a marker like {"$imagepolicy": "ns:name"}`)
	}
	var obj map[string]json.RawMessage
	if err := json.NewDecoder(strings.NewReader(s)).Decode(&obj); err != nil {
		return markerSpec{}, fmt.Errorf("bad marker JSON: %w", err)
	}
	raw, ok := obj[token]
	if !ok {
		return markerSpec{}, fmt.Errorf("marker JSON has no %q key", token)
	}
	var id string
	if err := json.Unmarshal(bytes.TrimSpace(raw), &id); err != nil {
		return markerSpec{}, fmt.Errorf("marker %q value must be a string", token)
	}
	return parsePolicyID(id)
}

// simpleMarker reads the common form {"$imagepolicy": "id"}, with any
// spacing and without escapes, without the JSON decoder's allocations.
// Anything else is left to the decoder.
func simpleMarker(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "{")
	if !ok {
		return "", false
	}
	rest, ok = strings.CutPrefix(strings.TrimLeft(rest, " \t"), `"`+token+`"`)
	if !ok {
		return "", false
	}
	rest, ok = strings.CutPrefix(strings.TrimLeft(rest, " \t"), ":")
	if !ok {
		return "", false
	}
	rest, ok = strings.CutPrefix(strings.TrimLeft(rest, " \t"), `"`)
	if !ok {
		return "", false
	}
	id, rest, ok := strings.Cut(rest, `"`)
	if !ok || strings.ContainsAny(id, "\\\x00") || strings.IndexFunc(id, func(r rune) bool { return r < 0x20 || r == utf8.RuneError }) >= 0 {
		return "", false
	}
	if !strings.HasPrefix(strings.TrimLeft(rest, " \t"), "}") {
		return "", false
	}
	return id, true
}

// parsePolicyID splits "ns:name[:field]" or "name[:field]". Two parts whose
// second is a field name ("api:tag") are a bare name with a field.
func parsePolicyID(id string) (markerSpec, error) {
	parts := strings.Split(strings.TrimSpace(id), ":")
	for _, p := range parts {
		if strings.TrimSpace(p) == "" || p != strings.TrimSpace(p) {
			return markerSpec{}, fmt.Errorf("bad policy ID %q", id)
		}
	}
	switch {
	case len(parts) == 1:
		return markerSpec{policy: parts[0]}, nil
	case len(parts) == 2 && isField(parts[1]):
		return markerSpec{policy: parts[0], field: parts[1]}, nil
	case len(parts) == 2:
		return markerSpec{policy: parts[0] + ":" + parts[1]}, nil
	case len(parts) == 3 && isField(parts[2]):
		return markerSpec{policy: parts[0] + ":" + parts[1], field: parts[2]}, nil
	case len(parts) == 3:
		return markerSpec{}, fmt.Errorf("unknown marker field %q in %q (want tag, name or digest)", parts[2], id)
	default:
		return markerSpec{}, fmt.Errorf("bad policy ID %q", id)
	}
}

func isField(s string) bool {
	return s == fieldTag || s == fieldName || s == fieldDigest
}

// target is the value a marker of this field gets from ref.
func target(ref Ref, field string) (string, error) {
	switch field {
	case fieldTag:
		return nonEmpty(ref.Tag, "tag")
	case fieldName:
		return nonEmpty(ref.Name, "name")
	case fieldDigest:
		return nonEmpty(ref.Digest, "digest")
	}
	if ref.Name == "" {
		return "", errors.New("chosen reference has no name")
	}
	switch {
	case ref.Tag == "" && ref.Digest == "":
		return "", errors.New("chosen reference has neither tag nor digest")
	case ref.Tag == "":
		return ref.Name + "@" + ref.Digest, nil
	case ref.Digest == "":
		return ref.Name + ":" + ref.Tag, nil
	}
	return ref.Name + ":" + ref.Tag + "@" + ref.Digest, nil
}

func nonEmpty(v, what string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("chosen reference has no %s", what)
	}
	return v, nil
}
