package policy

import (
	"crypto/sha256"
	"io/fs"
	"slices"
	"strconv"
)

// fsOp is a question kustomize asks of rootFS.
type fsOp byte

const (
	opReadFile fsOp = iota + 1
	opIsDir
	opExists
	opReadDir
	opCleanedAbs
)

// fsQuestion is one call of kustomize's on rootFS: the method and the
// path as kustomize gave it.
type fsQuestion struct {
	op   fsOp
	path string
}

// fsAnswer is a question and what rootFS answered.
type fsAnswer struct {
	q fsQuestion
	a fsResult
}

// fsResult is an answer: for a file read, the path it resolved to (the
// file is claimed) and the hash of its bytes; else a hash of the names of
// a directory, the error met, true or false.
type fsResult struct {
	file string // "" but for a file read
	sum  [sha256.Size]byte
}

// fsTrace records the questions of one build. The same questions
// answered the same way make a deterministic build give the same output,
// so the build can be reused while they are.
type fsTrace struct {
	answers []fsAnswer
	seen    map[fsQuestion]bool
	opaque  bool // the build opened a file: what it read is not known
}

func (t *fsTrace) add(q fsQuestion, a fsResult) {
	if t.seen == nil {
		t.seen = map[fsQuestion]bool{}
	}
	if t.seen[q] {
		return
	}
	t.seen[q] = true
	t.answers = append(t.answers, fsAnswer{q, a})
}

// answer asks q again, without recording it.
func (f *rootFS) answer(q fsQuestion) fsResult {
	switch q.op {
	case opReadFile:
		return f.answerRead(q.path)
	case opIsDir:
		return sumBool(f.isDir(q.path))
	case opExists:
		return sumBool(f.exists(q.path))
	case opReadDir:
		names, err := f.readDir(q.path)
		return sumStrings(err, names...)
	case opCleanedAbs:
		dir, file, err := f.cleanedAbs(q.path)
		return sumStrings(err, string(dir), file)
	}
	return fsResult{file: "\x00"} // no question of ours: never a match
}

// answerRead is the answer to reading p: without opening the file when
// its stamp vouches for bytes read before.
func (f *rootFS) answerRead(p string) fsResult {
	if a, ok := f.freshRead(p); ok {
		return a
	}
	r, data, fi, err := f.readFile(p)
	return f.sumRead(r, data, fi, err)
}

// freshRead is the answer to reading p if the file's stamp vouches for
// bytes read before: no file is opened.
func (f *rootFS) freshRead(p string) (fsResult, bool) {
	r, err := f.resolve(p)
	if err != nil {
		return fsResult{}, false
	}
	sum, ok := f.rd.fresh(r, f.maxFile)
	return fsResult{r, sum}, ok
}

// sumRead is the answer to a file read: the path it resolved to and the
// hash of its bytes, or the error met; a read with a stat fi is recorded
// for the next Load.
func (f *rootFS) sumRead(r string, data []byte, fi fs.FileInfo, err error) fsResult {
	if err != nil {
		return sumStrings(err)
	}
	sum := sha256.Sum256(data)
	if fi != nil {
		f.rd.record(r, fi, sum)
	}
	return fsResult{r, sum}
}

func sumBool(b bool) fsResult {
	return fsResult{sum: sha256.Sum256([]byte(strconv.FormatBool(b)))}
}

// sumStrings hashes an error, or the strings each prefixed with its
// length.
func sumStrings(err error, s ...string) fsResult {
	if err != nil {
		return fsResult{sum: sha256.Sum256([]byte("e" + err.Error()))}
	}
	b := []byte("d")
	for _, x := range s {
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, ':')
		b = append(b, x...)
	}
	return fsResult{sum: sha256.Sum256(b)}
}

// readList is the files read, sorted.
func (f *rootFS) readList() []string {
	out := make([]string, 0, len(f.reads))
	for r := range f.reads {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}
