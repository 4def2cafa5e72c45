//go:build !windows

package apply

import (
	"errors"
	"os"
	"syscall"
)

// readFlags: opening a pipe must not block, and a link must not be followed.
const readFlags = syscall.O_NONBLOCK | syscall.O_NOFOLLOW

// tryLock flocks dir itself, opened read-only. flock belongs to the open
// file, so the kernel drops it when the process exits, however it exits.
func tryLock(dir string) (unlock func(), busy bool, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, false, err
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return func() { f.Close() }, false, nil
	case errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EINTR):
		f.Close()
		return nil, true, nil
	case errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP):
		// A file system without locks (some network mounts): run
		// unlocked rather than not at all.
		return func() { f.Close() }, false, nil
	}
	f.Close()
	return nil, false, err
}
