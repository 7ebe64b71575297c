// Package notify tells people and services what hoist did: it delivers
// events (a [Commit] pushed, a [PullRequest] opened or updated, a [Hold],
// a repository [Failing] or [Recovered]) to Slack, Microsoft Teams and
// CloudEvents webhooks, without ever holding up or failing a pass.
//
// A tour:
//
//   - The daemon builds one [Notifier] from the service config's
//     destinations ([New]) and calls [Notifier.Notify] after each pass with
//     what the pass did. Notify only queues: each destination has a bounded
//     queue and a worker that posts with a per-attempt timeout, retries
//     temporary failures (no answer, 408, 429, 5xx) with doubling backoff,
//     honouring Retry-After, and drops and counts what it can't deliver.
//     [Notifier.Close] drains the queues until its context ends.
//   - A [Tracker] turns pass results into [Failing] (once per run of
//     failures: N in a row, or failing for longer than a threshold) and
//     [Recovered] (once, on the next success).
//   - Formats: [KindWebhook] sends a CloudEvents 1.0 event in structured
//     JSON (type dev.hoist.commit, dev.hoist.pullrequest, dev.hoist.hold,
//     dev.hoist.failing or dev.hoist.recovered; source "hoist/<repository>"),
//     signed in the [SignatureHeader] when the destination has a secret
//     ([Sign], [Verify]). [KindSlack] sends text and Block Kit sections with
//     user text escaped for mrkdwn. [KindMSTeams] sends an Adaptive Card 1.4
//     whose user text sits in RichTextBlocks, which read no Markdown.
//
// Destination URLs and keys are [Secret] funcs, read at each delivery. They
// never reach logs, errors or metrics: destinations are named by their Name
// and Kind, transport errors lose the URL and host, and a receiver's answer
// is sanitised, redacted and cut to 200 characters before it is logged.
//
// Metrics, registered with [WithRegisterer]; the destination label is the
// destination's Name:
//
//	hoist_notifications_sent_total{destination}            events delivered
//	hoist_notifications_failed_total{destination}          attempts that failed
//	hoist_notifications_dropped_total{destination,reason}  events given up:
//	    reason queue_full, gave_up (attempts used up, or a permanent
//	    refusal such as 404) or closed (the Notifier was closing)
package notify
