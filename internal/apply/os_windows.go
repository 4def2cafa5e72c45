package apply

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// readFlags: Windows has no FIFOs to block on; Lstat already refused links.
const readFlags = 0

const (
	errorAccessDenied     = syscall.Errno(5)
	errorSharingViolation = syscall.Errno(32)
	fileFlagDeleteOnClose = 0x04000000
)

// tryLock opens a lock file for dir in the temp directory with no sharing:
// a second open fails until the first handle closes, which Windows does
// when the process exits, and the file is deleted on close.
func tryLock(dir string) (unlock func(), busy bool, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, false, err
	}
	sum := sha256.Sum256([]byte(strings.ToLower(abs)))
	name, err := syscall.UTF16PtrFromString(filepath.Join(os.TempDir(), "dockgen-"+hex.EncodeToString(sum[:8])+".lock"))
	if err != nil {
		return nil, false, err
	}
	h, err := syscall.CreateFile(name, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil,
		syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL|fileFlagDeleteOnClose, 0)
	switch {
	case err == nil:
		return func() { syscall.CloseHandle(h) }, false, nil
	case errors.Is(err, errorSharingViolation) || errors.Is(err, errorAccessDenied):
		// Access denied: the previous holder's file is being deleted.
		return nil, true, nil
	}
	return nil, false, err
}
