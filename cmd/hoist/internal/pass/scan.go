package pass

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/registry"
	"github.com/hoist-dev/hoist/yamlpatch"
)

// Scanner is what a pass needs from a registry client. *registry.Scanner
// implements it.
type Scanner interface {
	// ListTags lists every valid tag of an image repository and counts the
	// invalid names the registry sent. A list cut at the scanner's limit is
	// an error.
	ListTags(ctx context.Context, repo string) (registry.TagList, error)
	// Digest resolves repo:tag to a digest, of one platform's manifest when
	// platform is set.
	Digest(ctx context.Context, repo, tag, platform string) (string, error)
	// BuildTimes returns when each tag's image was built.
	BuildTimes(ctx context.Context, repo string, tags []string) (map[string]time.Time, error)
}

// scan lists the tags of each distinct image (or chart) once, with build
// times where a policy of that image needs them. Policies that follow
// another are not scanned: their versions come from history. A failed
// image is left out of the tags (so its policies get a decision error)
// and its error is returned by image. Each image's tags go to each as soon
// as they are listed (from several goroutines at once); the result keeps
// them only where each returns true, and holds a nil list for the others,
// so that a pass never holds every tag of every image at once.
func scan(ctx context.Context, s Scanner, ps []*policy.Policy, jobs int, log *slog.Logger, each func(string, []policy.Tag) bool) (scanned, map[string]error) {
	work := map[string]*scanJob{}
	for _, p := range ps {
		if p.Follow != nil {
			continue
		}
		j := work[p.Image]
		if j == nil {
			j = &scanJob{chart: p.Chart}
			work[p.Image] = j
		}
		j.times = j.times || p.NeedsBuildTimes()
	}
	images := slices.Sorted(maps.Keys(work))

	var mu sync.Mutex // protects res and failed
	res := scanned{tags: map[string][]policy.Tag{}, dropped: map[string]int{}}
	failed := map[string]error{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for _, img := range images {
		g.Go(func() error {
			ts, dropped, err := work[img].run(gctx, s, img)
			if err == nil && !each(img, ts) {
				ts = nil
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed[img] = err
				return nil
			}
			log.Debug("scanned image", "image", img, "tags", len(ts))
			res.tags[img] = ts
			if dropped > 0 {
				res.dropped[img] = dropped
			}
			return nil
		})
	}
	_ = g.Wait() // scanImage never returns an error to the group
	return res, failed
}

// scanJob is one image or chart to scan.
type scanJob struct {
	chart *policy.Chart // nil for an image
	times bool          // build times are needed
}

func (j *scanJob) run(ctx context.Context, s Scanner, img string) ([]policy.Tag, int, error) {
	if j.chart != nil {
		return scanChart(ctx, s, j.chart, j.times)
	}
	return scanImage(ctx, s, img, j.times)
}

// scanned is what a scan found: tags by image (nil where they were not
// kept), and by image how many names the registry sent that are not valid
// tags.
type scanned struct {
	tags    map[string][]policy.Tag
	dropped map[string]int
}

func scanImage(ctx context.Context, s Scanner, img string, withTimes bool) ([]policy.Tag, int, error) {
	l, err := s.ListTags(ctx, img)
	if err != nil {
		return nil, 0, fmt.Errorf("scanning %s: %w", img, err)
	}
	var times map[string]time.Time
	if withTimes {
		if times, err = s.BuildTimes(ctx, img, l.Tags); err != nil {
			return nil, 0, fmt.Errorf("reading build times of %s: %w", img, err)
		}
	}
	ts := make([]policy.Tag, len(l.Tags))
	for i, n := range l.Tags {
		ts[i] = policy.Tag{Name: n, Created: times[n]}
	}
	return ts, l.Dropped, nil
}

// resolve turns decisions into the references markers get, resolving digests
// for policies that pin them (several at once, like the scan). Undecided
// policies get no reference, so their markers stay as they are. A policy whose
// image could not be scanned is not reported again: the scan problem already
// names the image.
func (r *Report) resolve(ctx context.Context, s Scanner, scanned map[string][]policy.Tag, rejected map[string][]gitwriter.Rejection, opts Options) {
	var kept map[string]map[string]string // IfNotPresent: one parse of the marked files serves finding and rewriting
	r.tree, kept = pinnedTree(r.root, r.rewrite, r.Policies, patchOptions(r.known, opts, logger(opts))...)
	digests := make([]string, len(r.Policies))
	errs := make([]error, len(r.Policies))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobsOf(opts))
	for i, d := range r.Decisions {
		p := r.Policies[i]
		if !decided(p, scanned) || d.Err != nil || p.Chart != nil {
			continue
		}
		g.Go(func() error {
			digests[i], errs[i] = digestFor(gctx, s, p, d.Tag, kept[p.ID], opts.AllDigests)
			return nil
		})
	}
	_ = g.Wait() // errors are kept per policy
	r.Refs = map[string]yamlpatch.Ref{}
	r.Digests = map[string]string{}
	for i, d := range r.Decisions {
		if p := r.Policies[i]; errors.Is(d.Err, policy.ErrHeld) {
			r.addHold(p, d, groupRejections(r.Policies, p, rejected), opts.Path)
			continue
		}
		r.addRef(r.Policies[i], d, digests[i], errs[i], scanned, opts.Path)
	}
}

// addRef records the reference of one decided policy, or its problem.
func (r *Report) addRef(p *policy.Policy, d policy.Decision, dg string, err error, scanned map[string][]policy.Tag, path string) {
	if !decided(p, scanned) || r.badChart[p.ID] {
		return
	}
	if d.Err != nil {
		line := p.Line
		if p.Follow != nil && p.Follow.Line > 0 {
			line = p.Follow.Line // its versions come from the gate, so does its error
		}
		r.problem("policy", prefix(path, fmt.Sprintf("%s:%d: policy %s: %v", p.File, line, p.ID, d.Err)))
		return
	}
	if err != nil {
		r.problem("registry", fmt.Sprintf("resolving digest of %s:%s for policy %s: %v", p.Image, d.Tag, p.ID, err))
		return
	}
	if dg != "" {
		r.Digests[p.ID] = dg
	}
	ref := yamlpatch.Ref{Name: p.Image, Tag: d.Tag}
	if pinsDigest(p) {
		ref.Digest = dg
	}
	r.Refs[p.ID] = ref
}

// decided reports whether p had versions to decide on: its image was
// scanned, or it follows another policy (its versions come from history).
func decided(p *policy.Policy, scanned map[string][]policy.Tag) bool {
	_, ok := scanned[p.Image]
	return ok || p.Follow != nil
}

func jobsOf(opts Options) int {
	if opts.Jobs <= 0 {
		return 4
	}
	return opts.Jobs
}

// digestFor returns the digest policy p pins for tag: the one its markers
// already pin (IfNotPresent), or a fresh one from the registry. It returns ""
// for a policy that pins nothing, unless all is set.
func digestFor(ctx context.Context, s Scanner, p *policy.Policy, tag string, kept map[string]string, all bool) (string, error) {
	if dg, ok := kept[tag]; ok {
		return dg, nil
	}
	if !all && !pinsDigest(p) {
		return "", nil
	}
	return s.Digest(ctx, p.Image, tag, p.Platform)
}

// pinsDigest reports whether markers of p get name:tag@digest.
func pinsDigest(p *policy.Policy) bool {
	return p.Digest != "" && p.Digest != policy.DigestNever
}
