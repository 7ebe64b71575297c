package registry

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// maxIndexLine caps one line of an index.yaml.
const maxIndexLine = 4 << 20

// indexEntry is the part of one chart version in index.yaml that we keep.
type indexEntry struct {
	Version string `yaml:"version" json:"version"`
	Created string `yaml:"created" json:"created"`
	Digest  string `yaml:"digest" json:"digest"`
}

// decodeIndex reads a Helm repository index (YAML as Helm writes it, or
// JSON) as a stream into c: one chart at a time is held, so the index's
// size never decides the memory used beyond what c keeps.
func decodeIndex(r io.Reader, c *chartCollector) error {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := firstByte(br)
	if err != nil {
		return err
	}
	if first == '{' {
		return decodeIndexJSON(br, c)
	}
	return (&yamlIndex{c: c}).decode(br)
}

// firstByte peeks at the first byte that is not white space (or a BOM).
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			return 0, errors.New("empty index")
		}
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf:
			continue
		}
		return b, br.UnreadByte()
	}
}

// yamlIndex cuts the entries mapping of a block-style index.yaml into one
// chunk of lines per chart and decodes each chunk alone with yaml.v3. A
// chart's chunk is its key line and every line after it that is blank, a
// comment, or indented deeper than chart keys; its "- " lines at the key's
// indent are its versions, counted so a chart with too many stops growing.
type yamlIndex struct {
	c       *chartCollector
	line    int
	state   int // 0 before entries, 1 in entries, 2 after entries
	indent  int // indent of chart keys; 0 until the first key
	chunk   []byte
	start   int // line of the chunk's key
	items   int // version items in the chunk
	cut     bool
	entries bool // an entries key was seen
}

func (y *yamlIndex) decode(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxIndexLine)
	for sc.Scan() {
		y.line++
		if err := y.next(sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("line %d: longer than %d bytes", y.line+1, maxIndexLine)
		}
		return err
	}
	if err := y.flush(); err != nil {
		return err
	}
	if !y.entries {
		return errors.New("not a Helm repository index: no entries")
	}
	return nil
}

// next takes one line.
func (y *yamlIndex) next(line []byte) error {
	ind := indentOf(line)
	if ind < len(line) && line[ind] == '\t' {
		return fmt.Errorf("line %d: tab in indentation", y.line)
	}
	rest := line[ind:]
	if len(bytes.TrimSpace(rest)) == 0 || rest[0] == '#' {
		if y.state == 1 && y.chunk != nil && !y.cut {
			y.add(line)
		}
		return nil
	}
	switch y.state {
	case 0:
		if ind == 0 {
			return y.top(line)
		}
	case 1:
		return y.inEntries(line, ind)
	case 2:
		if ind == 0 && bytes.HasPrefix(line, []byte("entries:")) {
			return fmt.Errorf("line %d: second entries key", y.line)
		}
	}
	return nil
}

// top takes a top-level line before the entries.
func (y *yamlIndex) top(line []byte) error {
	v, ok := bytes.CutPrefix(line, []byte("entries:"))
	if !ok {
		return nil
	}
	y.entries = true
	v, _, _ = bytes.Cut(v, []byte(" #"))
	switch string(bytes.TrimSpace(v)) {
	case "":
		y.state = 1
	case "{}":
		y.state = 2
	default:
		return fmt.Errorf("line %d: entries in flow style are not supported", y.line)
	}
	return nil
}

// inEntries takes a line of the entries mapping.
func (y *yamlIndex) inEntries(line []byte, ind int) error {
	if ind == 0 {
		y.state = 2
		return y.flush()
	}
	if y.indent == 0 {
		if line[ind] == '-' {
			return fmt.Errorf("line %d: entries is not a mapping", y.line)
		}
		y.indent = ind
	}
	switch {
	case ind < y.indent:
		return fmt.Errorf("line %d: bad indentation of entries", y.line)
	case ind == y.indent && line[ind] != '-':
		if err := y.flush(); err != nil {
			return err
		}
		y.start, y.chunk = y.line, y.chunk[:0]
	case ind == y.indent:
		if y.items++; y.items > y.c.max {
			y.cut = true
		}
	}
	if !y.cut {
		y.add(line)
	}
	return nil
}

func (y *yamlIndex) add(line []byte) {
	y.chunk = append(append(y.chunk, line...), '\n')
}

// flush decodes the chunk of one chart.
func (y *yamlIndex) flush() error {
	if len(y.chunk) == 0 {
		return nil
	}
	var m map[string][]indexEntry
	err := yaml.Unmarshal(y.chunk, &m)
	y.chunk, y.items = y.chunk[:0], 0
	if err != nil {
		return fmt.Errorf("chart starting at line %d: %w", y.start, err)
	}
	if len(m) != 1 {
		return fmt.Errorf("chart at line %d: want one chart name, got %d", y.start, len(m))
	}
	for name, entries := range m {
		if err := y.c.addChart(name, entries, y.cut); err != nil {
			return fmt.Errorf("line %d: %w", y.start, err)
		}
	}
	y.cut = false
	return nil
}

// indentOf counts the leading spaces of line.
func indentOf(line []byte) int {
	n := 0
	for n < len(line) && line[n] == ' ' {
		n++
	}
	return n
}

// decodeIndexJSON streams an index written as JSON, one version at a time.
func decodeIndexJSON(r io.Reader, c *chartCollector) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	seen := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		if key != "entries" {
			if err := skipValue(dec); err != nil {
				return err
			}
			continue
		}
		seen = true
		if err := decodeEntriesJSON(dec, c); err != nil {
			return err
		}
	}
	if !seen {
		return errors.New("not a Helm repository index: no entries")
	}
	return expectDelim(dec, '}')
}

// decodeEntriesJSON reads the entries object: chart name to versions.
func decodeEntriesJSON(dec *json.Decoder, c *chartCollector) error {
	if err := expectDelim(dec, '{'); err != nil {
		return fmt.Errorf("entries: %w", err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		if err := expectDelim(dec, '['); err != nil {
			return fmt.Errorf("chart %q: %w", cut(name, 64), err)
		}
		var entries []indexEntry
		cutOff := false
		for dec.More() {
			var e indexEntry
			if err := dec.Decode(&e); err != nil {
				return fmt.Errorf("chart %q: %w", cut(name, 64), err)
			}
			if len(entries) < c.max {
				entries = append(entries, e)
			} else {
				cutOff = true
			}
		}
		if err := expectDelim(dec, ']'); err != nil {
			return err
		}
		if err := c.addChart(name, entries, cutOff); err != nil {
			return err
		}
	}
	return expectDelim(dec, '}')
}

// skipValue reads one value of any shape without keeping it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("got %v, want %q", tok, want)
	}
	return nil
}
