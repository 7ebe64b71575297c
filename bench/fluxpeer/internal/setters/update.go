package setters

import (
	"fmt"

	reflectorv1 "github.com/fluxcd/image-reflector-controller/api/v1"
	"sigs.k8s.io/kustomize/kyaml/fieldmeta"
	"sigs.k8s.io/kustomize/kyaml/kio"
)

// Change is one value set.
type Change struct {
	File   string // slash path relative to the root
	Line   int    // 1-based line of the value, as parsed
	Setter string // "ns:name", "ns:name:tag", ...
	Old    string
	New    string
}

// Result is what Update changed.
type Result struct {
	Changes []Change
}

// Files returns the number of distinct files with a change.
func (r Result) Files() int {
	files := map[string]bool{}
	for _, c := range r.Changes {
		files[c.File] = true
	}
	return len(files)
}

// Update sets every field under root marked with a policy of policies to
// the policy's latest reference, and writes back every file it parsed.
//
// It sets kyaml's fieldmeta shorthand (a package variable of kyaml) to
// "$imagepolicy" for its duration: Update must not run beside other users
// of fieldmeta.
func Update(root string, policies []reflectorv1.ImagePolicy) (Result, error) {
	prev := fieldmeta.ShortHandRef()
	fieldmeta.SetShortHandRef(token)
	defer fieldmeta.SetShortHandRef(prev)

	f := &setFilter{schema: settersSchema(policies)}
	p := kio.Pipeline{
		Inputs:  []kio.Reader{screeningReader{root: root}},
		Filters: []kio.Filter{f},
		Outputs: []kio.Writer{kio.LocalPackageWriter{PackagePath: root}},
	}
	if err := p.Execute(); err != nil {
		return Result{}, fmt.Errorf("updating %s with setters: %w", root, err)
	}
	return Result{Changes: f.changes}, nil
}
