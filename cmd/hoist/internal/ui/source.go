package ui

import "context"

// Source tells the status page what to show. Status is called once per
// request and must return promptly (ctx carries the request's deadline);
// what it returns is redacted and sanitised before it is served.
type Source interface {
	Status(ctx context.Context) Status
}

// SourceFunc adapts a function to a [Source].
type SourceFunc func(ctx context.Context) Status

// Status calls f.
func (f SourceFunc) Status(ctx context.Context) Status { return f(ctx) }

var (
	_ Source = SourceFunc(nil)
	_ Source = (*Recorder)(nil)
)
