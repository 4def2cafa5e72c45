//go:build !windows

package apply

import (
	"syscall"
	"testing"
)

func mkfifo(t testing.TB, name string) {
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Fatal(err)
	}
}
