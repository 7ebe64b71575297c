package policy

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// kustomization is what hoist reads of a kustomization file before
// kustomize builds it: the directories it builds on and the references
// kustomize would fetch from the network.
type kustomization struct {
	file      string   // slash path of the kustomization file
	dir       string   // slash path of its directory
	component bool     // kind: Component, which only a parent applies
	openapi   bool     // it sets kustomize's OpenAPI schema
	dirs      []string // root-relative local paths it names (bases among them)
	remote    []string // references kustomize would fetch (git or http)
}

// isKustomizationFile reports whether name is one kustomize reads.
func isKustomizationFile(name string) bool {
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		if name == n {
			return true
		}
	}
	return false
}

// kustomizationIn finds the kustomization file of dir (a slash path
// relative to the root), or "" when there is none.
func (f *rootFS) kustomizationIn(dir string) string {
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		p := path.Join(dir, n)
		if fi, err := f.stat(abs(p)); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// canonical resolves the symlinks of rel, a slash path relative to the
// root; a path that cannot be resolved is returned as it is.
func (f *rootFS) canonical(rel string) string {
	if d, ok := f.known[rel]; ok && d.Type()&fs.ModeSymlink == 0 {
		return rel // the walk found it so
	}
	if r, err := f.resolve(abs(rel)); err == nil {
		return r
	}
	return rel
}

// readKustomization parses file with kustomize's own parser, so hoist
// sees the fields kustomize will see. ok is false for a file that is not
// a kustomization at all (another apiVersion, say a Flux Kustomization).
func (l *loader) readKustomization(fsys *rootFS, file string) (k *kustomization, ok bool, err error) {
	t, err := l.kustText(fsys, file)
	if err != nil {
		return nil, true, err
	}
	if t.other || t.err != nil {
		return nil, !t.other, t.err
	}
	k = &kustomization{file: file, dir: path.Dir(file), component: t.component, openapi: t.openapi, remote: t.remote}
	for _, ref := range t.local {
		k.dirs = append(k.dirs, fsys.canonical(path.Join(k.dir, ref)))
	}
	return k, true, nil
}

// kustText is what a kustomization file says, before the paths it names
// are resolved.
type kustText struct {
	other              bool  // not a kustomization at all
	err                error // it does not parse
	component, openapi bool
	local              []string // local paths, relative to its directory
	remote             []string // references kustomize would fetch
}

func parseKustomization(data []byte) *kustText {
	var meta struct {
		APIVersion string `yaml:"apiVersion"`
	}
	if yaml.Unmarshal(data, &meta) == nil && meta.APIVersion != "" &&
		!strings.HasPrefix(meta.APIVersion, "kustomize.config.k8s.io/") {
		return &kustText{other: true} // a Flux Kustomization, say
	}
	var t types.Kustomization
	if err := t.Unmarshal(data); err != nil {
		return &kustText{err: fmt.Errorf("parsing kustomization: %w", err)}
	}
	k := &kustText{component: t.Kind == types.ComponentKind, openapi: len(t.OpenAPI) > 0}
	for _, ref := range pathRefs(&t) {
		switch {
		case isRemote(ref):
			k.remote = append(k.remote, ref)
		case ref != "" && !strings.Contains(ref, "\n") && !path.IsAbs(ref):
			k.local = append(k.local, ref)
		}
	}
	return k
}

// pathRefs lists every value of t that kustomize resolves as a file,
// a directory or a URL (inline patches and generators included: they are
// told apart later). It normalizes t as kustomize does before a build
// (bases become resources).
func pathRefs(t *types.Kustomization) []string {
	t.FixKustomization()
	var refs []string
	for _, l := range [][]string{t.Resources, t.Components, t.Crds, t.Configurations, t.Generators, t.Transformers, t.Validators} {
		refs = append(refs, l...)
	}
	for _, p := range deprecatedPatches(t) {
		refs = append(refs, p.Path)
	}
	for _, p := range t.Patches {
		refs = append(refs, p.Path)
	}
	for _, r := range t.Replacements {
		refs = append(refs, r.Path)
	}
	refs = append(refs, t.OpenAPI["path"])
	for _, g := range t.ConfigMapGenerator {
		refs = append(refs, kvRefs(g.KvPairSources)...)
	}
	for _, g := range t.SecretGenerator {
		refs = append(refs, kvRefs(g.KvPairSources)...)
	}
	return refs
}

// deprecatedPatches are the patchesStrategicMerge (as paths) and
// patchesJson6902 of t: deprecated, but kustomize still reads them.
func deprecatedPatches(t *types.Kustomization) []types.Patch {
	//lint:ignore SA1019 kustomize still applies the deprecated field
	out := append([]types.Patch{}, t.PatchesJson6902...)
	//lint:ignore SA1019 kustomize still applies the deprecated field
	for _, p := range t.PatchesStrategicMerge {
		out = append(out, types.Patch{Path: string(p)})
	}
	return out
}

// kvRefs lists the files of a generator ("key=path" gives path).
func kvRefs(s types.KvPairSources) []string {
	refs := append([]string{s.EnvSource}, s.EnvSources...) // FixKustomization moved env to envs; kept for safety
	for _, f := range s.FileSources {
		if _, p, ok := strings.Cut(f, "="); ok {
			f = p
		}
		refs = append(refs, f)
	}
	return refs
}

// userRE is the "user@" that makes kustomize read a reference as an
// scp-style git URL (git@github.com:org/repo).
var userRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// schemeRE is a URL scheme kustomize fetches (http and https files, git
// over https, ssh or file), or any scheme followed by "//".
var schemeRE = regexp.MustCompile(`(?i)^((https?|ssh|file):|[a-z][a-z0-9+.-]*://)`)

// isRemote reports whether kustomize would fetch ref over the network or
// clone it with git: a reference that starts with a URL scheme (after an
// optional "git::"), an scp-style user@host reference, or a github.com
// path. It errs on the side of remote: what kustomize's
// git.NewRepoSpecFromURL and its http loading accept is a subset, since
// both need the scheme, user or host at the very start.
func isRemote(ref string) bool {
	s := strings.TrimSpace(ref)
	if len(s) >= 5 && strings.EqualFold(s[:5], "git::") {
		s = s[5:]
	}
	lower := strings.ToLower(s)
	return schemeRE.MatchString(s) || userRE.MatchString(s) ||
		strings.HasPrefix(lower, "github.com/") || strings.HasPrefix(lower, "github.com:")
}
