package apply

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// CheckPath reports whether apply may touch p inside dir: p must be a clean,
// slash-separated relative path (no "./", "..", backslash or volume), and no
// directory on the way may be a symbolic link or anything but a directory.
// Components that do not exist yet are fine: Write creates them inside dir.
// The final component is not checked here (a link there is a conflict, not
// an unsafe path). The state loader can use it to warn early; Decide and
// Write check every path themselves.
func CheckPath(dir, p string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer root.Close()
	return checkPath(root, p)
}

func checkPath(root *os.Root, p string) error {
	if err := checkName(p); err != nil {
		return fmt.Errorf("path %q %s; dockgen only touches plain paths inside the project", p, err)
	}
	// Lstat each parent: os.Root already keeps every access inside the
	// directory, but a link to a sibling directory would still let a
	// recorded path reach files dockgen never wrote.
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		fi, err := root.Lstat(p[:i])
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("check %s: %w", p[:i], cause(err))
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("path %q goes through %s, a symbolic link; dockgen does not write through links", p, p[:i])
		}
		if !fi.IsDir() {
			return fmt.Errorf("path %q goes through %s, which is not a directory", p, p[:i])
		}
	}
	return nil
}

// checkName is the lexical half of checkPath; it says what is wrong.
func checkName(p string) error {
	switch {
	case p == "" || p == ".":
		return errors.New("names no file")
	case strings.Contains(p, "\\"):
		return errors.New("has a backslash (paths use /)")
	case strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f || r == utf8.RuneError }):
		// Never a name dockgen writes, and it would reach the terminal.
		return errors.New("has control characters or invalid UTF-8")
	case path.IsAbs(p) || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return errors.New("is absolute")
	case p == ".." || strings.HasPrefix(p, "../") || strings.HasSuffix(p, "/..") || strings.Contains(p, "/../"):
		return errors.New("goes up with ..")
	case path.Clean(p) != p:
		return fmt.Errorf("is not clean (%q)", path.Clean(p))
	case !filepath.IsLocal(filepath.FromSlash(p)):
		return errors.New("is not a local file name") // e.g. NUL or COM1 on Windows
	}
	return nil
}

// onDisk is what apply saw at a path: enough to tell later whether anyone
// changed it (same file, mode, size, mtime and content hash).
type onDisk struct {
	info fs.FileInfo // from Lstat; nil when absent
	hash string      // Hash of the content; "" when not read (not regular, or large)
}

func (d onDisk) exists() bool  { return d.info != nil }
func (d onDisk) regular() bool { return d.info != nil && d.info.Mode().IsRegular() }
func (d onDisk) symlink() bool { return d.info != nil && d.info.Mode()&fs.ModeSymlink != 0 }
func (d onDisk) large() bool   { return d.regular() && d.hash == "" }

// special: a directory, pipe, socket or device, never opened.
func (d onDisk) special() bool { return d.exists() && !d.regular() && !d.symlink() }

// kind names what is there, for reasons.
func (d onDisk) kind() string {
	m := d.info.Mode()
	switch {
	case m.IsRegular():
		return "a regular file"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// same reports whether now is what d saw.
func (d onDisk) same(now onDisk) bool {
	if !d.exists() || !now.exists() {
		return d.exists() == now.exists()
	}
	return os.SameFile(d.info, now.info) && d.info.Mode() == now.info.Mode() &&
		d.info.Size() == now.info.Size() && d.info.ModTime().Equal(now.info.ModTime()) &&
		d.hash == now.hash
}

// errRace: the file changed between Lstat and open.
var errRace = errors.New("changed while dockgen was reading it")

// look Lstats p and reads it when it is a regular file of at most MaxSize
// bytes. Anything else is never opened: a pipe would block, a device would
// never end, and a link could point anywhere.
func look(root *os.Root, p string) (onDisk, []byte, error) {
	fi, err := root.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return onDisk{}, nil, nil
	}
	if err != nil {
		return onDisk{}, nil, fmt.Errorf("read %s: %w", p, cause(err))
	}
	d := onDisk{info: fi}
	if !fi.Mode().IsRegular() || fi.Size() > MaxSize {
		return d, nil, nil
	}
	// Non-blocking and no-follow, and the opened file must be the one Lstat
	// saw: if it was swapped for a pipe or a link in between, say so.
	f, err := root.OpenFile(p, os.O_RDONLY|readFlags, 0)
	if err != nil {
		return onDisk{}, nil, fmt.Errorf("read %s: %w", p, cause(err))
	}
	defer f.Close()
	if now, err := f.Stat(); err != nil || !now.Mode().IsRegular() || !os.SameFile(fi, now) {
		return onDisk{}, nil, fmt.Errorf("read %s: %w", p, errRace)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return onDisk{}, nil, fmt.Errorf("read %s: %w", p, cause(err))
	}
	if len(b) > MaxSize {
		return d, nil, nil // grew past the limit while we read
	}
	d.hash = Hash(b)
	return d, b, nil
}

// cause strips the path from an OS error, so messages name the real file
// (never a temp name, never the absolute project path twice).
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
