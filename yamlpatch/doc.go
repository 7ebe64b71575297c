// Package yamlpatch rewrites the image references that carry a Flux-style
// marker comment in a tree of YAML files, changing only the bytes of each
// marked value.
//
// A marker is a line comment on a scalar value:
//
//	image: ghcr.io/acme/api:1.4.2 # {"$imagepolicy": "apps:api"}
//	tag: 1.4.2                    # {"$imagepolicy": "apps:api:tag"}
//
// The ID is "ns:name" or "name", optionally followed by ":tag", ":name" or
// ":digest". A two-part ID whose second part is one of those three words
// ("api:tag") is the policy "api" without namespace, with that field.
//
// The pass, per file:
//
//  1. Files named *.yaml, *.yml or Kustomization that contain the marker
//     token are parsed with kyaml's yaml package into nodes that carry
//     their positions; documents are never re-serialised (kyaml's RNode
//     writers would reformat them). Symlinks are never followed.
//  2. Each marked scalar is located in the original bytes (its exact span),
//     and an edit is computed for it, keeping its quote style.
//  3. The edits are applied to the original bytes and verified: exactly the
//     edited scalars must hold exactly their new values. An edit that swaps
//     one single-line scalar token for another of the same quoting style,
//     whose text is known to read back as the new string, is proven safe
//     without parsing again; any other is verified by parsing the result
//     and comparing it node by node with the original ([WithFullVerify]
//     does that for every edit). A file that fails is left untouched and
//     reported as a [Problem]. Markers on values tagged with a YAML type
//     other than string (!!int, !!binary...) are refused; files over
//     [WithMaxFileSize] are not parsed; UTF-16 files are reported.
//  4. Unless dry-run, the file is replaced atomically (temp file and rename,
//     mode and, where permitted, owner kept), or with [WithInPlaceWrites]
//     truncated and rewritten, for trees that are reset after a failure. A
//     failed write makes [Apply] return an error wrapping [ErrWrite].
//     Documents are never re-serialised.
//
// Files are processed in parallel, GOMAXPROCS at a time by default
// ([WithJobs]). Files are never created or deleted, symlinks (files or
// directories) are skipped, .git directories are not entered, and nothing
// outside root is read or written. A file that does not parse or fails
// verification is left alone; the others are still updated. Only an unusable
// root is an error.
//
// [Apply] does the rewrite and returns the changes, the problems and a
// git-style diff ([WithDryRun] for a plan); [Scan] lists markers and
// problems for linting.
// A caller that must read the markers before it can choose the references
// (to keep the digests they pin) uses [Load], then [Tree.Markers] and
// [Tree.Apply]: each file is read and parsed once.
package yamlpatch
