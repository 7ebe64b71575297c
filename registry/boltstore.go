package registry

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var (
	bucketTags       = []byte("tags")        // repo -> 8-byte unix nanos + tags joined by "\n"
	bucketListed     = []byte("tags-listed") // repo -> 8-byte unix nanos: listed since, tags unchanged
	bucketTagDigests = []byte("tag-digests") // repo "\x00" tag -> digest
	bucketTimes      = []byte("build-times") // digest -> time.MarshalBinary
	bucketPlatforms  = []byte("platforms")   // index "\x00" platform -> digest
	bucketChartMeta  = []byte("chart-index") // chart repository -> JSON chartIndexMeta
	bucketCharts     = []byte("charts")      // chart repository "\x00" chart -> encodeChart
)

// boltStore keeps the cache in a bbolt file. A listing that found the
// tags unchanged writes nothing: its time is kept in memory and written,
// for every repository at once, at most once per listedFlushEvery and on
// Close. A crash may lose those times, never the tags.
type boltStore struct {
	db *bolt.DB

	mu      sync.Mutex           // protects listed and flushed
	listed  map[string]time.Time // repo -> when its unchanged tags were listed, not yet written
	flushed time.Time            // when listed was last written (by the callers' clock)
}

// listedFlushEvery is how often the times of unchanged listings are written.
const listedFlushEvery = time.Minute

// ErrCacheLocked means another process holds the WithCache file.
var ErrCacheLocked = errors.New("cache file is in use by another process")

// openBoltStore opens the cache at path. A file that is not a valid cache
// is moved aside to path.corrupt and a new one is made: it is only a cache.
func openBoltStore(path string, log *slog.Logger) (*boltStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("opening cache %s: %w", path, ErrCacheLocked)
	case errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrChecksum) ||
		errors.Is(err, bolterrors.ErrVersionMismatch):
		log.Warn("cache file is damaged, starting a new one", "path", path, "error", err)
		if rerr := os.Rename(path, path+".corrupt"); rerr != nil {
			return nil, fmt.Errorf("moving damaged cache %s aside: %w", path, rerr)
		}
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	}
	if err != nil {
		return nil, fmt.Errorf("opening cache %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketTags, bucketListed, bucketTagDigests, bucketTimes, bucketPlatforms, bucketChartMeta, bucketCharts} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("initialising cache %s: %w", path, err)
	}
	return &boltStore{db: db, listed: map[string]time.Time{}}, nil
}

func (b *boltStore) get(bucket []byte, key string) []byte {
	var out []byte
	_ = b.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucket).Get([]byte(key)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out
}

func (b *boltStore) Tags(repo string) ([]string, time.Time, bool) {
	var tags []string
	var at time.Time
	ok := false
	_ = b.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTags).Get([]byte(repo))
		if ok = len(v) >= 8; !ok {
			return nil
		}
		at = later(unixNanos(v), unixNanos(tx.Bucket(bucketListed).Get([]byte(repo))))
		tags = []string{}
		if len(v) > 8 {
			tags = strings.Split(string(v[8:]), "\n")
		}
		return nil
	})
	b.mu.Lock()
	defer b.mu.Unlock()
	return tags, later(at, b.listed[repo]), ok
}

// unixNanos decodes the 8-byte time at the start of v (zero if v is shorter).
func unixNanos(v []byte) time.Time {
	if len(v) < 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v[:8])))
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// PutTags writes tags that changed; for tags as stored it only notes when
// they were listed.
func (b *boltStore) PutTags(repo string, tags []string, at time.Time) error {
	same := false
	_ = b.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTags).Get([]byte(repo))
		same = len(v) >= 8 && joinedEqual(v[8:], tags)
		return nil
	})
	if same {
		return b.noteListed(repo, at)
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(at.UnixNano()))
	for i, t := range tags {
		if i > 0 {
			v = append(v, '\n')
		}
		v = append(v, t...)
	}
	return b.db.Batch(func(tx *bolt.Tx) error { return tx.Bucket(bucketTags).Put([]byte(repo), v) })
}

// joinedEqual reports whether v is tags joined by "\n", without joining.
func joinedEqual(v []byte, tags []string) bool {
	for i, t := range tags {
		if i > 0 {
			if len(v) == 0 || v[0] != '\n' {
				return false
			}
			v = v[1:]
		}
		if len(v) < len(t) || string(v[:len(t)]) != t {
			return false
		}
		v = v[len(t):]
	}
	return len(v) == 0
}

// noteListed keeps when repo's unchanged tags were listed, and writes the
// times kept when the last write is listedFlushEvery old by at.
func (b *boltStore) noteListed(repo string, at time.Time) error {
	b.mu.Lock()
	if at.After(b.listed[repo]) {
		b.listed[repo] = at
	}
	if b.flushed.IsZero() {
		b.flushed = at
	}
	due := at.Sub(b.flushed) >= listedFlushEvery
	if due {
		b.flushed = at
	}
	b.mu.Unlock()
	if !due {
		return nil
	}
	return b.flushListed()
}

// flushListed writes the listing times kept in memory, in one transaction.
func (b *boltStore) flushListed() error {
	b.mu.Lock()
	pending := maps.Clone(b.listed)
	b.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketListed)
		for repo, at := range pending {
			if err := bk.Put([]byte(repo), binary.BigEndian.AppendUint64(nil, uint64(at.UnixNano()))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("writing listing times: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for repo, at := range pending {
		if b.listed[repo].Equal(at) { // not listed again meanwhile
			delete(b.listed, repo)
		}
	}
	return nil
}

func (b *boltStore) TagDigest(repo, tag string) (string, bool) {
	v := b.get(bucketTagDigests, repo+"\x00"+tag)
	return string(v), v != nil
}

func (b *boltStore) BuildTime(digest string) (time.Time, bool) {
	v := b.get(bucketTimes, digest)
	var t time.Time
	if v == nil || t.UnmarshalBinary(v) != nil {
		return time.Time{}, false
	}
	return t, true
}

func (b *boltStore) PutBuild(repo string, tagDigests map[string]string, times map[string]time.Time) error {
	if len(tagDigests) == 0 && len(times) == 0 {
		return nil
	}
	return b.db.Batch(func(tx *bolt.Tx) error {
		for tag, d := range tagDigests {
			if err := tx.Bucket(bucketTagDigests).Put([]byte(repo+"\x00"+tag), []byte(d)); err != nil {
				return err
			}
		}
		for d, t := range times {
			v, err := t.MarshalBinary()
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketTimes).Put([]byte(d), v); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *boltStore) PlatformDigest(index, platform string) (string, bool) {
	v := b.get(bucketPlatforms, index+"\x00"+platform)
	return string(v), v != nil
}

func (b *boltStore) PutPlatformDigest(index, platform, digest string) error {
	return b.db.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPlatforms).Put([]byte(index+"\x00"+platform), []byte(digest))
	})
}

// Close writes the listing times kept in memory and closes the file.
func (b *boltStore) Close() error {
	return errors.Join(b.flushListed(), b.db.Close())
}
