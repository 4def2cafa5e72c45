package analysis

import (
	"errors"
	"strings"
	"testing"
)

// A panic in a forEach worker is raised again in the caller, where
// Analyze turns it into an internal error naming where dockgen failed,
// instead of ending the process.
func TestWorkerPanicBecomesInternalError(t *testing.T) {
	var got any
	func() {
		defer func() { got = recover() }()
		forEach(20, func() func(int) {
			return func(i int) {
				if i == 7 {
					var s []int
					_ = s[i] // index out of range, as the fuzzer's crashes were
				}
			}
		})
	}()
	wp, ok := got.(*workerPanic)
	if !ok {
		t.Fatalf("recovered %T %v, want the worker's panic", got, got)
	}
	err := internalError(wp)
	if !errors.Is(err, ErrInternal) || err.Hint == "" || err.File == "" {
		t.Fatalf("error %#v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "index out of range") || !strings.Contains(msg, "internal/analysis/errors_test.go:") {
		t.Errorf("error %q does not say what failed where", msg)
	}
}
