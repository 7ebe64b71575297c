package policy

import "time"

// Tag is one tag of an image repository, as the registry listed it.
type Tag struct {
	Name string
	// Created is the image's build time; it is zero unless the caller
	// fetched build times (see Policy.NeedsBuildTimes).
	Created time.Time
}

// Tags makes Tags without build times from tag names.
func Tags(names ...string) []Tag {
	out := make([]Tag, len(names))
	for i, n := range names {
		out[i] = Tag{Name: n}
	}
	return out
}
