package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// refPage is the tag page decoder hoist had before pageScanner: every
// token through encoding/json and a map of seen tags. It is kept as the
// reference that FuzzTagPageSameAsJSON holds decodePage to.
func refPage(r io.Reader, max int) (pageOutcome, error) {
	o := pageOutcome{seen: map[string]bool{}, max: max}
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return o, err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return o, err
		}
		if key != "tags" {
			if err := skipValue(dec); err != nil {
				return o, err
			}
			continue
		}
		if err := o.refTags(dec); errors.Is(err, errStop) {
			return o, nil
		} else if err != nil {
			return o, err
		}
	}
	return o, expectDelim(dec, '}')
}

func (o *pageOutcome) refTags(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("tags is %v, want an array", tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		t, ok := tok.(string)
		if !ok {
			return fmt.Errorf("tag is %T, want a string", tok)
		}
		o.Names++
		o.Last = t
		if o.refAdd(t) {
			o.Added++
		}
		if o.Truncated {
			return errStop
		}
	}
	return expectDelim(dec, ']')
}

func (o *pageOutcome) refAdd(t string) bool {
	switch {
	case !ociTag.MatchString(t):
		if o.Dropped == 0 {
			o.Example = cut(t, 64)
		}
		o.Dropped++
		return false
	case o.seen[t]:
		return false
	case len(o.Tags) >= o.max:
		o.Truncated = true
		return false
	}
	o.seen[t] = true
	o.Tags = append(o.Tags, t)
	return true
}

// pageOutcome is everything a page decoder reports.
type pageOutcome struct {
	Tags         []string
	Dropped      int
	Example      string
	Truncated    bool
	Names, Added int
	Last         string
	Failed       bool
	seen         map[string]bool
	max          int
}

func decodeOutcome(body string, max int) pageOutcome {
	c := newTagCollector(max)
	res, err := decodePage(iotestHalf(body), c)
	return pageOutcome{Tags: c.tags, Dropped: c.dropped, Example: c.example, Truncated: c.truncated,
		Names: res.names, Added: res.added, Last: res.last, Failed: err != nil}
}

// iotestHalf reads body a few bytes at a time, so that tokens straddle
// the scanner's reads.
func iotestHalf(body string) io.Reader {
	return &smallReader{s: body}
}

type smallReader struct{ s string }

func (r *smallReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 7)], r.s)
	r.s = r.s[n:]
	return n, nil
}

// FuzzTagPageSameAsJSON: decodePage reports what the encoding/json
// decoder reports for any body: the same tags, drops, example, truncation,
// counts and last name, and an error for the same bodies.
func FuzzTagPageSameAsJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"x","tags":["1.0.0","1.0.0","a b","../../etc","v2"]}`,
		`{"tags":null,"extra":{"a":[1,2,{"b":null}]},"n":-1.5e+3}`,
		`{"tags":["9.9.9\n  evil: x","\u0000","\u0031.0","é","` + strings.Repeat("a", 129) + `"]}`,
		`{"tags":[1,2]}`, `[]`, `{"a":1,}`, `{"tags":["a",]}`, `{"tags":["a" "b"]}`,
		`{"t\u0061gs":["x\"y","v1"],"tags":["v1","v2","v3","v4"]} trailing`,
		` { "tags" : [ "a" , "b" ] , "name" : "r" } `, `{"tags":"x"}`, `{"n":01}`, `{"n":tru}`,
		`{"n":"\x"}`, `{}`, ``, `{"tags":[`, `{"n":[[[[]]],{"a":{}}],"tags":[]}`,
	} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, body string, max uint8) {
		m := int(max%8) + 1
		want, err := refPage(strings.NewReader(body), m)
		want.Failed, want.seen, want.max = err != nil, nil, 0
		got := decodeOutcome(body, m)
		if want.Failed { // what was read before an error is not used
			want = pageOutcome{Failed: true}
			got = pageOutcome{Failed: got.Failed}
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(pageOutcome{})); diff != "" {
			t.Errorf("decodePage(%q, %d) mismatch (-want +got):\n%s", body, m, diff)
		}
	})
}

func TestTagPageSameAsJSON(t *testing.T) {
	tags := make([]string, 3000)
	for i := range tags {
		tags[i] = fmt.Sprintf("1.%d.%04d-build.%d", i%50, i%2500, i)
	}
	body, _ := json.Marshal(map[string]any{"name": strings.Repeat("n", 40000), "tags": tags})
	for _, m := range []int{1, 2499, 2500, 100000} {
		want, err := refPage(strings.NewReader(string(body)), m)
		want.Failed, want.seen, want.max = err != nil, nil, 0
		if diff := cmp.Diff(want, decodeOutcome(string(body), m), cmp.AllowUnexported(pageOutcome{})); diff != "" {
			t.Errorf("max %d: mismatch (-want +got):\n%s", m, diff)
		}
	}
}
