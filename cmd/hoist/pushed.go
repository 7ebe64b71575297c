package main

import (
	"context"

	"github.com/hoist-dev/hoist/registry"
)

// pushedScanner serves a pass only webhooks asked for: it lists the pushed
// image repositories afresh and takes every other one's tags from its last
// listing in the registry cache (a scheduled pass keeps those current), so
// that a push reaches git in the time of one listing, not of all of them.
// A repository the cache does not hold yet is listed.
type pushedScanner struct {
	*registry.Scanner
	pushed map[string]bool // canonical names, as webhooks give them
}

func newPushedScanner(s *registry.Scanner, pushed []string) pushedScanner {
	ps := pushedScanner{Scanner: s, pushed: make(map[string]bool, len(pushed))}
	for _, img := range pushed {
		ps.pushed[canonical(img)] = true
	}
	return ps
}

// ListTags lists repo when it was pushed or is not cached; otherwise it
// returns the cached tags.
func (s pushedScanner) ListTags(ctx context.Context, repo string) (registry.TagList, error) {
	if !s.pushed[canonical(repo)] {
		if tags, _, ok := s.CachedTags(repo); ok {
			return registry.TagList{Tags: tags}, nil
		}
	}
	return s.Scanner.ListTags(ctx, repo)
}
