package policy

import (
	"io/fs"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// loadFS loads fsys as Load does a directory without kustomizations.
func loadFS(t *testing.T, fsys fs.FS, c *Cache) *Set {
	t.Helper()
	l := newLoader(&options{log: discard(), maxFile: 1 << 20, cache: c}, fsys)
	files, _, err := l.walk(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	l.load(files)
	c.keep(l.used)
	return l.finish()
}

// TestLoadCachedRacyStamp: a file whose bytes change while its stat stays
// the same (a write in the timestamp tick of the read before). The Cache
// must read it again when its mtime was not older than the read by the
// margin; past that, the stamp is trusted as git trusts its index.
func TestLoadCachedRacyStamp(t *testing.T) {
	first, second := hoistDoc("first", goodSpec), hoistDoc("secnd", goodSpec)
	for _, tc := range []struct {
		name string
		age  time.Duration
		want string
	}{
		{"written now", 0, "apps:secnd"},
		{"written within the margin", racyMargin / 2, "apps:secnd"},
		{"older than the margin", racyMargin + time.Second, "apps:first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mtime := time.Now().Add(-tc.age)
			st := &syscall.Stat_t{Size: int64(len(first)), Ino: 7, Dev: 1, Mode: syscall.S_IFREG | 0o644,
				Mtim: syscall.NsecToTimespec(mtime.UnixNano()), Ctim: syscall.NsecToTimespec(mtime.UnixNano())}
			file := func(data string) fstest.MapFS {
				return fstest.MapFS{"p.yaml": {Data: []byte(data), Mode: 0o644, ModTime: mtime, Sys: st}}
			}
			c := NewCache()
			loadFS(t, file(first), c)
			set := loadFS(t, file(second), c)
			var got []string
			for _, p := range set.Policies {
				got = append(got, p.ID)
			}
			if diff := cmp.Diff([]string{tc.want}, got); diff != "" {
				t.Errorf("policies after the same-stamp rewrite (-want +got):\n%s", diff)
			}
		})
	}
}
