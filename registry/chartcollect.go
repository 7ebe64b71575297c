package registry

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// chartCollector keeps the versions of every chart of one index, compactly
// encoded (about 50 bytes a version), so the cache holds what a pass asks
// without the rest of the index.
type chartCollector struct {
	max    int               // versions kept per chart
	charts map[string][]byte // chart name -> encodeChart
	count  int               // versions kept in all
}

func newChartCollector(max int) *chartCollector {
	return &chartCollector{max: max, charts: map[string][]byte{}}
}

// addChart keeps the valid versions among the first max entries of one
// chart; cut says the index listed more than were passed.
func (c *chartCollector) addChart(name string, entries []indexEntry, cut bool) error {
	if _, dup := c.charts[name]; dup {
		return fmt.Errorf("chart %q listed twice", sanitize(name, 64))
	}
	if len(entries) > c.max {
		entries, cut = entries[:c.max], true
	}
	l := ChartList{}
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		if !validChartVersion(e.Version) {
			l.Dropped++
			continue
		}
		if seen[e.Version] {
			continue
		}
		if len(l.Versions) >= c.max {
			cut = true
			break
		}
		seen[e.Version] = true
		l.Versions = append(l.Versions, ChartVersion{Version: e.Version, Created: parseCreated(e.Created), Digest: indexDigest(e.Digest)})
	}
	l.Truncated = cut
	c.charts[name] = encodeChart(l)
	c.count += len(l.Versions)
	return nil
}

// validChartVersion reports whether v is a version Helm accepts (it skips
// index entries whose version semver cannot parse).
func validChartVersion(v string) bool {
	if v == "" || len(v) > maxTagLen {
		return false
	}
	_, err := semver.NewVersion(v)
	return err == nil
}

func parseCreated(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// indexDigest returns "sha256:<hex>" for a SHA-256 hex digest, else "".
func indexDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) != 64 {
		return ""
	}
	if _, err := hex.DecodeString(d); err != nil {
		return ""
	}
	return "sha256:" + strings.ToLower(d)
}

// encodeChart packs l: uvarint dropped, byte truncated, uvarint count, then
// per version uvarint length and bytes, varint Unix nanoseconds of created
// (0: unknown), byte digest length (0 or 32) and the raw SHA-256.
func encodeChart(l ChartList) []byte {
	b := binary.AppendUvarint(nil, uint64(l.Dropped))
	b = append(b, boolByte(l.Truncated))
	b = binary.AppendUvarint(b, uint64(len(l.Versions)))
	for _, v := range l.Versions {
		b = binary.AppendUvarint(b, uint64(len(v.Version)))
		b = append(b, v.Version...)
		var nanos int64
		if !v.Created.IsZero() {
			nanos = v.Created.UnixNano()
		}
		b = binary.AppendVarint(b, nanos)
		raw, _ := hex.DecodeString(strings.TrimPrefix(v.Digest, "sha256:"))
		b = append(b, byte(len(raw)))
		b = append(b, raw...)
	}
	return b
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

var errBadChartCache = errors.New("damaged chart cache entry")

// decodeChart unpacks encodeChart.
func decodeChart(b []byte) (ChartList, error) {
	r := chartReader{b: b}
	l := ChartList{Dropped: int(r.uvarint())}
	l.Truncated = r.byte() == 1
	n := r.uvarint()
	if r.err != nil || n > uint64(len(b)) {
		return ChartList{}, errBadChartCache
	}
	l.Versions = make([]ChartVersion, 0, n)
	for range n {
		v := ChartVersion{Version: string(r.bytes(int(r.uvarint())))}
		if nanos := r.varint(); nanos != 0 {
			v.Created = time.Unix(0, nanos).UTC()
		}
		if raw := r.bytes(int(r.byte())); len(raw) > 0 {
			v.Digest = "sha256:" + hex.EncodeToString(raw)
		}
		if r.err != nil {
			return ChartList{}, errBadChartCache
		}
		l.Versions = append(l.Versions, v)
	}
	return l, nil
}

// chartReader reads encodeChart's fields; the first problem sticks in err.
type chartReader struct {
	b   []byte
	err error
}

func (r *chartReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errBadChartCache, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *chartReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errBadChartCache, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *chartReader) byte() byte {
	if len(r.b) == 0 {
		r.err = errBadChartCache
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *chartReader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.err, r.b = errBadChartCache, nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}
