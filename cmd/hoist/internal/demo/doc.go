// Package demo sets up what `hoist demo` runs against: an in-process
// registry (go-containerregistry's pkg/registry) holding small images, and a
// local bare git repository seeded from the sample config repository in
// testdata/demo.
package demo
