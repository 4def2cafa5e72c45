package analysis

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
)

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

// ErrInternal marks an error that is dockgen's bug, not the input's: a
// panic in the analysis, reported instead of a crash.
var ErrInternal = errors.New("internal error")

// workerPanic is a panic in a forEach worker, with the worker's stack.
type workerPanic struct {
	value any
	stack []byte
}

// internalError is the error Analyze returns for a panic: where in dockgen
// it happened, and what to do.
func internalError(r any) *InputError {
	stack := debug.Stack()
	if wp, ok := r.(*workerPanic); ok {
		r, stack = wp.value, wp.stack
	}
	return &InputError{Op: "analyze", File: ".", Err: fmt.Errorf("%w: %v (%s)", ErrInternal, r, panicSite(stack)),
		Hint: "this is a bug in dockgen, not a problem with your code: please report it with this message and `dockgen version`"}
}

// panicSite is the first frame of dockgen's own code below the panic in a
// goroutine's stack: "internal/analysis/scan.go:502".
func panicSite(stack []byte) string {
	afterPanic := false
	for _, l := range strings.Split(string(stack), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "panic(") {
			afterPanic = true
			continue
		}
		if i := strings.LastIndex(l, "/internal/"); afterPanic && i >= 0 && strings.Contains(l, ".go:") {
			loc, _, _ := strings.Cut(l[i+1:], " ")
			return loc
		}
	}
	return "place unknown"
}
