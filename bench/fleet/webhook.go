package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// pushEvent is one tag pushed to the registry and announced by webhook.
type pushEvent struct {
	repo   int    // image repository index
	tag    string // the new tag
	config int    // config repository whose commit carries it
	file   string // the file whose marker gets it
	sent   time.Time
	landed time.Time // zero until the branch head has it
}

// webhookRun pushes n tags at rate per second, announcing each with a
// generic webhook, and measures until each is committed (or timeout).
type webhookRun struct {
	l      fleetLayout
	bares  []string
	url    string // the daemon's /hooks/generic
	secret []byte

	mu     sync.Mutex // protects events
	events []*pushEvent
}

// run sends the webhooks and watches the branches; it returns the events,
// landed or not.
func (w *webhookRun) run(ctx context.Context, n int, rate float64, timeout time.Duration) ([]*pushEvent, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	watchErr := make(chan error, 1)
	sent := make(chan struct{})
	go func() { watchErr <- w.watch(ctx, sent) }()
	rng := rand.New(rand.NewPCG(19, 5))
	picked := rng.Perm(w.l.repos)
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for k := range min(n, w.l.repos) {
		if err := w.send(ctx, picked[k]); err != nil {
			cancel()
			<-watchErr
			return w.events, err
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	close(sent)
	err := <-watchErr
	return w.events, err
}

// send pushes a new tag to image repository i and posts its webhook.
func (w *webhookRun) send(ctx context.Context, i int) error {
	tag := w.l.reg.push(i)
	a := w.l.appOf(i)
	ev := &pushEvent{repo: i, tag: tag, config: w.l.configOf(a), file: w.l.markedFile(i), sent: time.Now()}
	w.mu.Lock()
	w.events = append(w.events, ev)
	w.mu.Unlock()
	body, _ := json.Marshal(map[string]string{"image": w.l.image(i), "tag": tag})
	mac := hmac.New(sha256.New, w.secret)
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hoist-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("posting webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// watch polls the branch heads every 5 ms; on a new head it marks the
// events whose tag the commit's file holds. It returns when all events
// landed after sending ended, or when ctx ends.
func (w *webhookRun) watch(ctx context.Context, sent <-chan struct{}) error {
	heads := make([]string, len(w.bares))
	for c, bare := range w.bares {
		heads[c] = readHead(ctx, bare)
	}
	allSent := false
	for {
		select {
		case <-ctx.Done():
			return nil // the caller reports what did not land
		case <-sent:
			sent, allSent = nil, true
		case <-time.After(5 * time.Millisecond):
		}
		for c, bare := range w.bares {
			h := readHead(ctx, bare)
			if h == heads[c] || h == "" {
				continue
			}
			heads[c] = h
			w.markLanded(ctx, c, h, time.Now())
		}
		if allSent && w.pending() == 0 {
			return nil
		}
	}
}

// markLanded marks the pending events of config repository c that commit
// carries.
func (w *webhookRun) markLanded(ctx context.Context, c int, commit string, at time.Time) {
	w.mu.Lock()
	var pending []*pushEvent
	for _, e := range w.events {
		if e.config == c && e.landed.IsZero() {
			pending = append(pending, e)
		}
	}
	w.mu.Unlock()
	files := map[string]string{}
	for _, e := range pending {
		text, ok := files[e.file]
		if !ok {
			out, _ := exec.CommandContext(ctx, "git", "-C", w.bares[c], "show", commit+":"+e.file).Output()
			text = string(out)
			files[e.file] = text
		}
		if strings.Contains(text, fmt.Sprintf("%s:%s ", w.l.image(e.repo), e.tag)) {
			w.mu.Lock()
			e.landed = at
			w.mu.Unlock()
		}
	}
}

func (w *webhookRun) pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, e := range w.events {
		if e.landed.IsZero() {
			n++
		}
	}
	return n
}

// readHead reads refs/heads/main of a bare repository (loose, else via git).
func readHead(ctx context.Context, bare string) string {
	if b, err := os.ReadFile(filepath.Join(bare, "refs", "heads", "main")); err == nil {
		return strings.TrimSpace(string(b))
	}
	out, _ := exec.CommandContext(ctx, "git", "-C", bare, "rev-parse", "refs/heads/main").Output()
	return strings.TrimSpace(string(out))
}

// latencies returns the push→commit latencies of the landed events, sorted,
// and how many did not land.
func latencies(events []*pushEvent) ([]time.Duration, int) {
	var ds []time.Duration
	missed := 0
	for _, e := range events {
		if e.landed.IsZero() {
			missed++
			continue
		}
		ds = append(ds, e.landed.Sub(e.sent))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds, missed
}

// quantile returns the q quantile of sorted ds (nearest rank).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	k := int(q*float64(len(ds))+0.999999) - 1
	return ds[max(0, min(k, len(ds)-1))]
}

// landings counts the distinct branch heads the events landed with.
func landings(events []*pushEvent) int {
	seen := map[time.Time]bool{}
	for _, e := range events {
		if !e.landed.IsZero() {
			seen[e.landed] = true
		}
	}
	return len(seen)
}
