//go:build linux

package analysis

import (
	"fmt"
	"io/fs"
	"syscall"
)

// statSig identifies a file's state without reading it: inode, size and
// the modification and change times (ctime changes with every write, and
// no tool can set it back), as git's index does.
func statSig(fi fs.FileInfo) (string, int64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", 0
	}
	return fmt.Sprintf("%d.%d.%d.%d.%d.%d", st.Ino, st.Size, st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec), max(st.Mtim.Sec, st.Ctim.Sec)
}
