// Package benchgen writes the synthetic config repository the yamlpatch
// benchmarks run on: directories of four files each (a 3-container
// Deployment, a 4-document file, a kustomization.yaml with name, tag and
// digest markers, and a Helm values.yaml), whose markers name 20 policies
// that are all out of date.
package benchgen
