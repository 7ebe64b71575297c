// Package shard splits the configured repositories among the replicas of
// `hoist run` through Kubernetes, with no protocol of its own.
//
// Each replica holds a coordination.k8s.io/v1 Lease named hoist-<identity>
// in one namespace (labels app.kubernetes.io/name=hoist and
// hoist.dev/shard-member=true), renews it every renew interval, and watches
// the member Leases with an informer. The members are the replicas whose
// Lease was renewed within its lease duration, counted on the watcher's own
// clock from when it saw the renewal (clocks need not agree). A repository
// belongs to the member with the highest rendezvous weight, a hash of the
// member's identity and the repository's name: every replica computes the
// same owner on its own, the split is even up to hashing noise, and when a
// member leaves or joins only the repositories it owns move.
//
// The load on the kube-apiserver grows with the replicas, not the
// repositories: one Lease patch per replica per renew interval and one
// watch per replica (each sees every renewal). Repositories never appear
// in the API, except as a trigger in flight.
//
// A tour of a replica's life:
//
//   - [New], then [Shard.Run] in a goroutine: it creates or takes over its
//     Lease and starts the watch. [Shard.Changes] fires when the members
//     change; [Shard.Owns] says what this replica serves now.
//   - A registry webhook that lands on any replica is passed on with
//     [Shard.Trigger]: an annotation hoist.dev/trigger-<hash of repo> on the
//     owner's Lease. The owner hands it to its [Shard.OnTrigger] function
//     once and removes it, so a Lease carries at most one annotation per
//     repository and only while a trigger is in flight.
//   - On SIGTERM (Run's ctx done) the replica deletes its Lease and the
//     others take over at once. After SIGKILL its Lease simply expires: the
//     others take over within the lease duration. A replica that cannot renew
//     its Lease for the lease duration owns nothing until it can again.
//     Leases that stayed expired for four lease durations are deleted by a
//     live replica (pods of a Deployment get new names).
//
// Correctness never depends on ownership being exclusive. The members a
// replica sees lag the API by a watch delivery, so during a handover two
// replicas may both run a pass of a repository; git's push is a compare and
// swap, and hoist redoes a rejected pass on the new head, so the result is
// still one commit per change. Sharding only saves the duplicate work.
package shard
