package policy

import (
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"time"
)

// racyMargin is how much older than the start of the Load that read it a
// file's mtime must be for its stamp to vouch for its bytes later. A write
// within the same timestamp tick as the read may leave size and mtime as
// they were (git's "racily clean" entries); a later write gets an mtime
// past the read's start. Two seconds covers the coarsest timestamps (FAT)
// and some clock skew with a network file system.
const racyMargin = 2 * time.Second

// fileStamp is what lstat says of a file, as git's index keeps it: a file
// whose stamp is the same is taken to hold the same bytes. Any write
// changes mtime and ctime, a rename or a new file the inode, chmod the
// mode and ctime; restoring mtime (touch -d, os.Chtimes) still changes
// ctime.
type fileStamp struct {
	size, mtime, ctime int64 // bytes; nanoseconds since the epoch
	ino, dev           uint64
	mode               uint32 // st_mode: type and permissions
}

// seenFile is the hash of a file's bytes as the Cache read them, and the
// stamp the file had before it was read.
type seenFile struct {
	st  fileStamp
	sum [sha256.Size]byte
	gen uint64 // the last Load that used it
}

// reader reads the files of one Load. With a Cache it tells the hash of a
// file's bytes without opening it when the file's stamp is the one the
// Cache recorded reading it, and records the files it reads.
type reader struct {
	fsys   fs.FS  // the root
	cache  *Cache // nil for none
	used   *used
	start  time.Time              // when the Load began
	walked map[string]fs.DirEntry // the walk's entries, for their lstat
	buf    []byte                 // reused by read
}

// errTooLarge is a file above the maximum size: read says no more.
var errTooLarge = errors.New("file too large")

// open opens r, a slash path relative to the root, counting opens for
// tests.
func (rd *reader) open(r string) (fs.File, error) {
	rd.used.opens++
	return rd.fsys.Open(r)
}

// read reads the file r whole and returns its bytes and the stat it had
// when opened. With keep false the bytes are rd's buffer, good until the
// next read; with keep true they are the caller's. A file larger than max
// (or not regular, with regular set) is errTooLarge or errNotRegular.
func (rd *reader) read(r string, max int64, keep, regular bool) ([]byte, fs.FileInfo, error) {
	fh, err := rd.open(r)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	switch {
	case err != nil:
		return nil, nil, err
	case regular && !fi.Mode().IsRegular():
		return nil, fi, errNotRegular
	case fi.Size() > max:
		return nil, fi, errTooLarge
	}
	var buf []byte
	if !keep {
		buf = rd.buf[:0]
	}
	buf, err = readAll(fh, buf, fi.Size(), max)
	if !keep {
		rd.buf = buf[:0]
	}
	return buf, fi, err
}

// errNotRegular is a file that is not a regular file.
var errNotRegular = errors.New("not a regular file")

// readAll reads f to its end into buf, which grows to size and a little
// more (a file may grow while it is read), and fails past max bytes.
func readAll(f io.Reader, buf []byte, size, max int64) ([]byte, error) {
	if int64(cap(buf)) < size+1 {
		buf = make([]byte, 0, size+512)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch {
		case int64(len(buf)) > max:
			return buf, errTooLarge
		case err == io.EOF:
			return buf, nil
		case err != nil:
			return buf, err
		}
	}
}

// fresh returns the hash of the bytes of r (a slash path relative to the
// root, with no symlink on the way) when the Cache read r before and r's
// stamp has not changed since. A file larger than max is never fresh.
func (rd *reader) fresh(r string, max int64) (sum [sha256.Size]byte, ok bool) {
	if rd.cache == nil {
		return sum, false
	}
	fi, err := rd.lstat(r)
	if err != nil {
		return sum, false
	}
	return rd.freshAs(r, fi, max)
}

// freshAs is fresh with fi, r's lstat now.
func (rd *reader) freshAs(r string, fi fs.FileInfo, max int64) (sum [sha256.Size]byte, ok bool) {
	if rd.cache == nil || !fi.Mode().IsRegular() {
		return sum, false
	}
	st, ok := stampOf(fi)
	if !ok || st.size > max {
		return sum, false
	}
	return rd.cache.seenSum(rd.used, r, st)
}

// lstat is r's lstat now, through the walk's entry when it has one.
func (rd *reader) lstat(r string) (fs.FileInfo, error) {
	if d := rd.walked[r]; d != nil {
		return d.Info()
	}
	return fs.Lstat(rd.fsys, r)
}

// record keeps the hash of the bytes read from r for the next Load, if
// fi, the file's stat before the read, is old enough to tell a later
// write apart.
func (rd *reader) record(r string, fi fs.FileInfo, sum [sha256.Size]byte) {
	if rd.cache == nil || !fi.Mode().IsRegular() {
		return
	}
	st, ok := stampOf(fi)
	if !ok || st.mtime >= rd.start.Add(-racyMargin).UnixNano() {
		return
	}
	rd.cache.putSeen(rd.used, r, &seenFile{st: st, sum: sum})
}
