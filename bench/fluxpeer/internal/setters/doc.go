// Package setters rewrites the image fields marked with Flux's
// `# {"$imagepolicy": "ns:name"}` comments the way Flux's
// image-automation-controller does, with kyaml: hoist's re-implementation of
// Flux's approach for the fluxpeer benchmark, written from kyaml's public API
// and Flux's documented behaviour, not Flux's code (Flux keeps its own in an
// internal package that another module cannot import).
//
// The pass, as in Flux:
//
//  1. A [kio.Reader] walks the tree, reads every *.yaml and *.yml file and
//     parses into kyaml RNodes, with their path annotations, each file that
//     contains the marker token; files without it are not parsed.
//  2. Each policy becomes kyaml setter definitions in an OpenAPI schema
//     (io.k8s.cli.setters.NS:NAME, and :tag, :name and :digest variants,
//     their value in the x-k8s-cli extension).
//  3. A [kio.Filter] visits every scalar of every resource, reads its
//     comment with kyaml's fieldmeta (the "$imagepolicy" shorthand resolved
//     against that schema) and sets the value of each field that references
//     a setter.
//  4. kyaml's [kio.LocalPackageWriter] writes every resource read back to
//     its file, re-serialising each parsed file with kyaml's encoder.
package setters
