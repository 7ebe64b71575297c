package registry

import (
	"bytes"
	"encoding/json"
	"maps"
	"time"

	bolt "go.etcd.io/bbolt"
)

// chartIndexMeta is what the cache keeps about the last index.yaml fetched
// from a chart repository: its validators, for a conditional GET.
type chartIndexMeta struct {
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"lastModified,omitempty"`
	Fetched      time.Time `json:"fetched"`
}

func (m *memStore) ChartIndex(repo string) (chartIndexMeta, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	meta, ok := m.chartMeta[repo]
	return meta, ok
}

func (m *memStore) ChartEntry(repo, chart string) ([]byte, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.charts[repo][chart]
	return b, ok
}

func (m *memStore) PutChartIndex(repo string, meta chartIndexMeta, charts map[string][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chartMeta[repo] = meta
	m.charts[repo] = maps.Clone(charts)
	return nil
}

func (b *boltStore) ChartIndex(repo string) (chartIndexMeta, bool) {
	var meta chartIndexMeta
	v := b.get(bucketChartMeta, repo)
	if v == nil || json.Unmarshal(v, &meta) != nil {
		return chartIndexMeta{}, false
	}
	return meta, true
}

func (b *boltStore) ChartEntry(repo, chart string) ([]byte, bool) {
	v := b.get(bucketCharts, repo+"\x00"+chart)
	return v, v != nil
}

// PutChartIndex replaces everything cached about repo in one transaction,
// so validators never outlive the charts they describe.
func (b *boltStore) PutChartIndex(repo string, meta chartIndexMeta, charts map[string][]byte) error {
	v, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return b.db.Update(func(tx *bolt.Tx) error {
		bc := tx.Bucket(bucketCharts)
		prefix := []byte(repo + "\x00")
		cur := bc.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Seek(prefix) {
			if err := bc.Delete(k); err != nil {
				return err
			}
		}
		for name, enc := range charts {
			if err := bc.Put([]byte(repo+"\x00"+name), enc); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketChartMeta).Put([]byte(repo), v)
	})
}
