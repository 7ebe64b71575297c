package pass

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// markerLine matches a YAML line holding a marked scalar: the value and
// the marker's JSON object.
var markerLine = regexp.MustCompile(`^\s*(?:-\s+)?(?:[^#]*?:\s+)?("[^"]*"|'[^']*'|[^\s#'"]+)\s+#\s*(\{.*\})\s*$`)

// markedTags reads the tags that markers in a file's content set, by policy
// ID: the tag of whole-reference markers and the value of ":tag" markers.
// It reads lines, not YAML, because it reads every version of a file
// holds look at, and only needs to see whether a value changed; markers
// of one policy that disagree in one file give their tags joined by ",".
func markedTags(_ string, data []byte) map[string]string {
	tags := map[string][]string{}
	if !bytes.Contains(data, []byte("$imagepolicy")) {
		return nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, "$imagepolicy") {
			continue
		}
		m := markerLine.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		policy, field, ok := markerID(m[2])
		if !ok || (field != "" && field != "tag") {
			continue
		}
		v := strings.Trim(m[1], `"'`)
		if field == "" {
			v = TagOf(v)
		}
		if v != "" && !slices.Contains(tags[policy], v) {
			tags[policy] = append(tags[policy], v)
		}
	}
	out := make(map[string]string, len(tags))
	for p, vs := range tags {
		slices.Sort(vs)
		out[p] = strings.Join(vs, ",")
	}
	return out
}

// markerID reads {"$imagepolicy": "ns:name[:field]"}.
func markerID(obj string) (policy, field string, ok bool) {
	var m map[string]any
	if json.NewDecoder(strings.NewReader(obj)).Decode(&m) != nil {
		return "", "", false
	}
	id, _ := m["$imagepolicy"].(string)
	parts := strings.Split(id, ":")
	isField := func(s string) bool { return s == "tag" || s == "name" || s == "digest" }
	switch {
	case id == "":
		return "", "", false
	case len(parts) == 2 && isField(parts[1]):
		return parts[0], parts[1], true
	case len(parts) == 3:
		return parts[0] + ":" + parts[1], parts[2], true
	}
	return id, "", len(parts) <= 2
}
