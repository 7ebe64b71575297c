package gitwriter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Sentinel errors of Stints, for a follow gate that names something that
// is not there.
var (
	// ErrNoPath: the query's directory is not in the tree it reads.
	ErrNoPath = errors.New("path not found")
	// ErrNoMarkers: no file under the directory has a marker of the
	// policy.
	ErrNoMarkers = errors.New("no marker of the policy")
	// ErrNoBranch: the query's branch does not exist.
	ErrNoBranch = errors.New("branch not found")
)

// StintQuery asks which values the markers of one policy under one
// directory held over history, and since when: what a follow gate
// needs.
type StintQuery struct {
	// Policy is the ID of the policy whose markers are read.
	Policy string
	// Dir is the slash-separated directory whose files are read, relative
	// to the worktree the query is for. The files are those holding a
	// marker of Policy at the tip read.
	Dir string
	// Branch is the branch to read; "" reads the checked-out head (for
	// [Repo.Stints] called from an [EditFunc], the head being edited).
	Branch string
	// Read returns the value each policy's markers set in a file's content
	// (as [HoldQuery.Read]); values of several files that disagree are not
	// a version, and such stretches of history are left out.
	Read func(file string, data []byte) map[string]string
	// Max bounds the stints returned; the default is 20.
	Max int
}

// Stint is one stretch of history in which the markers held one value.
type Stint struct {
	// Version is the value.
	Version string `json:"version"`
	// Commit is the full hash of the commit that set it, Since its
	// committer time.
	Commit string    `json:"commit"`
	Since  time.Time `json:"since"`
	// Until is the committer time of the commit that moved the markers
	// away (EndedBy), zero while the value is still there.
	Until   time.Time `json:"until,omitzero"`
	EndedBy string    `json:"endedBy,omitempty"`
	// Rejected says the commit that moved the markers away is not a
	// record of the policy by hoist: a revert or a hand edit. Reason and
	// Who then say what happened and who did it, as a Rejection does.
	Rejected bool   `json:"rejected,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Who      string `json:"who,omitempty"`
}

// Why is "was reverted in abc1234 by Jane <jane@example.com> on
// 2026-11-20" for a rejected stint, else "".
func (s Stint) Why() string {
	if !s.Rejected {
		return ""
	}
	return Rejection{Reason: s.Reason, Commit: s.EndedBy, Who: s.Who, When: s.Until}.Why()
}

// defaultMaxStints bounds the stints of one query.
const defaultMaxStints = 20

// Stints reads, from the history of the checked-out head (or of
// q.Branch, fetched into refs/hoist/follow/<branch>), the values the
// markers of q.Policy under q.Dir held, the newest first, walking first
// parents. It deepens a shallow clone as needed, up to
// [WithHistoryLimit] commits, and reuses the [HistoryCache]. A
// directory that is not there wraps ErrNoPath, a directory without a
// marker of the policy ErrNoMarkers, a branch the remote lacks
// ErrNoBranch.
func (r *Repo) Stints(ctx context.Context, q StintQuery) ([]Stint, error) {
	if ctx.Value(editKey{}) != r {
		end, err := r.begin(ctx)
		if err != nil {
			return nil, err
		}
		defer end()
	}
	deepen := r.deepen
	var tip plumbing.Hash
	if q.Branch == "" || q.Branch == r.branch {
		head, err := r.repo.Head()
		if err != nil {
			return nil, fmt.Errorf("reading HEAD: %w", err)
		}
		tip = head.Hash()
	} else {
		deepen = func(ctx context.Context, depth int) error { return r.fetchFollowed(ctx, q.Branch, depth) }
		if err := deepen(ctx, 100); err != nil {
			return nil, err
		}
		ref, err := r.repo.Reference(followRef(q.Branch), true)
		if err != nil {
			return nil, fmt.Errorf("reading fetched branch %s: %w", q.Branch, err)
		}
		tip = ref.Hash()
	}
	hr := &holdReader{repo: r.repo, cache: r.o.historyCache, limit: r.o.historyLimit, deepen: deepen}
	return hr.stints(ctx, tip, q)
}

// followRef is where Stints fetches a followed branch to.
func followRef(branch string) plumbing.ReferenceName {
	return plumbing.ReferenceName("refs/hoist/follow/" + branch)
}

// fetchFollowed fetches branch to depth into its follow ref.
func (r *Repo) fetchFollowed(ctx context.Context, branch string, depth int) error {
	c, err := r.creds("fetch")
	if err != nil {
		return err
	}
	spec := config.RefSpec(fmt.Sprintf("+%s:%s", plumbing.NewBranchReferenceName(branch), followRef(branch)))
	nctx, cancel := r.netCtx(ctx)
	defer cancel()
	err = r.fetchContext(nctx, &git.FetchOptions{
		RemoteName: remoteName, RemoteURL: r.url, RefSpecs: []config.RefSpec{spec},
		Auth: c.method, CABundle: c.caBundle, Depth: depth, Tags: git.NoTags, Force: true,
	})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case errors.Is(err, git.NoMatchingRefSpecError{}) || strings.Contains(err.Error(), "couldn't find remote ref"):
		return fmt.Errorf("%w: %s on %s", ErrNoBranch, branch, r.redacted)
	}
	return r.fail("fetch", err, c)
}

// ReadStints is [Repo.Stints] on the local git checkout holding dir: it
// reads HEAD, or q.Branch as a local branch or origin's remote-tracking
// branch, as far as history goes, and fetches nothing. q.Dir is relative
// to dir. [WithHistoryCache] and [WithHistoryLimit] apply.
func ReadStints(ctx context.Context, dir string, q StintQuery, opts ...Option) ([]Stint, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, fmt.Errorf("opening git repository at %s: %w", dir, err)
	}
	rooted, err := underRoot(repo, dir, HoldQuery{Files: map[string][]string{"": {q.Dir}}})
	if err != nil {
		return nil, err
	}
	q.Dir = path.Clean(rooted.Files[""][0])
	tip, err := localTip(repo, q.Branch)
	if err != nil {
		return nil, err
	}
	hr := &holdReader{repo: repo, cache: o.historyCache, limit: o.historyLimit}
	return hr.stints(ctx, tip, q)
}

// localTip is HEAD, or branch as a local or remote-tracking branch.
func localTip(repo *git.Repository, branch string) (plumbing.Hash, error) {
	if branch == "" {
		head, err := repo.Head()
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("reading HEAD: %w", err)
		}
		return head.Hash(), nil
	}
	for _, n := range []plumbing.ReferenceName{plumbing.NewBranchReferenceName(branch), plumbing.NewRemoteReferenceName(remoteName, branch)} {
		if ref, err := repo.Reference(n, true); err == nil {
			return ref.Hash(), nil
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("%w: %s (neither a local branch nor %s/%s)", ErrNoBranch, branch, remoteName, branch)
}

// stints walks first parents from tip, reading the policy's value under
// q.Dir at each commit.
func (h *holdReader) stints(ctx context.Context, tip plumbing.Hash, q StintQuery) ([]Stint, error) {
	if q.Read == nil || q.Policy == "" {
		return nil, errors.New("reading stints: the query needs a policy and a reader")
	}
	top, err := h.info(tip)
	if err != nil {
		return nil, fmt.Errorf("reading commit %s: %w", shortHash(tip.String()), err)
	}
	files, err := h.markedFiles(top, q)
	if err != nil {
		return nil, err
	}
	w := &stintWalk{h: h, q: q, files: files, max: q.Max}
	if w.max <= 0 {
		w.max = defaultMaxStints
	}
	return w.run(ctx, top)
}

// markedFiles lists the files under q.Dir in ci's tree that hold a
// marker of q.Policy.
func (h *holdReader) markedFiles(ci *commitInfo, q StintQuery) ([]string, error) {
	t, err := h.repo.TreeObject(ci.tree)
	if err != nil {
		return nil, fmt.Errorf("reading tree of %s: %w", shortHash(ci.hash.String()), err)
	}
	dir := strings.Trim(path.Clean("/"+q.Dir), "/")
	if dir != "" {
		if t, err = t.Tree(dir); err != nil {
			return nil, fmt.Errorf("%w: %s at %s", ErrNoPath, q.Dir, shortHash(ci.hash.String()))
		}
	}
	var files []string
	walker := object.NewTreeWalker(t, true, nil)
	defer walker.Close()
	for {
		name, e, err := walker.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", q.Dir, err)
		}
		name = path.Join(dir, name)
		if !e.Mode.IsFile() || !markerFile(name) {
			continue
		}
		if _, ok := h.valueAt(ci, name, q.Policy, q.Read); ok {
			files = append(files, name)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w %s under %s at %s", ErrNoMarkers, q.Policy, q.Dir, shortHash(ci.hash.String()))
	}
	return files, nil
}

// markerFile reports whether markers may be in the file: YAML or a
// Kustomization.
func markerFile(name string) bool {
	base := path.Base(name)
	ext := strings.ToLower(path.Ext(base))
	return ext == ".yaml" || ext == ".yml" || base == "Kustomization"
}

// stintWalk is one walk of Stints.
type stintWalk struct {
	h     *holdReader
	q     StintQuery
	files []string
	max   int
	out   []Stint
}

// value is the policy's value at ci: the files' values, when they agree.
func (w *stintWalk) value(ci *commitInfo) (string, bool) {
	var vals []string
	for _, f := range w.files {
		if v, ok := w.h.valueAt(ci, f, w.q.Policy, w.q.Read); ok && !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return "", false
	}
	slices.Sort(vals)
	return strings.Join(vals, ","), true
}

// sameBlobs reports whether the files are the same in both commits: then
// so is the value, and reading it is not needed.
func (w *stintWalk) sameBlobs(a, b *commitInfo) bool {
	if a.tree == b.tree {
		return true
	}
	for _, f := range w.files {
		ba, _ := w.h.blobAt(a, f)
		bb, _ := w.h.blobAt(b, f)
		if ba != bb {
			return false
		}
	}
	return true
}

// run walks from top until the markers appear, the root, the limit or
// max stints.
func (w *stintWalk) run(ctx context.Context, top *commitInfo) ([]Stint, error) {
	cur, _ := w.value(top)
	s := Stint{Version: cur}
	deepenedAt := -1
	for at, n := top, 0; ; n++ {
		if n%1000 == 999 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if len(at.parents) == 0 || n >= w.h.limit {
			w.add(s, at) // the root (or as far as we read): the value since then
			return w.out, nil
		}
		parent, err := w.h.info(at.parents[0])
		if errors.Is(err, plumbing.ErrObjectNotFound) && w.h.deepen != nil && deepenedAt != n {
			deepenedAt = n
			if err := w.h.deepen(ctx, min(w.h.limit+1, max(100, 4*n))); err != nil {
				return nil, fmt.Errorf("deepening history: %w", err)
			}
			n--
			continue
		}
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			w.add(s, at) // a shallow clone's end
			return w.out, nil
		}
		if err != nil {
			return nil, err
		}
		if w.sameBlobs(at, parent) {
			at = parent
			continue
		}
		pv, ok := w.value(parent)
		if ok && pv == s.Version {
			at = parent
			continue
		}
		w.add(s, at)
		if !ok || len(w.out) >= w.max {
			return w.out, nil
		}
		s = w.ended(pv, at, s.Version)
		at = parent
	}
}

// add records s as set by commit at.
func (w *stintWalk) add(s Stint, at *commitInfo) {
	s.Commit, s.Since = at.hash.String(), at.committed
	if s.Since.IsZero() {
		s.Since = at.when
	}
	if !strings.Contains(s.Version, ",") {
		w.out = append(w.out, s)
	}
}

// ended is the stint of version v, which commit by moved the markers
// away from, to next.
func (w *stintWalk) ended(v string, by *commitInfo, next string) Stint {
	s := Stint{Version: v, Until: by.committed, EndedBy: by.hash.String()}
	if s.Until.IsZero() {
		s.Until = by.when
	}
	if _, ok := by.record(w.q.Policy); ok {
		return s
	}
	s.Rejected, s.Who, s.Reason = true, by.who, "was replaced by "+escapeValue(next)
	if by.revert != "" {
		s.Reason = "was reverted"
	}
	return s
}
