package gitwriter

import (
	"cmp"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// This file holds the template data Flux's image-automation-controller
// gives commit message templates, with Flux's names and shapes, so a Flux
// user's messageTemplate renders in hoist as it does in Flux. Only the type
// names differ from Flux's; templates never see them.

// NamespacedName names a Kubernetes object, as Flux's types.NamespacedName:
// it prints as "namespace/name".
type NamespacedName struct {
	Namespace, Name string
}

// String returns "namespace/name".
func (n NamespacedName) String() string {
	return n.Namespace + "/" + n.Name
}

// ObjectIdentifier identifies the object holding a changed value, as Flux's
// update.ObjectIdentifier: .APIVersion, .Kind, .Name and .Namespace as
// written in the object. An object without a name (a kustomization.yaml)
// has an empty .Name.
type ObjectIdentifier struct {
	yaml.ResourceIdentifier
}

// compare orders identifiers as text/template ranges over map keys: field
// by field, apiVersion, kind, name, namespace.
func (o ObjectIdentifier) compare(p ObjectIdentifier) int {
	return cmp.Or(cmp.Compare(o.APIVersion, p.APIVersion), cmp.Compare(o.Kind, p.Kind),
		cmp.Compare(o.Name, p.Name), cmp.Compare(o.Namespace, p.Namespace))
}

// SetterChange is one changed value, as Flux's update.Change: the old and
// new value and the marker's text (its "setter"), for example
// "flux-system:podinfo:tag".
type SetterChange struct {
	OldValue string
	NewValue string
	Setter   string
}

// ObjectChanges are the changes of each object, as Flux's
// update.ObjectChanges.
type ObjectChanges map[ObjectIdentifier][]SetterChange

// ChangeResult is the template's .Changed, as Flux's update.Result of API
// v1 (update.ResultV2 before): file -> object -> changes. File names are
// relative to the automation's update path, as in Flux.
type ChangeResult struct {
	FileChanges map[string]ObjectChanges
}

// Changes returns every distinct change, files and objects in the order
// text/template ranges over them (Flux's order is that of Go's map
// iteration, so unspecified; this is one of its orders, always the same).
func (r ChangeResult) Changes() []SetterChange {
	var out []SetterChange
	seen := map[SetterChange]bool{}
	for _, file := range sortedKeys(r.FileChanges) {
		objs := r.FileChanges[file]
		for _, id := range sortedObjects(objs) {
			for _, c := range objs[id] {
				if !seen[c] {
					seen[c] = true
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// Objects returns the changes of each object, whichever file it is in;
// an object in several files has the changes of each, files in order.
func (r ChangeResult) Objects() ObjectChanges {
	out := ObjectChanges{}
	for _, file := range sortedKeys(r.FileChanges) {
		for id, cs := range r.FileChanges[file] {
			out[id] = append(out[id], cs...)
		}
	}
	return out
}

// ImageResult is the template's .Updated, as Flux's update.Result of API
// v1beta1: file -> object -> images. Flux removed it in API v1; hoist
// keeps it for the templates that still use it.
type ImageResult struct {
	Files map[string]FileResult
}

// FileResult holds the images set in each object of one file, as Flux's
// update.FileResult.
type FileResult struct {
	Objects map[ObjectIdentifier][]ImageRef
}

// Images returns every distinct image reference set, in the order of
// [ChangeResult.Changes].
func (r ImageResult) Images() []ImageRef {
	var out []ImageRef
	seen := map[ImageRef]bool{}
	for _, file := range sortedKeys(r.Files) {
		objs := r.Files[file].Objects
		for _, id := range sortedObjects(objs) {
			for _, ref := range objs[id] {
				if !seen[ref] {
					seen[ref] = true
					out = append(out, ref)
				}
			}
		}
	}
	return out
}

// Objects returns the images set in each object, whichever file it is in.
func (r ImageResult) Objects() map[ObjectIdentifier][]ImageRef {
	out := map[ObjectIdentifier][]ImageRef{}
	for _, file := range sortedKeys(r.Files) {
		for id, refs := range r.Files[file].Objects {
			out[id] = append(out[id], refs...)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortedObjects[V any](m map[ObjectIdentifier]V) []ObjectIdentifier {
	keys := make([]ObjectIdentifier, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, ObjectIdentifier.compare)
	return keys
}

// fluxResults builds Flux's .Changed and .Updated from updates (unescaped),
// escaping every value, with file names relative to dir (clean, "" for the
// root). As Flux, it records only values inside an object and only values
// that changed.
func fluxResults(us []Update, dir string) (ChangeResult, ImageResult) {
	changed := ChangeResult{FileChanges: map[string]ObjectChanges{}}
	updated := ImageResult{Files: map[string]FileResult{}}
	for _, u := range us {
		if u.APIVersion == "" && u.Kind == "" && u.Name == "" && u.Namespace == "" || u.Old == u.New {
			continue
		}
		file := escapeValue(relativeTo(dir, u.File))
		id := objectID(u)
		setter := u.Policy
		if u.Field != "" {
			setter += ":" + u.Field
		}
		if changed.FileChanges[file] == nil {
			changed.FileChanges[file] = ObjectChanges{}
			updated.Files[file] = FileResult{Objects: map[ObjectIdentifier][]ImageRef{}}
		}
		changed.FileChanges[file][id] = append(changed.FileChanges[file][id],
			SetterChange{OldValue: escapeValue(u.Old), NewValue: escapeValue(u.New), Setter: escapeValue(setter)})
		refs := updated.Files[file].Objects
		if ref := newImageRef(u.Image, u.Policy); !slices.Contains(refs[id], ref) {
			refs[id] = append(refs[id], ref)
		}
	}
	return changed, updated
}

func objectID(u Update) ObjectIdentifier {
	return ObjectIdentifier{yaml.ResourceIdentifier{
		TypeMeta: yaml.TypeMeta{APIVersion: escapeValue(u.APIVersion), Kind: escapeValue(u.Kind)},
		NameMeta: yaml.NameMeta{Name: escapeValue(u.Name), Namespace: escapeValue(u.Namespace)},
	}}
}

// relativeTo returns file relative to dir, or file itself when it is not
// inside dir.
func relativeTo(dir, file string) string {
	if dir == "" {
		return file
	}
	if rest, ok := strings.CutPrefix(file, dir+"/"); ok {
		return rest
	}
	return file
}
