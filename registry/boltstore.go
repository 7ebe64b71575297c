package registry

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var (
	bucketTags       = []byte("tags")        // repo -> 8-byte unix nanos + tags joined by "\n"
	bucketTagDigests = []byte("tag-digests") // repo "\x00" tag -> digest
	bucketTimes      = []byte("build-times") // digest -> time.MarshalBinary
	bucketPlatforms  = []byte("platforms")   // index "\x00" platform -> digest
	bucketChartMeta  = []byte("chart-index") // chart repository -> JSON chartIndexMeta
	bucketCharts     = []byte("charts")      // chart repository "\x00" chart -> encodeChart
)

// boltStore keeps the cache in a bbolt file; nothing is held in memory.
type boltStore struct {
	db *bolt.DB
}

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
		for _, b := range [][]byte{bucketTags, bucketTagDigests, bucketTimes, bucketPlatforms, bucketChartMeta, bucketCharts} {
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
	return &boltStore{db: db}, nil
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
	v := b.get(bucketTags, repo)
	if len(v) < 8 {
		return nil, time.Time{}, false
	}
	at := time.Unix(0, int64(binary.BigEndian.Uint64(v[:8])))
	if len(v) == 8 {
		return []string{}, at, true
	}
	return strings.Split(string(v[8:]), "\n"), at, true
}

func (b *boltStore) PutTags(repo string, tags []string, at time.Time) error {
	v := binary.BigEndian.AppendUint64(nil, uint64(at.UnixNano()))
	v = append(v, strings.Join(tags, "\n")...)
	return b.db.Batch(func(tx *bolt.Tx) error { return tx.Bucket(bucketTags).Put([]byte(repo), v) })
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

func (b *boltStore) Close() error { return b.db.Close() }
