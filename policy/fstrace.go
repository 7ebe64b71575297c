package policy

import (
	"crypto/sha256"
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

// fsAnswer is a question and a hash of what rootFS answered: the bytes of
// a file read, the names of a directory, the error met, true or false.
type fsAnswer struct {
	q   fsQuestion
	sum [sha256.Size]byte
}

// fsTrace records the questions of one build. The same questions
// answered the same way make a deterministic build give the same output,
// so the build can be reused while they are.
type fsTrace struct {
	answers []fsAnswer
	seen    map[fsQuestion]bool
	opaque  bool // the build opened a file: what it read is not known
}

func (t *fsTrace) add(q fsQuestion, sum [sha256.Size]byte) {
	if t.seen == nil {
		t.seen = map[fsQuestion]bool{}
	}
	if t.seen[q] {
		return
	}
	t.seen[q] = true
	t.answers = append(t.answers, fsAnswer{q, sum})
}

// answer asks q again, without recording it.
func (f *rootFS) answer(q fsQuestion) [sha256.Size]byte {
	switch q.op {
	case opReadFile:
		return sumRead(f.readFile(q.path))
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
	return [sha256.Size]byte{} // no question of ours: never a match
}

// sumRead hashes the path a read resolved to and the file's bytes, or
// the error reading it: the path matters since the file is claimed.
func sumRead(r string, data []byte, err error) [sha256.Size]byte {
	if err != nil {
		return sumStrings(err)
	}
	h := sha256.New()
	h.Write([]byte(strconv.Itoa(len(r)) + ":" + r))
	h.Write(data)
	return [sha256.Size]byte(h.Sum(nil))
}

func sumBool(b bool) [sha256.Size]byte {
	return sha256.Sum256([]byte(strconv.FormatBool(b)))
}

// sumStrings hashes an error, or the strings each prefixed with its
// length.
func sumStrings(err error, s ...string) [sha256.Size]byte {
	if err != nil {
		return sha256.Sum256([]byte("e" + err.Error()))
	}
	b := []byte("d")
	for _, x := range s {
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, ':')
		b = append(b, x...)
	}
	return sha256.Sum256(b)
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
