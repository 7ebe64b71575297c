package yamlpatch

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzPatch feeds arbitrary YAML, optionally with a marker appended to one
// line, and a fuzzed tag. It checks that nothing panics and, whenever a change
// is reported, that the bytes outside the changed lines are identical, that
// the output parses, and that each changed value reads back as its new value.
func FuzzPatch(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/original/*.y*ml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data), "1.5.0", uint8(0))
	}
	f.Add("a: b\n", "1.10", uint8(1))
	f.Add("- [a, 'b', \"c\"]\n", "x'y\"z", uint8(1))
	f.Add("k: &a v\nl: *a\n", "true", uint8(1))
	f.Fuzz(func(t *testing.T, src, tag string, line uint8) {
		if line > 0 {
			src = addMarker(src, int(line))
		}
		refs := map[string]Ref{}
		for id, r := range goldenRefs {
			refs[id] = r
		}
		refs["apps:api"] = Ref{Name: "ghcr.io/acme/api", Tag: tag}
		o, _ := makeOptions(WithDryRun())
		var fr fileResult
		l := parseSource("f.yaml", []byte(src), fileMeta{mode: 0o644}, &fr)
		if l == nil {
			return
		}
		out := o.patchFile("f.yaml", l, refs, &fr)
		if out == nil {
			if len(fr.changes) != 0 {
				t.Fatalf("changes %v reported without output", fr.changes)
			}
			return
		}
		checkOnlyChangedLines(t, []byte(src), out, fr.changes)
		checkQuickAgreesWithFull(t, o, l, refs)
	})
}

// checkQuickAgreesWithFull checks the proof behind quickSafe: whenever it
// skips the re-parse, the full verification passes too.
func checkQuickAgreesWithFull(t *testing.T, o *options, l *loaded, refs map[string]Ref) {
	t.Helper()
	var fr fileResult
	edits, _ := o.plan("f.yaml", l, refs, &fr)
	if sortEdits(edits) != nil || !o.quickSafe(l, edits) {
		return
	}
	if err := verify(l.flat(), applyEdits(l.src, edits), edits); err != nil {
		t.Fatalf("quickSafe accepted edits that full verification refuses: %v", err)
	}
}

// addMarker appends a marker comment to line n (modulo the line count).
func addMarker(src string, n int) string {
	lines := strings.Split(src, "\n")
	i := n % len(lines)
	lines[i] += ` # {"$imagepolicy": "apps:api"}`
	return strings.Join(lines, "\n")
}

// checkOnlyChangedLines checks, independently of the edit code, that src
// and out differ only on the lines of the reported changes, and that each
// change's line in out reads back with its new value.
func checkOnlyChangedLines(t *testing.T, src, out []byte, changes []Change) {
	t.Helper()
	first, last := len(src), 0
	changed := map[int]bool{}
	for _, c := range changes {
		changed[c.Line] = true
		first, last = min(first, c.Line), max(last, c.Line)
	}
	before, after := yamlLines(src), yamlLines(out)
	if len(before) == len(after) {
		for i := range before {
			if before[i] != after[i] && !changed[i+1] {
				t.Fatalf("line %d changed but no change reported there:\n%q\n%q", i+1, before[i], after[i])
			}
		}
	} else {
		// A multi-line quoted value became one line: compare the lines
		// before the first change and after the last one, whose value may
		// have reached down the lines the file lost.
		for i := 0; i < first-1; i++ {
			if before[i] != after[i] {
				t.Fatalf("line %d changed before the first change", i+1)
			}
		}
		lost := len(before) - len(after)
		for i := 1; i <= len(before)-last-lost && i <= len(after); i++ {
			if before[len(before)-i] != after[len(after)-i] {
				t.Fatalf("line %d from the end changed after the last change", i)
			}
		}
	}
	in, _ := parseFile(src)
	p, err := parseFile(out)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%q", err, out)
	}
	inFlat, outFlat := in.flat(), p.flat()
	if len(inFlat) != len(outFlat) {
		t.Fatalf("output has %d nodes, input %d", len(outFlat), len(inFlat))
	}
	want := map[int]string{}
	for _, c := range changes {
		want[c.Line] = c.New
	}
	for i, a := range outFlat {
		b := inFlat[i]
		if a.Value == b.Value {
			continue
		}
		if v, ok := want[b.Line]; !ok || a.Value != v {
			t.Errorf("value at input line %d became %q; changes %v", b.Line, a.Value, changes)
		}
		delete(want, b.Line)
	}
	for line, v := range want {
		t.Errorf("change at line %d to %q is not in the output", line, v)
	}
}

// yamlLines splits at the line breaks yaml.v3 counts.
func yamlLines(b []byte) []string {
	starts := lineStarts(b)
	lines := make([]string, len(starts))
	for i, s := range starts {
		end := len(b)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		lines[i] = string(b[s:end])
	}
	if bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		lines[0] = "\ufeff" + lines[0]
	}
	return lines
}

// FuzzParseMarker checks that marker parsing never panics and that a marker
// it accepts, written back in canonical form, parses to the same thing.
func FuzzParseMarker(f *testing.F) {
	for _, s := range []string{
		`# {"$imagepolicy": "apps:api"}`, `#{"$imagepolicy":"api:tag"}`, `# {"$imagepolicy": "a:b:digest"} note`,
		`# {"$imagepolicy": 1}`, `{"$imagepolicy" :"x"}`, `{ "$imagepolicy":	"ü:b" }`, `# {"$imagepolicy": "a::b"}`, `# $imagepolicy`, `# {"$imagepolicy": "\u0061"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, comment string) {
		// The fast path must agree with the JSON decoder.
		if id, ok := simpleMarker(comment); ok {
			var obj map[string]any
			if err := json.NewDecoder(strings.NewReader(comment)).Decode(&obj); err != nil || obj[token] != id {
				t.Fatalf("simpleMarker(%q) = %q, JSON reads %v, %v", comment, id, obj[token], err)
			}
		}
		spec, err := parseMarker(comment)
		if err != nil {
			return
		}
		id := spec.policy
		if spec.field != "" {
			id += ":" + spec.field
		}
		quoted, _ := json.Marshal(id)
		again, err := parseMarker(`# {"$imagepolicy": ` + string(quoted) + `}`)
		if err != nil || again != spec {
			t.Fatalf("parseMarker(%q) = %+v, but its canonical form parses to %+v, %v", comment, spec, again, err)
		}
	})
}
