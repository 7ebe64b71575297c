package gitwriter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Entry is one policy change read back from a hoist commit. Its values are
// as the trailers hold them: a value that is not plain printable text on
// one line (a tag holding a newline or a control character) is Go-quoted,
// so it prints on one line; [strconv.Unquote] gives the original back.
type Entry struct {
	// Kind is "" for an update by hoist, "revert" for a commit reverting
	// one (From and To are then the update's, swapped, and Reverts names
	// it) and "release" for a Hoist-Release trailer (Policy only).
	Kind    string `json:",omitempty"`
	Reverts string `json:",omitempty"`
	Commit  string
	When    time.Time
	Author  string
	Policy  string
	Image   string
	From    string
	To      string
	// Rejected are the versions the update passed over because they were
	// rejected (its Hoist-Rejected trailers), escaped like the rest.
	Rejected []string `json:",omitempty"`
}

// historyDepth is how deep History deepens a shallow clone.
const historyDepth = 100000

// History returns the policy changes recorded in hoist's commit trailers on
// the checkout branch, newest first, at most limit entries (all when limit
// <= 0). It deepens a shallow cached clone to read the history.
func (r *Repo) History(ctx context.Context, limit int) ([]Entry, error) {
	end, err := r.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	if err := r.fetchDepth(ctx, historyDepth); err != nil {
		return nil, err
	}
	head, err := r.trackingCommit()
	if err != nil {
		return nil, err
	}
	var out []Entry
	it := object.NewCommitPreorderIter(head, nil, nil)
	defer it.Close()
	for limit <= 0 || len(out) < limit {
		c, err := it.Next()
		if errors.Is(err, io.EOF) || errors.Is(err, plumbing.ErrObjectNotFound) {
			break // the root, or the shallow boundary
		}
		if err != nil {
			return nil, fmt.Errorf("reading history: %w", err)
		}
		out = append(out, entries(c)...)
		out = append(out, r.reverts(c)...)
		out = append(out, releases(c)...)
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// entries parses the Hoist-* trailers of c, one Entry per Hoist-Policy.
func entries(c *object.Commit) []Entry {
	var out []Entry
	for _, kv := range ParseTrailers(c.Message) {
		v := kv[1]
		if kv[0] == TrailerPolicy {
			out = append(out, Entry{Commit: c.Hash.String(), When: c.Author.When,
				Author: c.Author.Name + " <" + c.Author.Email + ">", Policy: v})
			continue
		}
		if len(out) == 0 {
			continue
		}
		e := &out[len(out)-1]
		switch kv[0] {
		case TrailerImage:
			e.Image = v
		case TrailerFrom:
			e.From = v
		case TrailerTo:
			e.To = v
		case TrailerRejected:
			if len(e.Rejected) < maxRejected {
				e.Rejected = append(e.Rejected, v)
			}
		}
	}
	return out
}

// ParseTrailers returns the key-value trailers of the last paragraph of a
// commit message, in order.
func ParseTrailers(msg string) [][2]string {
	msg = strings.TrimRight(msg, "\n")
	if i := strings.LastIndex(msg, "\n\n"); i >= 0 {
		msg = msg[i+2:]
	} else {
		return nil
	}
	var out [][2]string
	for _, line := range strings.Split(msg, "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			continue
		}
		out = append(out, [2]string{k, strings.TrimSpace(v)})
	}
	return out
}

// reverts returns an entry per policy of the hoist update c reverts, if
// it reverts one ("This reverts commit <sha>." with the full hash).
func (r *Repo) reverts(c *object.Commit) []Entry {
	m := revertRE.FindStringSubmatch(c.Message)
	if m == nil || len(m[1]) != 40 {
		return nil
	}
	target, err := r.repo.CommitObject(plumbing.NewHash(m[1]))
	if err != nil {
		return nil
	}
	var out []Entry
	for _, e := range entries(target) {
		out = append(out, Entry{Kind: "revert", Reverts: target.Hash.String(), Commit: c.Hash.String(), When: c.Author.When,
			Author: c.Author.Name + " <" + c.Author.Email + ">", Policy: e.Policy, Image: e.Image, From: e.To, To: e.From})
	}
	return out
}

// releases returns an entry per Hoist-Release trailer of c.
func releases(c *object.Commit) []Entry {
	var out []Entry
	for _, p := range newCommitInfo(c).releases {
		out = append(out, Entry{Kind: "release", Commit: c.Hash.String(), When: c.Author.When,
			Author: c.Author.Name + " <" + c.Author.Email + ">", Policy: escapeValue(p)})
	}
	return out
}
