package analysis

import (
	"go/ast"
	"path"
	"path/filepath"
	"strings"
)

// readFuncs are the package functions that read a file or directory the
// program expects at run time, with the argument holding its path; Dir
// marks a directory, Glob a pattern.
var readFuncs = map[string]readArg{
	"os.Open": {arg: 0}, "os.ReadFile": {arg: 0}, "io/ioutil.ReadFile": {arg: 0}, "os.ReadDir": {arg: 0, dir: true},
	"io/ioutil.ReadDir": {arg: 0, dir: true}, "os.DirFS": {arg: 0, dir: true},
	"html/template.ParseFiles": {arg: 0, all: true}, "text/template.ParseFiles": {arg: 0, all: true},
	"html/template.ParseGlob": {arg: 0, glob: true}, "text/template.ParseGlob": {arg: 0, glob: true},
	"net/http.Dir": {arg: 0, dir: true}, "net/http.ServeFile": {arg: 2},
	"github.com/BurntSushi/toml.DecodeFile": {arg: 0}, "github.com/ilyakaznacheev/cleanenv.ReadConfig": {arg: 0},
	"github.com/pressly/goose/v3.Up": {arg: 1, dir: true}, "github.com/pressly/goose.Up": {arg: 1, dir: true},
	"github.com/spf13/viper.SetConfigFile": {arg: 0}, "github.com/knadh/koanf/providers/file.Provider": {arg: 0},
}

// readMethods are methods of the web frameworks that read files at start-up
// (the file must import the framework): gin's LoadHTMLGlob/LoadHTMLFiles/
// Static/StaticFile, echo's and fiber's Static, template's ParseGlob.
var readMethods = map[string]readArg{
	"LoadHTMLGlob": {arg: 0, glob: true}, "LoadHTMLFiles": {arg: 0, all: true},
	"Static": {arg: 1, dir: true}, "StaticFile": {arg: 1}, "File": {arg: 1},
	"ParseGlob": {arg: 0, glob: true}, "ParseFiles": {arg: 0, all: true},
}

// readMethodPkgs are the imports that make a method name in readMethods
// mean a file read.
var readMethodPkgs = []string{ginPath, echoPath, fiberPath, "html/template", "text/template"}

type readArg struct {
	arg            int
	dir, glob, all bool // a directory; a glob; every argument from arg on
}

// scanRead records a path the program reads at run time, when it is a
// literal path inside the module: the image must carry it where the code
// looks (relative to the working directory).
func (a *analyzer) scanRead(ff *fileFacts, c evalCtx, call *ast.CallExpr, r readArg) {
	last := r.arg
	if r.all {
		last = len(call.Args) - 1
	}
	for i := r.arg; i <= last && i < len(call.Args); i++ {
		v := a.valueNoParams(c, call.Args[i])
		p, ok := v.known()
		if !ok && len(v.parts) == 1 && v.parts[0].hasDef { // os.Getenv with a default
			p, ok = v.parts[0].def, true
		}
		p = strings.TrimPrefix(p, "file://")
		if !ok || p == "" || path.IsAbs(p) || strings.Contains(p, "..") || strings.ContainsAny(p, "\x00\n") {
			continue
		}
		p = path.Clean(p)
		if p == "." {
			continue
		}
		ff.runtimeReads = append(ff.runtimeReads, Read{Path: p, Dir: r.dir, Glob: r.glob, Source: a.pos(call.Pos())})
	}
}

// readExists tells whether a read path is in the repository (relative to
// the module root, where `go run .` and the image's WORKDIR look), and for
// a missing file the sample beside it (config.sample.yaml for config.yaml).
func (a *analyzer) readExists(r Read) (bool, string) {
	full := filepath.Join(a.root, filepath.FromSlash(r.Path))
	if r.Glob {
		m, err := a.glob(full)
		return err == nil && len(m) > 0, ""
	}
	if fi, err := a.stat(full); err == nil && (fi.Mode().IsRegular() || fi.IsDir()) {
		return true, ""
	}
	ext := path.Ext(r.Path)
	base := strings.TrimSuffix(r.Path, ext)
	for _, s := range []string{base + ".sample" + ext, base + ".example" + ext, base + ".dist" + ext, base + ".default" + ext, r.Path + ".sample", r.Path + ".example", r.Path + ".dist"} {
		if fi, err := a.stat(filepath.Join(a.root, filepath.FromSlash(s))); err == nil && fi.Mode().IsRegular() {
			return false, s
		}
	}
	return false, ""
}
