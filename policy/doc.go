// Package policy provides the image policies of a GitOps config repository:
// it loads them from a worktree and chooses, for each one, the tag to run.
//
// A pass uses it in two steps:
//
//   - [Load] walks a directory and reads every ImagePolicy it finds: hoist's
//     own kind (hoist.dev/v1alpha1) and Flux's ImagePolicy and
//     ImageRepository (image.toolkit.fluxcd.io v1 and v1beta2, and the
//     deprecated v1beta1, v1alpha2 and v1alpha1 with a warning), and Flux's
//     ImageUpdateAutomation (v1, v1beta2, v1beta1) as an [Automation].
//     Objects that are wrong become [Problem]s naming file and line; the
//     others still load. A Problem is an error (something that should have
//     been updated will not be) or a warning (nothing was lost).
//     Where a kustomization.yaml includes the objects, Load reads them as
//     kustomize renders them (its namespace and patches apply), building
//     each top-level kustomization in process on a read-only view of the
//     root that nothing outside it can be read through; remote bases are
//     refused, never fetched. [Policy.Kustomization] names the
//     kustomization that produced a policy.
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
// [SelectHeld] is Select with rejected versions ([Rejection], read from git
// history by the caller): a rejected version is never selected, and a
// policy moves only to a version its own rule ranks above every rejected
// one; until then its decision fails with [ErrHeld] and says why. A
// rejection of one member holds its group. Suspended policies
// (spec.suspend, or the hoist.dev/suspend annotation) are held too.
//
// Charts and gates. A policy may watch a Helm chart instead of an image
// (spec.chart: an oci:// reference, {repository, name} of a classic Helm
// repository, or {helmRepositoryRef, name} naming a Flux HelmRepository of
// source.toolkit.fluxcd.io v1 or v1beta2 loaded like an ImageRepository):
// [Policy.Chart] says which, and Image holds [Chart.String] so callers key
// its versions like tags. Any policy may have gates: minAge (a version is
// a candidate once its build or created time is that old) and follow (only
// versions another policy's markers under a path, maybe on another branch,
// held for a while, as read from git history by the caller). [SelectFacts]
// applies them; the Explanation says which versions wait and until when.
// A follow that leads back to its policy on the same branch is a Problem.
//
// Ties never depend on the order the registry listed tags in: when the rule
// finds two values equal (1.0.0 and v1.0.0, or two tags with the same
// extracted timestamp) the greater value, then the greater tag string, wins.
//
// Flux objects keep their meaning: spec.imageRepositoryRef (namespace
// defaulting to the policy's) resolves to the ImageRepository's image, and
// its exclusionList (default `^.*\.sig$`) becomes the policy's exclusions,
// and its insecure, secretRef, certSecretRef and provider become the
// policy's [Registry] (secret names only: the caller maps them to
// credentials). Fields that only make sense in a cluster (interval,
// serviceAccountName...) are ignored with a [Note]. An Automation says
// which policies it applies ([Automation.Selects]) and how to commit. The annotations hoist.dev/group and
// hoist.dev/platform give Flux policies hoist's extra fields.
//
// Semver ranges are Masterminds constraints. The package parses versions
// and checks ranges itself, exactly as Masterminds does (a differential
// fuzz test holds it to that), because Masterminds builds an error for
// every version out of range, which dominates the cost on large
// repositories.
//
// A daemon that loads the same worktree again and again passes a [Cache]
// ([WithCache]): files whose bytes did not change are not decoded again,
// and a kustomization is not built again while every file and directory
// its build looked at answers as before; the result is what Load without
// a cache returns.
//
// The package does no network I/O: build times for newestBuild and digests
// are the caller's job.
package policy
