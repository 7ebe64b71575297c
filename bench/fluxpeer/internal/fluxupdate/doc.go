// Package fluxupdate is Flux's setters update, the code that
// image-automation-controller runs to rewrite marked image fields: the
// files of its internal/update package at tag v1.2.0 (commit
// f86e969b55f88fd1d439628ba4ff3ac802cec8b5), Apache-2.0, copied because Go
// does not let another module import an internal package (the last release
// that exported it as pkg/update, v0.41.2, is not served by the module
// proxy reachable here).
//
// Changed from the original, nothing else: the package clause, and
// internal/constants.SetterShortHand is the constant setterShortHand below.
// The benchmark calls [UpdateWithSetters] exactly as the controller's
// internal/policy.ApplyPolicies does, with the work tree as both input and
// output path.
package fluxupdate

// setterShortHand is internal/constants.SetterShortHand of
// image-automation-controller v1.2.0.
const setterShortHand = "$imagepolicy"
