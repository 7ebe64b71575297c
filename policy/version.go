package policy

import (
	"cmp"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// version is a parsed semantic version. It parses and compares exactly as
// Masterminds' StrictNewVersion and Version.Compare (a differential fuzz
// test holds it to that), without allocating: pre and meta are substrings.
type version struct {
	major, minor, patch uint64
	pre, meta           string
}

// parseVersion parses a strict three-part version with an optional "v"
// prefix, as Flux does.
func parseVersion(s string) (version, bool) {
	s = strings.TrimPrefix(s, "v")
	if s == "" || len(s) > semver.MaxVersionLen {
		return version{}, false
	}
	p0, rest, ok1 := strings.Cut(s, ".")
	p1, p2, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return version{}, false
	}
	var v version
	if i := strings.IndexByte(p2, '+'); i >= 0 {
		p2, v.meta = p2[:i], p2[i+1:]
		if !validIdents(v.meta, false) {
			return version{}, false
		}
	}
	if i := strings.IndexByte(p2, '-'); i >= 0 {
		p2, v.pre = p2[:i], p2[i+1:]
		if !validIdents(v.pre, true) {
			return version{}, false
		}
	}
	var ok0 bool
	v.major, ok0 = segment(p0)
	v.minor, ok1 = segment(p1)
	v.patch, ok2 = segment(p2)
	return v, ok0 && ok1 && ok2
}

// segment parses a major, minor or patch number: digits, no leading zero.
func segment(s string) (uint64, bool) {
	if len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	return number(s)
}

// number parses a non-empty string of ASCII digits that fits in a uint64.
func number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if s[i] < '0' || s[i] > '9' || n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// validIdents checks dot-separated prerelease (pre) or metadata
// identifiers: non-empty, [0-9A-Za-z-], numeric prerelease identifiers
// without leading zeros.
func validIdents(s string, pre bool) bool {
	for id := range strings.SplitSeq(s, ".") {
		if id == "" {
			return false
		}
		digits := true
		for i := 0; i < len(id); i++ {
			c := id[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				digits = false
			default:
				return false
			}
		}
		if pre && digits && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

// compare orders versions as semver does: numbers, then a release above
// its prereleases, then the prerelease identifiers. Metadata is ignored.
func (v version) compare(o version) int {
	if c := cmp.Compare(v.major, o.major); c != 0 {
		return c
	}
	if c := cmp.Compare(v.minor, o.minor); c != 0 {
		return c
	}
	if c := cmp.Compare(v.patch, o.patch); c != 0 {
		return c
	}
	switch {
	case v.pre == o.pre:
		return 0
	case v.pre == "":
		return 1
	case o.pre == "":
		return -1
	}
	return comparePre(v.pre, o.pre)
}

// comparePre compares prereleases identifier by identifier; numbers sort
// below words, and a shorter list below a longer one.
func comparePre(a, b string) int {
	for a != "" || b != "" {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		if c := comparePart(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func comparePart(x, y string) int {
	switch {
	case x == y:
		return 0
	case x == "":
		return -1
	case y == "":
		return 1
	}
	xn, xok := number(x)
	yn, yok := number(y)
	switch {
	case !xok && !yok:
		return strings.Compare(x, y)
	case !xok:
		return 1
	case !yok:
		return -1
	}
	return cmp.Compare(xn, yn)
}

// key is the version without metadata: 1.2.3 and v1.2.3+abc are the same
// release.
func (v version) key() string {
	var b strings.Builder
	b.Grow(24 + len(v.pre))
	writeUint(&b, v.major)
	b.WriteByte('.')
	writeUint(&b, v.minor)
	b.WriteByte('.')
	writeUint(&b, v.patch)
	if v.pre != "" {
		b.WriteByte('-')
		b.WriteString(v.pre)
	}
	return b.String()
}

func writeUint(b *strings.Builder, n uint64) {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			break
		}
	}
	b.Write(buf[i:])
}
