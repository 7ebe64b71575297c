package yamlpatch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestRender(t *testing.T) {
	plain, dq, sq := yaml.Style(0), yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle
	tests := []struct {
		v     string
		style yaml.Style
		flow  bool
		want  string
	}{
		{"ghcr.io/acme/api:1.4.2", plain, false, "ghcr.io/acme/api:1.4.2"},
		{"ghcr.io/a/b:1@sha256:abc", plain, false, "ghcr.io/a/b:1@sha256:abc"},
		{"1.10", plain, false, `"1.10"`},
		{"true", plain, false, `"true"`},
		{"yes", plain, false, `"yes"`},
		{"null", plain, false, `"null"`},
		{"~", plain, false, `"~"`},
		{"1e3", plain, false, `"1e3"`},
		{"0x10", plain, false, `"0x10"`},
		{"5", plain, false, `"5"`},
		{"", plain, false, `""`},
		{"a: b", plain, false, `"a: b"`},
		{"a #b", plain, false, `"a #b"`},
		{"-x", plain, false, "-x"},
		{"a,b", plain, false, "a,b"},
		{"a,b", plain, true, `"a,b"`},
		{"1.10", sq, false, "'1.10'"},
		{"it's", sq, false, "'it''s'"},
		{"tab\there", sq, false, `"tab\there"`},
		{`say "hi" \ ok`, dq, false, `"say \"hi\" \\ ok"`},
		{"nl\nand\x01\u2028", dq, false, `"nl\nand\x01\u2028"`},
		{"ünï", dq, false, `"ünï"`},
	}
	for _, tc := range tests {
		if got := render(tc.v, tc.style, tc.flow, nil); got != tc.want {
			t.Errorf("render(%q, %v, flow=%v) = %s, want %s", tc.v, tc.style, tc.flow, got, tc.want)
		}
		// Whatever the style, the text must read back as the string.
		var back string
		if err := yaml.Unmarshal([]byte("k: "+render(tc.v, tc.style, false, nil)), &map[string]*string{"k": &back}); err != nil {
			t.Errorf("render(%q) does not parse: %v", tc.v, err)
		}
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(render(tc.v, tc.style, false, nil)), &n); err != nil || n.Content[0].Value != tc.v || n.Content[0].Tag != "!!str" {
			t.Errorf("render(%q) reads back as %+v, %v", tc.v, n.Content, err)
		}
	}
}

// TestSimpleWordAgreesWithEncoder checks the fast path against the encoder.
func TestSimpleWordAgreesWithEncoder(t *testing.T) {
	for _, v := range []string{"a", "abc", "ghcr.io/a/b:1.2@sha256:ff", "Yes", "NO", "on", "Off", "y", "N", "true", "False",
		"NULL", "null", "nul", "a:", "a:b", "x-y_z", "main-123-abc", "latest", "v1.2.3", "T", "Nan", "inf", "e3"} {
		out, err := yaml.Marshal(v)
		enc := err == nil && string(out) == v+"\n"
		if simpleWord(v) && !enc {
			t.Errorf("simpleWord(%q) = true, but the encoder writes %q", v, out)
		}
	}
}

func TestParseMarker(t *testing.T) {
	tests := []struct {
		comment string
		want    markerSpec
		err     string
	}{
		{`# {"$imagepolicy": "apps:api"}`, markerSpec{policy: "apps:api"}, ""},
		{`#{"$imagepolicy":"apps:api:tag"}`, markerSpec{policy: "apps:api", field: "tag"}, ""},
		{"#   {  \"$imagepolicy\" :\t\"api:name\" } trailing words", markerSpec{policy: "api", field: "name"}, ""},
		{`# {"$imagepolicy": "api"}`, markerSpec{policy: "api"}, ""},
		{`# {"$imagepolicy": "apps:api:digest"}`, markerSpec{policy: "apps:api", field: "digest"}, ""},
		{`# {"$imagepolicy": "a:b:c:d"}`, markerSpec{}, `bad policy ID "a:b:c:d"`},
		{`# {"$imagepolicy": "a:b:size"}`, markerSpec{}, `unknown marker field "size" in "a:b:size" (want tag, name or digest)`},
		{`# {"$imagepolicy": ""}`, markerSpec{}, `bad policy ID ""`},
		{`# {"$imagepolicy": " a "}`, markerSpec{policy: "a"}, ""},
		{`# {"$imagepolicy": "a: b"}`, markerSpec{}, `bad policy ID "a: b"`},
		{`# {"$imagepolicy": 3}`, markerSpec{}, `marker "$imagepolicy" value must be a string`},
		{`# {"$imagepolicy": "a"`, markerSpec{}, `bad marker JSON: unexpected EOF`},
		{`# {"other": "a"} $imagepolicy`, markerSpec{}, `marker JSON has no "$imagepolicy" key`},
	}
	for _, tc := range tests {
		got, err := parseMarker(tc.comment)
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		if got != tc.want || errText != tc.err {
			t.Errorf("parseMarker(%q) = %+v, %q; want %+v, %q", tc.comment, got, errText, tc.want, tc.err)
		}
	}
}

func TestTarget(t *testing.T) {
	full := Ref{Name: "r", Tag: "t", Digest: "sha256:d"}
	tests := []struct {
		ref         Ref
		field, want string
		err         bool
	}{
		{full, "", "r:t@sha256:d", false},
		{Ref{Name: "r", Tag: "t"}, "", "r:t", false},
		{Ref{Name: "r", Digest: "sha256:d"}, "", "r@sha256:d", false},
		{Ref{Tag: "t"}, "", "", true},
		{Ref{Name: "r"}, "", "", true},
		{full, "tag", "t", false},
		{full, "name", "r", false},
		{full, "digest", "sha256:d", false},
		{Ref{Name: "r", Tag: "t"}, "digest", "", true},
	}
	for _, tc := range tests {
		got, err := target(tc.ref, tc.field)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("target(%+v, %q) = %q, %v; want %q, error %v", tc.ref, tc.field, got, err, tc.want, tc.err)
		}
	}
}

// TestVerify feeds verify edited outputs that must be rejected.
func TestVerify(t *testing.T) {
	src := "a: x # m\nb: &k y\nc: *k\nd: [1, 2]\n"
	p, err := parseFile([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	idx := 2 // document, map, key a, value x
	edits := []edit{{idx: idx + 1, value: "new"}}
	tests := map[string]struct {
		out string
		ok  bool
	}{
		"good":            {"a: new # m\nb: &k y\nc: *k\nd: [1, 2]\n", true},
		"good quoted":     {"a: \"new\" # m\nb: &k y\nc: *k\nd: [1, 2]\n", true},
		"wrong value":     {"a: ne # m\nb: &k y\nc: *k\nd: [1, 2]\n", false},
		"not a string":    {"a: 5 # m\nb: &k y\nc: *k\nd: [1, 2]\n", false},
		"other changed":   {"a: new # m\nb: &k z\nc: *k\nd: [1, 2]\n", false},
		"style changed":   {"a: new # m\nb: &k 'y'\nc: *k\nd: [1, 2]\n", false},
		"structure":       {"a: new # m\nb: &k y\nc: *k\nd: [1, 2, 3]\n", false},
		"swallowed a key": {"a: new\nb: &k y\nc: *k\n# d: [1, 2]\n", false},
		"does not parse":  {"a: new: # m\nb: &k y\nc: *k\nd: [1, 2]\n", false},
		"anchor moved":    {"a: new # m\nb: y\nc: &k z\nd: [1, 2]\n", false},
		"became mapping":  {"a: {new: 1} # m\nb: &k y\nc: *k\nd: [1, 2]\n", false},
	}
	for name, tc := range tests {
		err := verify(p.flat(), []byte(tc.out), edits)
		if (err == nil) != tc.ok {
			t.Errorf("%s: verify = %v, want ok=%v", name, err, tc.ok)
		}
	}
}

func TestLineStartsAndSpans(t *testing.T) {
	// Every line break yaml.v3 knows, a BOM, anchors, tags and multi-byte text.
	src := "\ufeffa: 1\r\nb: 2\rc: 3\u0085d: 4\u2028e: &x !!str 'it''s' # m\nf: ü\"q\\\"\" # m\ng: [ä, plain] # m\n"
	p, err := parseFile([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	starts := lineStarts([]byte(src))
	top := p.flat()[1].Content
	var values []*yaml.Node
	for i := 1; i < len(top); i += 2 {
		values = append(values, top[i])
	}
	values = append(values, top[len(top)-1].Content...)
	got := map[string]string{}
	for _, n := range values {
		if n.Kind != yaml.ScalarNode {
			continue
		}
		s, e, err := valueSpan([]byte(src), starts, n)
		if err != nil {
			t.Errorf("valueSpan(%q): %v", n.Value, err)
			continue
		}
		got[n.Value] = src[s:e]
	}
	want := map[string]string{
		"1": "1", "2": "2", "3": "3", "4": "4", "it's": "'it''s'",
		"ü\"q\\\"\"": "ü\"q\\\"\"", "ä": "ä", "plain": "plain",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans mismatch (-want +got):\n%s", diff)
	}
}
