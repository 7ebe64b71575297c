package pass

import (
	"context"
	"fmt"
	"time"

	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/registry"
)

// ChartLister lists the versions of Helm charts: OCI charts and classic
// index.yaml repositories. *registry.Scanner implements it; a Scanner
// without it cannot scan chart policies.
type ChartLister interface {
	ChartVersions(ctx context.Context, repository, name string) (registry.ChartList, error)
}

// scanChart lists a chart's versions as tags: an index's created times,
// or for an OCI chart the build times of its tags when withTimes is set
// (a minAge gate). The dropped count is of tags or entries that are not
// versions.
func scanChart(ctx context.Context, s Scanner, c *policy.Chart, withTimes bool) ([]policy.Tag, int, error) {
	cl, ok := s.(ChartLister)
	if !ok {
		return nil, 0, fmt.Errorf("scanning %s: this registry client cannot list chart versions", c)
	}
	l, err := cl.ChartVersions(ctx, c.Repository, c.Name)
	if err != nil {
		return nil, 0, fmt.Errorf("scanning %s: %w", c, err)
	}
	var times map[string]time.Time
	if withTimes && c.OCI() {
		tags := make([]string, len(l.Versions))
		for i, v := range l.Versions {
			tags[i] = v.Tag
		}
		if times, err = s.BuildTimes(ctx, c.OCIRepository(), tags); err != nil {
			return nil, 0, fmt.Errorf("reading created times of %s: %w", c, err)
		}
	}
	ts := make([]policy.Tag, len(l.Versions))
	for i, v := range l.Versions {
		ts[i] = policy.Tag{Name: v.Version, Created: v.Created}
		if t, ok := times[v.Tag]; ok {
			ts[i].Created = t
		}
	}
	return ts, l.Dropped, nil
}
