package policy

import (
	"fmt"
	"os"
	"path"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/openapi"
)

// krustyMu serializes kustomize builds. It is the one place hoist calls
// kustomize, and the one piece of package state: kustomize keeps its
// OpenAPI schema in package globals (kyaml/openapi), which every build
// sets (krusty's Kustomizer.Run calls openapi.SetSchema) and reads while
// merging patches. kyaml locks the globals, so -race sees no data race
// without krustyMu, but a kustomization's own schema (its openapi field)
// would then apply to a build of another Load running at the same time.
var krustyMu sync.Mutex

// kustomize renders the kustomizations among files (the slash paths of
// the kustomization files the walk found) and records which files the
// renders read. The rule for which ones render:
//
//   - A kustomization renders on its own unless another kustomization
//     under the root names its directory (in resources, bases,
//     components, generators, transformers or validators): it is then a
//     base, rendered through its parent. A Component never renders on its
//     own.
//   - When a kustomization fails to render (or is refused, for a remote
//     base), its bases that no rendered kustomization read render on
//     their own, in the next round, so nothing they hold is lost.
//
// Every file a render read is claimed: the walk does not load it
// directly. Resources come back in the rendered output; patches do not
// come back at all.
func (l *loader) kustomize(r *os.Root, files []string) {
	fsys := l.newRootFS(r)
	ks := map[string]*kustomization{} // by directory
	var order []*kustomization
	for _, f := range files {
		k, ok, err := l.readKustomization(fsys, f)
		switch {
		case err != nil:
			l.problem(f, 0, "", cleanKust(err))
		case ok && ks[k.dir] == nil:
			ks[k.dir] = k
			order = append(order, k)
		}
	}
	bases := map[string]bool{}
	for _, k := range order {
		for _, d := range k.dirs {
			bases[d] = true
		}
	}
	var round []*kustomization
	for _, k := range order {
		if !bases[k.dir] && !k.component {
			round = append(round, k)
		}
	}
	tried := map[string]bool{}
	for len(round) > 0 {
		var failed []*kustomization
		for _, k := range round {
			tried[k.dir] = true
			if !l.render(r, fsys, ks, k) {
				failed = append(failed, k)
			}
		}
		round = l.orphans(failed, ks, tried)
	}
}

// orphans are the bases of the failed kustomizations that no render read
// and that have not been tried yet.
func (l *loader) orphans(failed []*kustomization, ks map[string]*kustomization, tried map[string]bool) []*kustomization {
	var next []*kustomization
	for _, k := range failed {
		for _, d := range k.dirs {
			b := ks[d]
			if b == nil || b.component || tried[b.dir] || l.claimed[b.file] {
				continue
			}
			tried[b.dir] = true
			next = append(next, b)
		}
	}
	return next
}

// render builds one kustomization, refusing it when it or a base it
// reaches refers to a remote base. It reports whether it rendered.
func (l *loader) render(r *os.Root, fsys *rootFS, ks map[string]*kustomization, k *kustomization) bool {
	if file, ref := l.remoteRef(fsys, ks, k); ref != "" {
		if l.remote[file+"\x00"+ref] { // said once, for the first kustomization reaching it
			return false
		}
		l.remote[file+"\x00"+ref] = true
		l.warn(k.file, 0, "", fmt.Errorf("kustomization not rendered: %s refers to the remote base %q, which hoist does not fetch; its files are loaded as they stand", file, ref))
		return false
	}
	out, reads, err := l.buildCached(r, fsys, k)
	if err != nil {
		l.problem(k.file, 0, "", fmt.Errorf("rendering kustomization: %w; its files are loaded as they stand", cleanKust(err)))
		return false
	}
	for _, f := range reads {
		l.claimed[f] = true
	}
	l.rendered[k.file] = out
	l.opts.log.Debug("rendered kustomization", "file", k.file, "read", len(reads))
	return true
}

// remoteRef returns the first remote reference of k or of a kustomization
// it reaches, and the file that holds it.
func (l *loader) remoteRef(fsys *rootFS, ks map[string]*kustomization, k *kustomization) (file, ref string) {
	seen := map[string]bool{}
	todo := []*kustomization{k}
	for len(todo) > 0 {
		k := todo[0]
		todo = todo[1:]
		if seen[k.dir] {
			continue
		}
		seen[k.dir] = true
		if len(k.remote) > 0 {
			return k.file, k.remote[0]
		}
		for _, d := range k.dirs {
			if b := ks[d]; b != nil {
				todo = append(todo, b)
			} else if e := l.walked[d]; e != nil && e.Type().IsRegular() { // a regular file holds no kustomization
				continue
			} else if b := l.lookupKustomization(fsys, d); b != nil {
				ks[d] = b
				todo = append(todo, b)
			}
		}
	}
	return "", ""
}

// lookupKustomization reads the kustomization of a directory the walk did
// not find (reached through a symlink, say), or returns nil.
func (l *loader) lookupKustomization(fsys *rootFS, dir string) *kustomization {
	f := fsys.kustomizationIn(dir)
	if f == "" {
		return nil
	}
	k, ok, err := l.readKustomization(fsys, f)
	if err != nil || !ok { // kustomize fails on it the same way, fetching nothing
		return nil
	}
	return k
}

// build runs kustomize on k's directory, confined to fsys.
func build(fsys *rootFS, k *kustomization) (out []byte, err error) {
	krustyMu.Lock()
	defer krustyMu.Unlock()
	defer func() {
		if r := recover(); r != nil { // kustomize is not ours: stay up
			err = fmt.Errorf("kustomize panicked: %v", r)
		}
	}()
	if k.openapi { // the schema it sets would outlive this build
		defer openapi.ResetOpenAPI()
	}
	opts := krusty.MakeDefaultOptions()
	// As Flux's kustomize-controller builds: files may come from anywhere
	// in the repository; fsys keeps them inside the loaded root.
	opts.LoadRestrictions = types.LoadRestrictionsNone
	m, err := krusty.MakeKustomizer(opts).Run(fsys, abs(k.dir))
	if err != nil {
		return nil, err
	}
	return m.AsYaml()
}

// kustError is an error of kustomize's with the paths it names made
// relative to the loaded root.
type kustError struct {
	msg string
	err error
}

func (e *kustError) Error() string { return e.msg }
func (e *kustError) Unwrap() error { return e.err }

// cleanKust makes kustomize's error one line, with paths relative to the
// root.
func cleanKust(err error) error {
	msg := strings.ReplaceAll(err.Error(), kustRoot+"/", "")
	msg = strings.ReplaceAll(msg, kustRoot, ".")
	return &kustError{msg: strings.Join(strings.Fields(msg), " "), err: err}
}

// isKustomizationPath reports whether the slash path p names a
// kustomization file.
func isKustomizationPath(p string) bool { return isKustomizationFile(path.Base(p)) }
