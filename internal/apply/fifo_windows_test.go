package apply

import "testing"

// mkfifo: Windows has no named pipes in the file system; the tests that
// need one check for its absence.
func mkfifo(testing.TB, string) {}
