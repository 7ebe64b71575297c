package yamlpatch

import (
	"strings"
	"sync"
)

// joiner gathers the files' changes and diffs into the Result as the files
// are done, in path order (the order [options.list] gives them), so that a
// file's diff and changes are not held twice, once per file and once in
// the Result. Files done ahead of an earlier one wait in pending; the
// workers take the files in order, so few do.
type joiner struct {
	mu      sync.Mutex
	next    int                // index of the next file to append
	pending map[int]fileResult // files done ahead of next
	changes []Change
	diff    strings.Builder
}

// add takes file i's changes and diff from fr, leaving it the rest.
func (j *joiner) add(i int, fr *fileResult) {
	done := fileResult{changes: fr.changes, diff: fr.diff}
	fr.changes, fr.diff = nil, ""
	j.mu.Lock()
	defer j.mu.Unlock()
	if i != j.next {
		if j.pending == nil {
			j.pending = make(map[int]fileResult)
		}
		j.pending[i] = done
		return
	}
	for ok := true; ok; done, ok = j.pending[j.next] {
		delete(j.pending, j.next)
		j.changes = append(j.changes, done.changes...)
		j.diff.WriteString(done.diff)
		j.next++
	}
}
