package gitwriter

import (
	"context"
	"strings"
)

// EditFunc edits the worktree at dir and describes what it changed.
// Update calls it once per attempt, each time on a fresh checkout of the
// latest remote head.
type EditFunc func(ctx context.Context, dir string) (Change, error)

// Change describes one pass's edits.
type Change struct {
	// Updates are the marker values the edit changed.
	Updates []Update
	// Rejected are, by policy, the rejected versions each updated policy
	// passed over (rolled back or replaced by hand before). The commit
	// names them in a Hoist-Rejected trailer each, so they stay rejected
	// after this update, and in a body line of the default message.
	Rejected map[string][]string
	// Gates say, by policy, how each updated policy's new version passed
	// its gates (minAge, follow): "on clusters/staging since 2026-11-20
	// 09:12, 26h". The default message has a body line for each:
	// "apps:api 1.4.3: on clusters/staging since 2026-11-20 09:12, 26h".
	Gates map[string]string
}

// Update is one changed marker value.
type Update struct {
	// File is the slash-separated path of the changed file in the worktree.
	File string
	// APIVersion, Kind, Namespace and Name identify the object holding the
	// marker, as written in it; all are empty for a value outside any
	// object (a Helm values file). APIVersion may be empty when the caller
	// does not know it; Flux templates then see an empty .APIVersion.
	APIVersion, Kind, Namespace, Name string
	// Policy is the marker's policy, "namespace:name" or "name".
	Policy string
	// Field is the marker's suffix: "" (whole reference), "tag", "name" or "digest".
	Field string
	// Old and New are the marker value before and after.
	Old, New string
	// Image is the full new reference, for example "ghcr.io/acme/api:1.4.3".
	Image string
	// From and To are the old and new tags, for example "1.4.2" and "1.4.3".
	From, To string
}

// PolicyChange is what one policy changed in a pass, for commit messages.
type PolicyChange struct {
	// Policy is the policy name, "namespace:name" or "name".
	Policy string
	// Short is the image's last path element, for example "api".
	Short string
	// Image is the full new reference.
	Image string
	// From and To are the old and new tags, taken from the policy's
	// whole-reference and tag updates. When the pass changed only the
	// image's name or digest, both are the tag of Image: the tag is what
	// the subject, the trailers and History report.
	From, To string
	// Files are the changed files, in order of first appearance.
	Files []string
}

// Policies groups updates by policy, in order of first appearance.
func (c Change) Policies() []PolicyChange {
	var out []PolicyChange
	idx := map[string]int{}
	for _, u := range c.Updates {
		i, ok := idx[u.Policy]
		if !ok {
			i = len(out)
			idx[u.Policy] = i
			out = append(out, PolicyChange{Policy: u.Policy, Short: shortName(u.Image, u.Policy)})
		}
		p := &out[i]
		fill(&p.Image, u.Image)
		if u.Field == "" || u.Field == "tag" {
			fill(&p.From, u.From)
			fill(&p.To, u.To)
		}
		if !contains(p.Files, u.File) {
			p.Files = append(p.Files, u.File)
		}
	}
	for i := range out {
		if p := &out[i]; p.From == "" && p.To == "" {
			p.From, p.To = tagOf(p.Image), tagOf(p.Image)
		}
	}
	return out
}

// tagOf returns the tag of an image reference ("ghcr.io/a/b:1.2@sha256:..."
// gives "1.2"), or "" when it has none.
func tagOf(ref string) string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		return ref[i+1:]
	}
	return ""
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// shortName is the last path element of image without tag or digest, or the
// policy's name when image is empty.
func shortName(image, policy string) string {
	if image == "" {
		return policy[strings.LastIndex(policy, ":")+1:]
	}
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	image = image[strings.LastIndex(image, "/")+1:]
	if i := strings.Index(image, ":"); i >= 0 {
		image = image[:i]
	}
	return image
}
