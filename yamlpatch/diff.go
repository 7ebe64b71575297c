package yamlpatch

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// diffContext is the number of unchanged lines shown around a change.
const diffContext = 3

// hunkGroup is a run of old lines [a, b] replaced by new lines.
type hunkGroup struct {
	a, b  int
	edits []edit
	lines []string
}

// unifiedDiff returns a git-style unified diff of src and src with edits
// (sorted, non-overlapping) applied. Lines end at "\n", as git counts them.
func unifiedDiff(rel string, src []byte, edits []edit) string {
	if len(edits) == 0 {
		return ""
	}
	old := splitLines(src)
	starts := make([]int, len(old))
	for i, off := 1, 0; i < len(old); i++ {
		off += len(old[i-1])
		starts[i] = off
	}
	lineOf := func(p int) int { return sort.SearchInts(starts, p+1) - 1 }
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
		base := starts[g.a]
		text := src[base : starts[g.b]+len(old[g.b])]
		shifted := make([]edit, len(g.edits))
		for i, e := range g.edits {
			shifted[i] = edit{start: e.start - base, end: e.end - base, repl: e.repl}
		}
		g.lines = splitLines(applyEdits(text, shifted))
	}
	var out strings.Builder
	fmt.Fprintf(&out, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", rel, rel, rel, rel)
	delta := 0
	for i := 0; i < len(groups); {
		j := i + 1
		for j < len(groups) && groups[j].a-groups[j-1].b-1 <= 2*diffContext {
			j++
		}
		delta = writeHunk(&out, old, groups[i:j], delta)
		i = j
	}
	return out.String()
}

// writeHunk writes one hunk covering groups and returns the line delta
// after it.
func writeHunk(out *strings.Builder, old []string, groups []*hunkGroup, delta int) int {
	from := max(0, groups[0].a-diffContext)
	to := min(len(old)-1, groups[len(groups)-1].b+diffContext)
	var body strings.Builder
	oldN, newN, at := 0, 0, from
	for _, g := range groups {
		for ; at < g.a; at++ {
			writeLine(&body, ' ', old[at])
			oldN, newN = oldN+1, newN+1
		}
		for ; at <= g.b; at++ {
			writeLine(&body, '-', old[at])
			oldN++
		}
		for _, l := range g.lines {
			writeLine(&body, '+', l)
			newN++
		}
	}
	for ; at <= to; at++ {
		writeLine(&body, ' ', old[at])
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

func writeLine(b *strings.Builder, prefix byte, line string) {
	b.WriteByte(prefix)
	b.WriteString(line)
	if !strings.HasSuffix(line, "\n") {
		b.WriteString("\n\\ No newline at end of file\n")
	}
}

// splitLines splits after every "\n"; the last line may lack one.
func splitLines(b []byte) []string {
	var lines []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			lines = append(lines, string(b))
			break
		}
		lines = append(lines, string(b[:i+1]))
		b = b[i+1:]
	}
	return lines
}
