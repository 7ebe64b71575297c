//go:build !linux

package policy

import "io/fs"

// caseSensitive is false here: macOS and Windows fold case by default, so
// a name a directory's listing lacks may still open.
const caseSensitive = false

// stampOf gives no stamp here: every Load reads every file it needs.
func stampOf(fs.FileInfo) (fileStamp, bool) { return fileStamp{}, false }
