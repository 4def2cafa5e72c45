package analysis

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// Read limits: a larger file is generated data, or not a file at all.
const (
	maxGoFile  = 16 << 20 // a Go (or other source) file
	maxModFile = 4 << 20  // go.mod, go.sum
)

// Every read of the user's module goes through these, so tests can simulate
// errors that a test running as root cannot produce with chmod.
var (
	readDir  = os.ReadDir
	readFile = readLimited
	openFile = func(name string) (io.ReadCloser, error) { return openLimited(name, maxGoFile) }
)

// notRegularError is a path that is a named pipe, device, socket or
// directory where a file is expected: reading it could wait forever or
// never end.
type notRegularError struct{ mode fs.FileMode }

func (e *notRegularError) Error() string {
	kind := "not a regular file"
	switch m := e.mode; {
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m.IsDir():
		kind = "a directory"
	}
	if kind == "not a regular file" {
		return kind
	}
	return "not a regular file (" + kind + ")"
}

// tooLargeError is a file over its read limit.
type tooLargeError struct{ size, limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("file is %d bytes, over dockgen's read limit of %d MiB", e.size, e.limit>>20)
}

// openChecked opens a regular file of at most limit bytes. It opens
// without blocking (opening a named pipe for reading waits for a writer),
// then checks the type of what it opened, so a pipe, a device or a symlink
// to one (/dev/zero) is an error, never a read that waits or does not end.
func openChecked(name string, limit int64) (*os.File, int64, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, &fs.PathError{Op: "read", Path: name, Err: &notRegularError{fi.Mode()}}
	}
	if fi.Size() > limit {
		f.Close()
		return nil, 0, &fs.PathError{Op: "read", Path: name, Err: &tooLargeError{fi.Size(), limit}}
	}
	return f, fi.Size(), nil
}

// openLimited is openChecked for go/build, which reads file headers.
func openLimited(name string, limit int64) (io.ReadCloser, error) {
	f, _, err := openChecked(name, limit)
	if err != nil {
		return nil, err
	}
	return &limitedFile{Reader: io.LimitReader(f, limit+1), f: f}, nil
}

type limitedFile struct {
	io.Reader
	f *os.File
}

func (l *limitedFile) Close() error { return l.f.Close() }

// readLimited reads a whole regular file of at most limit bytes into a
// buffer sized from its length, as os.ReadFile does.
func readLimited(name string, limit int64) ([]byte, error) {
	f, size, err := openChecked(name, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data := make([]byte, 0, size+1) // +1: EOF without growing
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > limit { // it grew since it was opened
			return nil, &fs.PathError{Op: "read", Path: name, Err: &tooLargeError{int64(len(data)), limit}}
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

func isDir(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}

// moduleFile checks a file of the module root that the go command reads
// (go.sum, go.work, vendor/modules.txt) without opening it: present is
// false when there is none, and anything but a regular file is an error.
func (a *analyzer) moduleFile(rel string) (present bool, err *InputError) {
	fi, serr := a.stat(a.root + string(os.PathSeparator) + rel)
	switch {
	case errors.Is(serr, fs.ErrNotExist) || errors.Is(serr, syscall.ENOTDIR):
		return false, nil // (ENOTDIR: "vendor" is a file, so there is no vendor/modules.txt)
	case serr != nil:
		return false, a.fsError("read", serr)
	case !fi.Mode().IsRegular():
		return false, a.fsError("read", &fs.PathError{Op: "read", Path: a.root + string(os.PathSeparator) + rel, Err: &notRegularError{fi.Mode()}})
	}
	return true, nil
}

// fsError turns a failed read into an InputError naming the path.
func (a *analyzer) fsError(op string, err error) *InputError {
	ie := &InputError{Op: op, File: ".", Err: err, Hint: "check that the module directory can be read"}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		ie.File = printablePath(a.rel(pe.Path))
		ie.Err = pe.Err
	}
	var notReg *notRegularError
	var tooLarge *tooLargeError
	switch {
	case errors.Is(err, fs.ErrPermission):
		ie.Hint = "make it readable for the user running dockgen (chmod/chown), or move it out of the module directory: the Docker build context has to read it too"
	case errors.As(err, &notReg):
		ie.Hint = "replace it with a regular file, or remove it: the go command (and the image build) reads it"
	case errors.As(err, &tooLarge) && strings.HasSuffix(ie.File, ".go"):
		ie.Hint = "keep generated data out of Go source: //go:embed a data file instead (dockgen reads Go files up to 16 MiB)"
	case errors.As(err, &tooLarge):
		ie.Hint = "check the file: go.mod and go.sum are small text files (`go mod tidy` rewrites them)"
	}
	return ie
}
