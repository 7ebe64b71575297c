package pass

// Error is a pass that could not run at all, labelled with the stage that
// failed ("policy": the path or the policies could not be read;
// "yamlpatch": changed files could not be written), so that a daemon can
// count failures by stage with errors.As.
type Error struct {
	Stage string
	Err   error
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }
