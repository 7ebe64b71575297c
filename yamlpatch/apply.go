package yamlpatch

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
)

// Apply rewrites, in place, every marked value under root whose policy has
// a ref in refs (keyed by policy ID, "ns:name" or "name").
//
// A whole-reference marker gets Name:Tag, or Name:Tag@Digest when Digest is
// set; ":tag" gets Tag, ":name" gets Name and ":digest" gets Digest. Markers
// of policies not in refs are left alone. A value already equal to its
// target is not a change. A file that does not parse, or whose edit fails
// verification, is left untouched and reported in Result.Problems; the other
// files are still updated.
//
// The error is for an unusable root, or wraps [ErrWrite] when a changed
// file could not be written (a full disk): the pass must then fail, not
// report "no changes". The Result is returned with it: Changes lists what
// was written, Problems names the files that were not (with
// [WithInPlaceWrites] such a file may be left truncated).
func Apply(root string, refs map[string]Ref, opts ...Option) (Result, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return Result{}, err
	}
	var j joiner
	files, fileResults, err := o.run(root, func(i int, rel, abs string) fileResult {
		fr := o.applyFile(rel, abs, refs)
		o.done(i, rel, &fr, &j)
		return fr
	})
	if err != nil {
		return Result{}, err
	}
	return o.result(files, fileResults, &j)
}

// done hands file i's changes and diff over to j.
func (o *options) done(i int, rel string, fr *fileResult, j *joiner) {
	if len(fr.changes) > 0 {
		o.logger.Debug("updated file", "file", rel, "changes", len(fr.changes), "dryRun", o.dryRun)
	}
	j.add(i, fr)
}

// result gathers the files' problems, and the changes and diff j joined,
// into Apply's Result and error.
func (o *options) result(files []string, fileResults []fileResult, j *joiner) (Result, error) {
	res := Result{Changes: j.changes, Diff: j.diff.String()}
	for _, fr := range fileResults {
		res.Problems = append(res.Problems, fr.problems...)
	}
	sortChanges(res.Changes)
	sortProblems(res.Problems)
	o.logger.Info("applied markers", "files", len(files), "changes", len(res.Changes),
		"problems", len(res.Problems), "dryRun", o.dryRun)
	return res, writeFailures(fileResults)
}

// ErrWrite is wrapped by the error [Apply] returns when it could not write
// a changed file (a full disk, an I/O error).
var ErrWrite = errors.New("writing changed files")

// writeFailures returns an error wrapping [ErrWrite] that names the files
// that could not be written, or nil.
func writeFailures(results []fileResult) error {
	var failed []Problem
	for _, fr := range results {
		if fr.writeErr != nil {
			failed = append(failed, *fr.writeErr)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	sortProblems(failed)
	more := ""
	if len(failed) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(failed)-1)
	}
	return fmt.Errorf("%w: %s%s", ErrWrite, failed[0].Error(), more)
}

// Scan lists every marker under root without changing anything, and the
// problems found: markers on keys, aliases, nulls, block scalars or
// collections, files that do not parse, bad marker JSON, and (with
// [WithKnownPolicies]) markers naming unknown policies. The error is only for
// an unusable root.
func Scan(root string, opts ...Option) ([]Marker, []Problem, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, nil, err
	}
	_, fileResults, err := o.run(root, func(_ int, rel, abs string) fileResult {
		return o.scanFile(rel, abs)
	})
	if err != nil {
		return nil, nil, err
	}
	var markers []Marker
	var problems []Problem
	for _, fr := range fileResults {
		markers = append(markers, fr.markers...)
		problems = append(problems, fr.problems...)
	}
	sortMarkers(markers)
	sortProblems(problems)
	return markers, problems, nil
}

// fileResult is what processing one file produced.
type fileResult struct {
	changes  []Change
	problems []Problem
	markers  []Marker
	diff     string   // taken by a joiner as soon as the file is done
	writeErr *Problem // the file's changes could not be written
}

// run lists the files under root and calls do for each (i is the file's
// index in path order), o.jobs at a time. The walk's own problems come back
// as an extra fileResult.
func (o *options) run(root string, do func(i int, rel, abs string) fileResult) ([]string, []fileResult, error) {
	root, files, problems, err := o.list(root)
	if err != nil {
		return nil, nil, err
	}
	results := make([]fileResult, len(files), len(files)+1)
	o.each(len(files), func(i int) {
		results[i] = do(i, files[i], absPath(root, files[i]))
	})
	if o.cache != nil {
		o.cache.prune()
	}
	return files, append(results, fileResult{problems: problems}), nil
}

// list resolves root and lists the candidate files under it in path order,
// the order of the joined diff (as git orders it; the walk's order differs:
// "a/b" comes before "a-c").
func (o *options) list(root string) (string, []string, []Problem, error) {
	root, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", nil, nil, fmt.Errorf("opening root: %w", err)
	}
	files, problems, err := listFiles(root, o.logger)
	slices.Sort(files)
	return root, files, problems, err
}

// each calls do(i) for every i below n, o.jobs at a time.
func (o *options) each(n int, do func(i int)) {
	// o.jobs workers take the next index from a shared counter: fewer
	// goroutine wake-ups than a goroutine per file.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(o.jobs, n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				do(i)
			}
		})
	}
	wg.Wait()
}

// load reads and parses one file. It returns nil, with no problem, for a
// file without the marker token.
func (o *options) load(rel, abs string, fr *fileResult) (*loaded, error) {
	if o.cache != nil && o.cache.unmarked(abs) {
		return nil, nil
	}
	buf := o.readBuffer()
	defer o.bufs.Put(buf)
	if o.onRead != nil {
		o.onRead(rel)
	}
	readAt := o.now()
	src, meta, err := readFileInto(abs, o.maxSize, *buf)
	if o.cache != nil {
		if err == nil && !hasMarkerToken(src) {
			o.cache.remember(abs, meta.stamp, readAt)
		} else {
			o.cache.forget(abs)
		}
	}
	if cap(src) > cap(*buf) {
		*buf = src[:0] // keep the bigger buffer for the next file
	}
	// A file that will be parsed keeps its bytes: copy them out of the
	// buffer, which the next file reuses.
	if err == nil && hasMarkerToken(src) {
		src = bytes.Clone(src)
	}
	var big *tooLargeError
	if errors.As(err, &big) {
		o.tooLarge(rel, big, fr)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if o.onParse != nil && hasMarkerToken(src) {
		o.onParse(rel)
	}
	return parseSource(rel, src, meta, fr), nil
}

// readBuffer returns a read buffer of the run's pool, to Put back.
func (o *options) readBuffer() *[]byte {
	if b, ok := o.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 16<<10)
	return &b
}

// tooLarge reports a file over the size limit if it holds a marker.
func (o *options) tooLarge(rel string, e *tooLargeError, fr *fileResult) {
	if !e.marked {
		o.logger.Debug("skipping large file without markers", "file", rel, "bytes", e.size)
		return
	}
	reason := e.Error()
	if e.err != nil {
		reason += fmt.Sprintf(" (reading: %v)", e.err)
	}
	fr.problems = append(fr.problems, Problem{File: rel, Reason: reason})
}

// parseSource parses a file's bytes. It returns nil, with no problem, for a
// file without the marker token, and nil with a problem for one that does
// not parse.
func parseSource(rel string, src []byte, meta fileMeta, fr *fileResult) *loaded {
	if !hasMarkerToken(src) {
		if p, ok := utf16Problem(rel, src); ok {
			fr.problems = append(fr.problems, p)
		}
		return nil
	}
	p, err := parseFile(src)
	if err != nil {
		fr.problems = append(fr.problems, parseProblem(rel, src, err))
		return nil
	}
	for _, pr := range p.problems {
		pr.File = rel
		fr.problems = append(fr.problems, pr)
	}
	return &loaded{src: src, meta: meta, parsed: p}
}

// hasMarkerToken reports whether src is parsed: it holds the marker token (in
// UTF-8).
func hasMarkerToken(src []byte) bool {
	return !isUTF16(src) && bytes.Contains(src, []byte(token))
}

// known reports whether a marker's policy may be used, adding a problem if not.
func (o *options) known(rel string, s site, fr *fileResult) bool {
	if o.knownIDs == nil || o.knownIDs[s.spec.policy] {
		return true
	}
	fr.problems = append(fr.problems, Problem{File: rel, Line: s.node.Line,
		Reason: fmt.Sprintf("unknown policy %q", s.spec.policy), Warning: true})
	return false
}

func (o *options) scanFile(rel, abs string) fileResult {
	var fr fileResult
	l, err := o.load(rel, abs, &fr)
	if err != nil {
		return fileResult{problems: []Problem{{File: rel, Reason: err.Error()}}}
	}
	if l == nil {
		return fr
	}
	for _, s := range l.sites {
		o.known(rel, s, &fr)
		if l.starts == nil {
			l.starts = lineStarts(l.src)
		}
		if _, _, err := valueSpan(l.src, l.starts, s.node); err != nil {
			fr.problems = append(fr.problems, Problem{File: rel, Line: s.node.Line, Reason: err.Error()})
		}
		fr.markers = append(fr.markers, Marker{File: rel, Line: s.node.Line,
			APIVersion: s.obj.apiVersion, Kind: s.obj.kind, Namespace: s.obj.namespace, Name: s.obj.name,
			Policy: s.spec.policy, Field: s.spec.field, Value: s.node.Value})
	}
	return fr
}
