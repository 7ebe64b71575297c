package config

import "strings"

// positions remembers where the keys of a parsed file are.
type positions struct {
	file  string
	lines map[string]int // key path -> 1-based line
}

func (p *positions) set(path string, line int) {
	if p.lines == nil {
		p.lines = map[string]int{}
	}
	p.lines[path] = line
}

// has reports whether path was written in the file.
func (p *positions) has(path string) bool {
	if p == nil {
		return false
	}
	_, ok := p.lines[path]
	return ok
}

// line returns the line of path, or of its nearest written ancestor, or 0.
func (p *positions) line(path string) int {
	for p != nil && path != "" {
		if l, ok := p.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func (p *positions) fileName() string {
	if p == nil {
		return ""
	}
	return p.file
}
