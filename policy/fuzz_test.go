package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// FuzzSelect checks, for any tags, patterns and rule: no panic, the counts
// add up, the winner is one of the tags, and the decision does not depend
// on the order of the tags.
func FuzzSelect(f *testing.F) {
	f.Add("1.0.0\nv1.2.0\n1.3.0-rc.1\nlatest", "semver", ">=1.0.0", "", "", "-rc")
	f.Add("main-100-abc\nmain-200-def\npr-1", "numerical", "", `^main-(?P<ts>\d+)-`, "$ts", "")
	f.Add("b\na\nc", "alphabetical", "desc", "", "", "")
	f.Add("1.0\n1\n-0\n0", "numerical", "asc", "", "", "")
	f.Add("x1.0.0\n1.0.0x", "semver", "*", `(\d+)\.(\d+)`, "${2}$1", "^x")
	f.Fuzz(func(t *testing.T, tags, rule, arg, pattern, extract, exclude string) {
		s := Spec{Image: "r/x", Rule: rule, Range: arg, Order: arg, Pattern: pattern, Extract: extract}
		if exclude != "" {
			s.Exclude = []string{exclude}
		}
		p, err := New("x", s)
		if err != nil {
			return
		}
		names := strings.Split(tags, "\n")
		list := Tags(names...)
		d := Select([]*Policy{p}, map[string][]Tag{"r/x": list})[0]
		e := d.Explanation
		if sum := e.Excluded + e.FilteredOut + e.Unparseable + e.OutOfRange + e.Candidates; sum != e.Seen || e.Seen != len(names) {
			t.Fatalf("counts do not add up: %+v", e)
		}
		if (d.Err != nil) != (d.Tag == "") {
			t.Fatalf("tag %q with err %v", d.Tag, d.Err)
		}
		if d.Err == nil && !slices.Contains(names, d.Tag) {
			t.Fatalf("chose %q, not one of the tags", d.Tag)
		}
		slices.Reverse(list)
		again := Select([]*Policy{p}, map[string][]Tag{"r/x": list})[0]
		if diff := cmp.Diff(d, again, cmp.Comparer(sameError)); diff != "" {
			t.Fatalf("decision depends on tag order (-first +reversed):\n%s", diff)
		}
	})
}

// FuzzParse checks the policy file parser: no panic, and the same bytes
// always load to the same policies, problems and notes.
func FuzzParse(f *testing.F) {
	f.Add([]byte(hoistDoc("api", goodSpec+"  exclude: ['-rc']\n  filterTags: {pattern: '^v(.*)', extract: $1}\n")))
	f.Add([]byte("apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r}\nspec: {image: a/r, exclusionList: [x]}\n---\n" +
		"apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: p}\nspec:\n  imageRepositoryRef: {name: r}\n  policy: {numerical: {order: desc}}\n"))
	f.Add([]byte("a: &x [*x]\nkind: ImagePolicy\n"))
	f.Add([]byte("apiVersion: hoist.dev/v1alpha1\nkind: ImagePolicy\nmetadata: &m {name: a}\nspec: &s {image: *m, policy: *s}\n"))
	f.Add([]byte(hoistDoc("x", goodSpec+"  filterTags: {pattern: '^(?P<ts>[0-9]+)$', extract: '$nope'}\n")))
	f.Add([]byte(hoistDoc("x", "  image: host/../../etc\n  policy: {newestBuild: {}}\n")))
	f.Add([]byte(fluxPair("v1beta1")))
	f.Add([]byte(automationV1 + "---\n" + automationV1beta1))
	f.Add([]byte("apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r}\nspec: {image: a/r, insecure: true, provider: aws, secretRef: {name: s}}\n"))
	f.Add([]byte("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: r}\nspec: {url: 'https://c.example.com'}\n---\n" +
		hoistDoc("x", "  chart: {helmRepositoryRef: {name: r, namespace: apps}, name: api}\n  policy: {semver: {range: '*'}}\n  minAge: 1d\n  follow: {path: s, policy: apps:y, after: 6h}\n") + "---\n" +
		hoistDoc("y", "  chart: oci://ghcr.io/a/c\n  policy: {semver: {range: '*'}}\n  follow: {path: s, policy: apps:x}\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		load := func() *Set {
			fsys := fstest.MapFS{"p.yaml": {Data: data}}
			l := newLoader(&options{log: discard(), maxFile: 1 << 20}, fsys)
			files, _, err := l.walk(fsys, ".")
			if err != nil {
				t.Fatal(err)
			}
			l.load(files)
			return l.finish()
		}
		a, b := load(), load()
		if diff := cmp.Diff(describe(a), describe(b)); diff != "" {
			t.Fatalf("load is not deterministic (-first +second):\n%s", diff)
		}
		for _, pr := range a.Problems {
			if pr.File != "p.yaml" || pr.Err == nil {
				t.Fatalf("bad problem %#v", pr)
			}
		}
	})
}

func describe(s *Set) []string {
	var out []string
	for _, p := range s.Policies {
		out = append(out, p.ID+" "+p.Image+" "+p.Rule()+" "+p.Group)
	}
	for _, p := range s.Problems {
		out = append(out, p.Error())
	}
	for _, n := range s.Notes {
		out = append(out, n.String())
	}
	for _, a := range s.Automations {
		c := *a
		c.PolicySelector = nil
		out = append(out, fmt.Sprintf("%+v %+v", c, a.PolicySelector))
	}
	return out
}

// FuzzExtract holds the substring shortcut of extract to regexp.Expand.
func FuzzExtract(f *testing.F) {
	f.Add(`^main-(?P<ts>\d+)-(\w+)$`, "$ts", "main-123-abc")
	f.Add(`(a)|(b)`, "${2}", "a")
	f.Add(`(a)(b)`, "$1x", "ab")
	f.Add(`x(\d*)`, "$1", "x")
	f.Fuzz(func(t *testing.T, pattern, template, tag string) {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		p := &Policy{}
		p.setFilter(re, template)
		got, ok := p.extractValue(tag)
		m := re.FindStringSubmatchIndex(tag)
		want := tag
		if template != "" && m != nil {
			want = string(re.ExpandString(nil, template, tag, m))
		}
		if ok != (m != nil) || (ok && got != want) {
			t.Fatalf("extract(%q, %q, %q) = %q, %v; want %q, %v", pattern, template, tag, got, ok, want, m != nil)
		}
	})
}

// FuzzTemplateRefs holds checkExtract's reading of a template to
// regexp.Expand: expanding with every group matching "A", then "B", the
// outputs differ in exactly one byte per reference that names a group.
func FuzzTemplateRefs(f *testing.F) {
	f.Add(`^(?P<ts>\d+)-(x)$`, "$ts.${2}$$ $ $nope $1x $01 ${ts")
	f.Add(`(?P<é>a)`, "$é${é}")
	f.Add(`(a)`, "$100000000 $0000 $1")
	f.Fuzz(func(t *testing.T, pattern, template string) {
		re, err := regexp.Compile(pattern)
		if err != nil || re.NumSubexp() > 100 {
			return
		}
		expand := func(at int) string {
			m := make([]int, 2*(re.NumSubexp()+1))
			for i := range m {
				m[i] = at + i%2
			}
			return string(re.ExpandString(nil, template, "AB", m))
		}
		a, b := expand(0), expand(1)
		differ := 0
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				differ++
			}
		}
		named := 0
		for _, ref := range templateRefs(template) {
			if hasGroup(re, ref) {
				named++
			}
		}
		if len(a) != len(b) || differ != named {
			t.Fatalf("template %q on %q: Expand resolves %d references, checkExtract finds %d", template, pattern, differ, named)
		}
		if (checkExtract(re, template) == nil) != (named == len(templateRefs(template))) {
			t.Fatalf("checkExtract disagrees with templateRefs")
		}
	})
}
