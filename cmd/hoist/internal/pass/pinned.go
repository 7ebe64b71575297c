package pass

import (
	"strings"

	"github.com/hoist-dev/hoist/policy"
	"github.com/hoist-dev/hoist/yamlpatch"
)

// pinned returns, for each policy with digest IfNotPresent, the digests its
// markers already pin, keyed by policy ID and then by tag. Such a policy
// keeps a pinned digest while its tag stays the same, even if the tag was
// pushed again; only a new tag resolves a new digest (Flux's
// digestReflectionPolicy IfNotPresent). It reads the markers only when some
// policy needs it.
func pinned(root string, ps []*policy.Policy) map[string]map[string]string {
	want := ifNotPresent(ps)
	if len(want) == 0 {
		return nil
	}
	markers, _, err := yamlpatch.Scan(root)
	if err != nil {
		return nil // resolving afresh is always safe
	}
	return pinnedBy(markers, want)
}

// pinnedTree is pinned for a pass that rewrites the directory it reads the
// markers from (rewrite == root): it reads and parses the files under root
// once, with the pass's yamlpatch options, and returns them with the pinned
// digests so that applying the references (applyRefs) does not parse every
// marked file a second time. The tree is nil when no policy needs the
// markers, when rewrite is another directory (the digests then come from
// pinned) or when root cannot be loaded (then Apply reports why).
func pinnedTree(root, rewrite string, ps []*policy.Policy, opts ...yamlpatch.Option) (*yamlpatch.Tree, map[string]map[string]string) {
	want := ifNotPresent(ps)
	if len(want) == 0 {
		return nil, nil
	}
	if root != rewrite {
		return nil, pinned(root, ps)
	}
	tree, err := yamlpatch.Load(root, opts...)
	if err != nil {
		return nil, nil // resolving afresh is always safe
	}
	return tree, pinnedBy(tree.Markers(), want)
}

// applyRefs rewrites the markers under dir to refs: through tree, loaded
// from dir by pinnedTree, when there is one, else by yamlpatch.Apply.
func applyRefs(tree *yamlpatch.Tree, dir string, refs map[string]yamlpatch.Ref, opts ...yamlpatch.Option) (yamlpatch.Result, error) {
	if tree != nil {
		return tree.Apply(refs)
	}
	return yamlpatch.Apply(dir, refs, opts...)
}

// ifNotPresent returns the IDs of the policies with digest IfNotPresent.
func ifNotPresent(ps []*policy.Policy) map[string]bool {
	want := map[string]bool{}
	for _, p := range ps {
		if p.Digest == policy.DigestIfNotPresent {
			want[p.ID] = true
		}
	}
	return want
}

// pinnedBy returns the digests the markers of the wanted policies pin, by
// policy ID and tag.
func pinnedBy(markers []yamlpatch.Marker, want map[string]bool) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, m := range markersOf(markers, want) {
		tag, digest := pinnedRef(m)
		if digest == "" {
			continue
		}
		if out[m[0].Policy] == nil {
			out[m[0].Policy] = map[string]string{}
		}
		out[m[0].Policy][tag] = digest
	}
	return out
}

// markersOf groups the wanted policies' markers by policy and file, so a
// ":tag" marker pairs with the ":digest" marker next to it.
func markersOf(ms []yamlpatch.Marker, want map[string]bool) [][]yamlpatch.Marker {
	groups := map[[2]string][]yamlpatch.Marker{}
	var order [][2]string
	for _, m := range ms {
		if !want[m.Policy] {
			continue
		}
		k := [2]string{m.Policy, m.File}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], m)
	}
	out := make([][]yamlpatch.Marker, len(order))
	for i, k := range order {
		out[i] = groups[k]
	}
	return out
}

// pinnedRef finds the tag and digest a group of markers pins: a whole
// "name:tag@digest" value, or a ":tag" marker beside a ":digest" one.
func pinnedRef(group []yamlpatch.Marker) (tag, digest string) {
	for _, m := range group {
		switch m.Field {
		case "":
			if i := strings.IndexByte(m.Value, '@'); i >= 0 {
				return TagOf(m.Value[:i]), m.Value[i+1:]
			}
		case "tag":
			tag = m.Value
		case "digest":
			digest = m.Value
		}
	}
	if tag == "" {
		return "", ""
	}
	return tag, digest
}
