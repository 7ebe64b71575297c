package gitwriter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// begin starts an operation on the clone: it takes the Repo's mutex, then
// the clone's file lock (waiting for other processes until ctx ends), then
// reopens the clone, which another process may have changed meanwhile.
// end releases both locks.
func (r *Repo) begin(ctx context.Context) (end func(), err error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, errors.New("repository is closed")
	}
	f, err := lockFile(ctx, r.dir+".lock")
	if err != nil {
		r.mu.Unlock()
		return nil, err
	}
	end = func() {
		f.Close() // releases the flock
		r.mu.Unlock()
	}
	if err := r.refresh(ctx); err != nil {
		end()
		return nil, err
	}
	return end, nil
}

// lockFile takes an exclusive flock on path, polling until ctx ends.
func lockFile(ctx context.Context, path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening clone lock: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking clone: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another writer's clone lock: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// refresh reopens (or reclones) the clone. What this Repo knew of the
// worktree survives only while the index is the one it last recorded.
func (r *Repo) refresh(ctx context.Context) error {
	clean, at, stamp := r.clean, r.indexAt, r.stamp
	if err := r.openOrClone(ctx); err != nil {
		return err
	}
	if stamp != "" && stamp == r.stamp && at == r.indexAt {
		r.clean = clean
	}
	return nil
}
