package pass

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/hoist-dev/hoist/gitwriter"
)

// Change describes the pass's edits for gitwriter's commit message and
// trailers.
func (r *Report) Change() gitwriter.Change {
	var c gitwriter.Change
	for _, ch := range r.Changes {
		ref := r.Refs[ch.Policy]
		image := r.imageName(ch.Policy, ref.Name) + ":" + ref.Tag
		if ref.Digest != "" {
			image += "@" + ref.Digest
		}
		from, to := ch.Old, ch.New
		if ch.Field == "" {
			from, to = TagOf(ch.Old), TagOf(ch.New)
		}
		c.Updates = append(c.Updates, gitwriter.Update{
			File: worktreePath(r.rewritePath, ch.File), APIVersion: ch.APIVersion, Kind: ch.Kind, Namespace: ch.Namespace, Name: ch.Name,
			Policy: ch.Policy, Field: ch.Field, Old: ch.Old, New: ch.New,
			Image: image, From: from, To: to,
		})
	}
	if g := r.Gates(); len(g) > 0 {
		c.Gates = g
	}
	return c
}

// imageName is the name a commit message gives a policy's image: the
// reference's name, or for a classic chart "<repository>/<chart>".
func (r *Report) imageName(id, name string) string {
	for _, p := range r.Policies {
		if p.ID == id && p.Chart != nil && !p.Chart.OCI() {
			return strings.TrimSuffix(p.Chart.Repository, "/") + "/" + p.Chart.Name
		}
	}
	return name
}

// worktreePath names file (relative to dir) relative to the worktree, as
// commit messages and gitwriter's automation paths want it.
func worktreePath(dir, file string) string {
	return strings.TrimPrefix(path.Join("/", filepath.ToSlash(dir), file), "/")
}

// TagOf returns the tag of an image reference ("ghcr.io/a/b:1.2@sha256:..."
// gives "1.2"), or the reference itself when it has no tag.
func TagOf(ref string) string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		return ref[i+1:]
	}
	return ref
}
