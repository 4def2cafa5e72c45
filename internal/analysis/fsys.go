package analysis

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

// Every read of the user's module goes through these, so tests can simulate
// errors that a test running as root cannot produce with chmod.
var (
	readDir  = os.ReadDir
	readFile = os.ReadFile
	openFile = func(name string) (io.ReadCloser, error) { return os.Open(name) }
)

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

func isDir(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}

// fsError turns a failed read into an InputError naming the path.
func (a *analyzer) fsError(op string, err error) *InputError {
	ie := &InputError{Op: op, File: ".", Err: err, Hint: "check that the module directory can be read"}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		ie.File = a.rel(pe.Path)
		ie.Err = pe.Err
	}
	if errors.Is(err, fs.ErrPermission) {
		ie.Hint = "make it readable for the user running dockgen (chmod/chown), or move it out of the module directory: the Docker build context has to read it too"
	}
	return ie
}
