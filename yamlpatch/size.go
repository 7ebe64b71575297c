package yamlpatch

import (
	"bytes"
	"fmt"
	"syscall"
)

// defaultMaxFileSize is the default of [WithMaxFileSize].
const defaultMaxFileSize = 8 << 20

// tooLargeError is a file over the size limit; marked says whether it
// holds the marker token (one that does not can be skipped quietly).
type tooLargeError struct {
	size, limit int64
	marked      bool
	err         error // reading the file while looking for the token
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("file too large to rewrite: %s > %s limit", mib(e.size), mib(e.limit))
}

// mib formats a size in MiB, with one decimal unless it is whole.
func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// tooLarge reads the rest of fd in small chunks, looking for the marker
// token, and returns the error for a file over limit.
func tooLarge(fd int, size, limit int64) error {
	if _, err := syscall.Seek(fd, 0, 0); err != nil {
		return &tooLargeError{size: size, limit: limit, marked: true, err: err}
	}
	buf := make([]byte, 64<<10)
	keep := 0 // bytes kept from the previous chunk, so a token across chunks is seen
	var total int64
	for {
		n, err := retryEINTR(func() (int, error) { return syscall.Read(fd, buf[keep:]) })
		if err != nil {
			// Cannot tell: say it is marked, so it is reported.
			return &tooLargeError{size: max(size, total), limit: limit, marked: true, err: err}
		}
		total += int64(n)
		if bytes.Contains(buf[:keep+n], []byte(token)) {
			return &tooLargeError{size: max(size, total), limit: limit, marked: true}
		}
		if n == 0 {
			return &tooLargeError{size: max(size, total), limit: limit}
		}
		end := keep + n
		keep = min(end, len(token)-1)
		copy(buf, buf[end-keep:end])
	}
}
