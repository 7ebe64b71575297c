// Package policy provides the image policies of a GitOps config repository:
// it loads them from a worktree and chooses, for each one, the tag to run.
//
// A pass uses it in two steps:
//
//   - [Load] walks a directory and reads every ImagePolicy it finds: hoist's
//     own kind (hoist.dev/v1alpha1) and Flux's ImagePolicy and
//     ImageRepository (image.toolkit.fluxcd.io v1beta2 and v1). Objects that
//     are wrong become [Problem]s naming file and line; the others still load.
//   - [Select] takes the policies and the tags the registry listed for each
//     image, and returns one [Decision] per policy: the chosen tag and an
//     [Explanation] of how many tags were seen, excluded, filtered out, not
//     parseable, and why the winner won.
//
// Selection applies, in order: the exclusions (regexes), filterTags (a regex
// whose extract template yields the value to order), then exactly one rule:
// semver (Masterminds ranges, optional "v" prefix, prereleases only when the
// range names one), alphabetical, numerical or newestBuild. Policies sharing a
// group move together to the highest version every member has.
//
// Ties never depend on the order the registry listed tags in: when the rule
// finds two values equal (1.0.0 and v1.0.0, or two tags with the same
// extracted timestamp) the greater value, then the greater tag string, wins.
//
// Flux objects keep their meaning: spec.imageRepositoryRef (namespace
// defaulting to the policy's) resolves to the ImageRepository's image, and
// its exclusionList (default `^.*\.sig$`) becomes the policy's exclusions.
// Fields that only make sense in a cluster (interval, secretRef...) are
// ignored with a [Note]. The annotations hoist.dev/group and
// hoist.dev/platform give Flux policies hoist's extra fields.
//
// Semver ranges are Masterminds constraints. The package parses versions
// and checks ranges itself, exactly as Masterminds does (a differential
// fuzz test holds it to that), because Masterminds builds an error for
// every version out of range, which dominates the cost on large
// repositories.
//
// The package does no network I/O: build times for newestBuild and digests
// are the caller's job.
package policy
