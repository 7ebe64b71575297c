package gitwriter

import (
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
)

// policyHolds finds the rejections of policy, whose last record by hoist
// is chain[k], and adds them to rep:
//   - the record's own Hoist-Rejected versions, unless a later commit
//     releases the policy;
//   - the tag the record set, when a later commit that is not hoist's moved
//     a marker of the policy away from it and the marker still differs
//     from it. Walking a file's changes from the newest, a change from the
//     tag is the rejection; a change from no marker (the marker added or
//     re-added) ends the walk without one.
func (h *holdReader) policyHolds(policy string, chain []*commitInfo, k int, q HoldQuery, rep *HoldReport) {
	rec, _ := chain[k].record(policy)
	rel := -1
	for i := 0; i < k; i++ {
		if chain[i].releasesPolicy(policy) {
			rel = i
			rep.Released[policy] = chain[i].hash.String()
			break
		}
	}
	var out []Rejection
	seen := map[string]bool{}
	for _, f := range q.Files[policy] {
		r, ok := h.fileHold(policy, f, rec.To, chain[:k+1], q.Read)
		if ok && (rel < 0 || r.index <= rel) && !seen[r.Version] {
			seen[r.Version] = true
			out = append(out, r.Rejection)
		}
	}
	if rel < 0 {
		for _, v := range rec.Rejected {
			if v, ok := unescape(v); ok && v != "" && !seen[v] && len(out) < maxRejected {
				seen[v] = true
				out = append(out, Rejection{Version: v, Reason: "was rejected earlier", Commit: chain[k].hash.String(),
					Who: chain[k].who, When: chain[k].when})
			}
		}
	}
	if len(out) > 0 {
		rep.Rejected[policy] = out
	}
}

// fileRejection is a rejection and the index in the chain of its commit.
type fileRejection struct {
	Rejection
	index int
}

// fileHold looks for the commit in chain (newest first; the last is
// hoist's record, which set tag) that moved policy's marker in file away
// from tag, when the marker differs from tag at the head.
func (h *holdReader) fileHold(policy, file, tag string, chain []*commitInfo, read func(string, []byte) map[string]string) (fileRejection, bool) {
	cur, ok := h.valueAt(chain[0], file, policy, read)
	if !ok || cur == tag {
		return fileRejection{}, false
	}
	for i := 0; i+1 < len(chain); i++ {
		x, parent := chain[i], chain[i+1]
		bx, _ := h.blobAt(x, file)
		bp, _ := h.blobAt(parent, file)
		if bx == bp {
			continue
		}
		vx, okx := h.valueAt(x, file, policy, read)
		vp, okp := h.valueAt(parent, file, policy, read)
		switch {
		case okx == okp && vx == vp:
			continue
		case !okp:
			return fileRejection{}, false // the marker was added here: a new marker, no hold
		case vp != tag:
			continue // an earlier change moved it away
		}
		r := Rejection{Version: tag, Reason: "was replaced by " + escapeValue(vx), Commit: x.hash.String(), Who: x.who, When: x.when}
		if !okx {
			r.Reason = "was removed"
		}
		if x.revert != "" {
			r.Reason = "was reverted"
		}
		return fileRejection{Rejection: r, index: i}, true
	}
	return fileRejection{}, false
}

// valueAt returns the tag the policy's markers in file set at commit ci.
func (h *holdReader) valueAt(ci *commitInfo, file, policy string, read func(string, []byte) map[string]string) (string, bool) {
	b, ok := h.blobAt(ci, file)
	if !ok {
		return "", false
	}
	k := blobPath{b, file}
	vals, ok := h.cache.value(k)
	if !ok {
		data, err := h.blobData(b)
		if err != nil {
			return "", false
		}
		vals = read(file, data)
		h.cache.putValue(k, vals)
	}
	v, ok := vals[policy]
	return v, ok
}

// blobAt returns the blob of file in ci's tree; ok is false when there is
// none (or the tree is not in the clone).
func (h *holdReader) blobAt(ci *commitInfo, file string) (plumbing.Hash, bool) {
	k := treePath{ci.tree, file}
	if b, ok := h.cache.blob(k); ok {
		return b, !b.IsZero()
	}
	var b plumbing.Hash
	if t, err := h.repo.TreeObject(ci.tree); err == nil {
		if e, err := t.FindEntry(file); err == nil && e.Mode.IsFile() {
			b = e.Hash
		}
	}
	h.cache.putBlob(k, b)
	return b, !b.IsZero()
}

// maxBlob bounds a file read from history.
const maxBlob = 8 << 20

func (h *holdReader) blobData(b plumbing.Hash) ([]byte, error) {
	blob, err := h.repo.BlobObject(b)
	if err != nil {
		return nil, err
	}
	if blob.Size > maxBlob {
		return nil, errors.New("file too large")
	}
	rd, err := blob.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, maxBlob))
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", b, err)
	}
	return data, nil
}
