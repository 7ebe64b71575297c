package policy

import (
	"io/fs"
	"syscall"
)

// caseSensitive is true where file systems compare names byte for byte,
// so that a name a directory's listing lacks does not exist. (Linux can
// fold case in a directory marked so, rarely done in a Git worktree.)
const caseSensitive = true

// stampOf is the stamp of a stat; ok is false where the system gives no
// inode and change time.
func stampOf(fi fs.FileInfo) (st fileStamp, ok bool) {
	s, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileStamp{}, false
	}
	return fileStamp{
		size:  int64(s.Size),
		mtime: s.Mtim.Nano(),
		ctime: s.Ctim.Nano(),
		ino:   uint64(s.Ino),
		dev:   uint64(s.Dev), //nolint:unconvert // uint32 on some platforms
		mode:  uint32(s.Mode),
	}, true
}
