package main

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// comparison is how contender b's output differs from contender a's.
type comparison struct {
	a, b  string
	files int // files compared
	kinds []diffKind
}

// diffKind is one kind of difference: the files whose differing lines are
// the same once numbers and digests are masked.
type diffKind struct {
	files  int
	sample string // path of one such file
	lines  []linePair
}

type linePair struct{ a, b string }

// The pairs of outputs compared: Flux against hoist, and hoist's two
// write modes against each other.
var pairs = [][2]string{{hoistInPlace, flux}, {hoistInPlace, hoistAtomic}}

func compareOutputs(res *treeResult) error {
	before, err := readTree(res.orig)
	if err != nil {
		return fmt.Errorf("reading the generated tree: %w", err)
	}
	trees := map[string]map[string][]byte{}
	for _, c := range contenders {
		t, err := readTree(res.outputs[c])
		if err != nil {
			return fmt.Errorf("reading %s's output: %w", c, err)
		}
		trees[c] = t
		res.changed[c] = changedFiles(before, t)
	}
	for _, p := range pairs {
		res.diffs = append(res.diffs, compare(p[0], p[1], trees[p[0]], trees[p[1]]))
	}
	return nil
}

func compare(a, b string, ta, tb map[string][]byte) comparison {
	cmpn := comparison{a: a, b: b, files: len(ta)}
	byKey := map[string]*diffKind{}
	paths := make([]string, 0, len(ta))
	for p := range ta {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		if bytes.Equal(ta[p], tb[p]) {
			continue
		}
		lines := differingLines(ta[p], tb[p])
		key := maskLines(lines)
		k, ok := byKey[key]
		if !ok {
			k = &diffKind{sample: p, lines: lines}
			byKey[key] = k
		}
		k.files++
	}
	for _, k := range byKey {
		cmpn.kinds = append(cmpn.kinds, *k)
	}
	slices.SortFunc(cmpn.kinds, func(x, y diffKind) int { return strings.Compare(x.sample, y.sample) })
	return cmpn
}

// differingLines is a line diff of a and b (longest common subsequence):
// each run of removed and added lines is one pair. Empty lines show as "".
func differingLines(a, b []byte) []linePair {
	la, lb := strings.SplitAfter(string(a), "\n"), strings.SplitAfter(string(b), "\n")
	// lcs[i][j] is the length of the longest common subsequence of la[i:] and lb[j:].
	lcs := make([][]int, len(la)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(lb)+1)
	}
	for i := len(la) - 1; i >= 0; i-- {
		for j := len(lb) - 1; j >= 0; j-- {
			if la[i] == lb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []linePair
	var cur linePair
	flush := func() {
		if cur != (linePair{}) {
			out = append(out, cur)
			cur = linePair{}
		}
	}
	i, j := 0, 0
	for i < len(la) || j < len(lb) {
		switch {
		case i < len(la) && j < len(lb) && la[i] == lb[j]:
			flush()
			i, j = i+1, j+1
		case j == len(lb) || (i < len(la) && lcs[i+1][j] >= lcs[i][j+1]):
			cur.a += orEmpty(la[i])
			i++
		default:
			cur.b += orEmpty(lb[j])
			j++
		}
	}
	flush()
	return out
}

// orEmpty marks an empty line so that it shows in the report.
func orEmpty(line string) string {
	if line == "\n" {
		return "(empty line)\n"
	}
	return line
}

var maskRE = regexp.MustCompile(`[0-9a-f]{64}|[0-9]+`)

func maskLines(lines []linePair) string {
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteString(maskRE.ReplaceAllString(l.a, "N"))
		sb.WriteString("\x00")
		sb.WriteString(maskRE.ReplaceAllString(l.b, "N"))
		sb.WriteString("\x00")
	}
	return sb.String()
}

func (c comparison) differing() int {
	n := 0
	for _, k := range c.kinds {
		n += k.files
	}
	return n
}
