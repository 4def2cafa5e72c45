//go:build unix

package analysis

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func mkfifo(t testing.TB, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Fatal(err)
	}
}
