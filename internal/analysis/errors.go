package analysis

import "fmt"

// InputError is a problem with the user's module that the user must fix.
// It names the file (and line when known), what is wrong, and what to do.
type InputError struct {
	Op   string // what dockgen was doing: "read go.mod", "parse cmd/api/main.go"
	File string // path relative to the analyzed dir, slash-separated
	Line int    // 0 when unknown
	Err  error  // the cause
	Hint string // what the user should do
}

func (e *InputError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("%s %s: %v", e.Op, loc, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }
