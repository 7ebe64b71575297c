package yamlpatch

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// diffContext is the number of unchanged lines shown around a change.
const diffContext = 3

// hunkGroup is a run of old lines [a, b] replaced by new text.
type hunkGroup struct {
	a, b  int
	edits []edit
	text  []byte // the new text of lines a..b
}

// unifiedDiff returns a git-style unified diff of src and src with edits
// (sorted, non-overlapping) applied. Lines end at "\n", as git counts them.
func unifiedDiff(rel string, src []byte, edits []edit) string {
	if len(edits) == 0 {
		return ""
	}
	old := lineOffsets(src)
	lineOf := func(p int) int { return sort.SearchInts(old, p+1) - 1 }
	var groups []*hunkGroup
	for _, e := range edits {
		a, b := lineOf(e.start), lineOf(e.end-1)
		if n := len(groups); n > 0 && a <= groups[n-1].b+1 {
			groups[n-1].b = max(groups[n-1].b, b)
			groups[n-1].edits = append(groups[n-1].edits, e)
			continue
		}
		groups = append(groups, &hunkGroup{a: a, b: b, edits: []edit{e}})
	}
	for _, g := range groups {
		base := old[g.a]
		shifted := make([]edit, len(g.edits))
		for i, e := range g.edits {
			shifted[i] = edit{start: e.start - base, end: e.end - base, repl: e.repl}
		}
		g.text = applyEdits(src[base:old[g.b+1]], shifted)
	}
	var out strings.Builder
	a, b := gitPath("a/", rel), gitPath("b/", rel)
	tab := ""
	if strings.Contains(rel, " ") {
		tab = "\t" // as git does, so that tools find the end of the name
	}
	fmt.Fprintf(&out, "diff --git %s %s\n--- %s%s\n+++ %s%s\n", a, b, a, tab, b, tab)
	delta := 0
	for i := 0; i < len(groups); {
		j := i + 1
		for j < len(groups) && groups[j].a-groups[j-1].b-1 <= 2*diffContext {
			j++
		}
		delta = writeHunk(&out, src, old, groups[i:j], delta)
		i = j
	}
	return out.String()
}

// writeHunk writes one hunk covering groups and returns the line delta
// after it. old holds the offsets of src's line starts plus len(src).
func writeHunk(out *strings.Builder, src []byte, old []int, groups []*hunkGroup, delta int) int {
	line := func(i int) []byte { return src[old[i]:old[i+1]] }
	from := max(0, groups[0].a-diffContext)
	to := min(len(old)-2, groups[len(groups)-1].b+diffContext)
	var body strings.Builder
	oldN, newN, at := 0, 0, from
	for _, g := range groups {
		for ; at < g.a; at++ {
			writeLine(&body, ' ', line(at))
			oldN, newN = oldN+1, newN+1
		}
		for ; at <= g.b; at++ {
			writeLine(&body, '-', line(at))
			oldN++
		}
		for rest := g.text; len(rest) > 0; newN++ {
			n := bytes.IndexByte(rest, '\n') + 1
			if n == 0 {
				n = len(rest)
			}
			writeLine(&body, '+', rest[:n])
			rest = rest[n:]
		}
	}
	for ; at <= to; at++ {
		writeLine(&body, ' ', line(at))
		oldN, newN = oldN+1, newN+1
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(from+1, oldN), hunkRange(from+1+delta, newN))
	out.WriteString(body.String())
	return delta + newN - oldN
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

func writeLine(b *strings.Builder, prefix byte, line []byte) {
	b.WriteByte(prefix)
	b.Write(line)
	if !bytes.HasSuffix(line, []byte("\n")) {
		b.WriteString("\n\\ No newline at end of file\n")
	}
}

// lineOffsets returns the offset of each line start (after every "\n"; the
// last line may lack one), followed by len(b).
func lineOffsets(b []byte) []int {
	offs := make([]int, 0, 64)
	for p := 0; p < len(b); {
		offs = append(offs, p)
		i := bytes.IndexByte(b[p:], '\n')
		if i < 0 {
			break
		}
		p += i + 1
	}
	return append(offs, len(b))
}

// gitPath writes prefix+name as git does in diff headers: as is, or, when
// name holds control characters, quotes, backslashes or non-ASCII bytes,
// double-quoted with C escapes and octal bytes.
func gitPath(prefix, name string) string {
	needs := false
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			needs = true
			break
		}
	}
	if !needs {
		return prefix + name
	}
	var b strings.Builder
	b.WriteByte('"')
	b.WriteString(prefix)
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case strings.IndexByte("\a\b\t\n\v\f\r", c) >= 0:
			b.WriteByte('\\')
			b.WriteByte("abtnvfr"[strings.IndexByte("\a\b\t\n\v\f\r", c)])
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
