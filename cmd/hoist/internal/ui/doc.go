// Package ui serves hoist's read-only status page: what each config
// repository's last pass did and when the next one runs, what each policy
// selected and why, what holds and gates keep back, the problems found,
// hoist's recent commits and a chart of the last day's passes.
//
// The page is rendered on the server with html/template, from templates and
// a style sheet embedded in the binary: it runs no script, loads nothing
// from elsewhere (it works offline and in a locked-down cluster) and every
// response carries a strict Content-Security-Policy. The same data is served
// as JSON at /api/v1/status.
//
// A tour:
//   - [Status] and the types under it are the data model (and the JSON).
//   - [Source] is what the page asks for it; [Recorder] is a Source that
//     keeps, bounded in memory, what the daemon tells it after each pass
//     ([Recorder.Record], [Recorder.Schedule]); [FromReport] turns a pass's
//     report into a Record's policies and problems.
//   - [Handler] serves the page, the JSON and the style sheet; [Mount] puts
//     it in front of the daemon's handler on one listener.
//
// Names of files, policies and images, commit messages and error texts come
// from the repository and the registries, so they are attacker-controlled:
// the handler redacts URLs ([RedactURL]: no user info, query or fragment),
// sanitises and cuts every text ([Sanitize]), bounds every list, links only
// to http and https URLs, and html/template escapes the rest. The model has
// no field for a secret.
package ui
