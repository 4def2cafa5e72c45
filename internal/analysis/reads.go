package analysis

import (
	"fmt"
	"go/ast"
	"path"
	"path/filepath"
	"slices"
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
	"github.com/pressly/goose/v3.Up": {arg: 1, dir: true, baseFS: true}, "github.com/pressly/goose.Up": {arg: 1, dir: true, baseFS: true},
	"github.com/spf13/viper.SetConfigFile": {arg: 0}, "github.com/knadh/koanf/providers/file.Provider": {arg: 0},
	"github.com/gofiber/fiber/v3/middleware/static.New": {arg: 0, dir: true},
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
	// baseFS: the path is in the file system goose.SetBaseFS gives
	// (an embed.FS) when the code sets one, not on disk.
	baseFS bool
}

// readCall is a call that reads a path at run time, found in a file; the
// path is worked out for each main that reaches the call (mainReads),
// since it may come through a parameter or a setting's default.
type readCall struct {
	f    *file
	fn   *ast.FuncDecl
	decl ast.Decl
	call *ast.CallExpr
	r    readArg
}

// scanRead records a call that reads a path the program expects at run
// time.
func (a *analyzer) scanRead(ff *fileFacts, c evalCtx, call *ast.CallExpr, r readArg) {
	ff.readCalls = append(ff.readCalls, readCall{f: c.f, fn: c.fn, decl: c.decl, call: call, r: r})
}

// mainReads works out the paths the main being analyzed reads at run
// time with its default configuration, relative to its working
// directory: the image must carry them where the code looks. A path is evaluated like a listen address: through
// parameters to the call sites, and to the default of the flag or env var
// it comes from (--config.file's blackbox.yml), which the Read names. A
// path in the home directory (~/app.conf) or an absolute one that a
// setting gives cannot be copied from the repository: a warning names
// the setting to change or the file to mount.
func (a *analyzer) mainReads(m *pkg, files []*file) ([]Read, []Warning) {
	var reads []Read
	var warns []Warning
	paths := map[ast.Decl]selResult{}
	baseFS := false
	for _, f := range files {
		baseFS = baseFS || f.facts.baseFS
	}
	for _, f := range files {
		for _, rc := range f.facts.readCalls {
			// Only what the program reads when it runs with its defaults:
			// not a test helper, not the branch of a setting left unset
			// (a storage backend the user has to choose).
			if a.useSelection(m, rc.f, rc.decl, rc.call.Pos(), paths).sel < selDefault {
				continue
			}
			if rc.r.baseFS && baseFS {
				continue
			}
			last := rc.r.arg
			if rc.r.all {
				last = len(rc.call.Args) - 1
			}
			for i := rc.r.arg; i <= last && i < len(rc.call.Args); i++ {
				for _, v := range a.readValues(m, rc, rc.call.Args[i]) {
					rd, w, ok := a.readPath(rc, v)
					if w != nil && !slices.Contains(warns, *w) {
						warns = append(warns, *w)
					}
					if ok && !slices.ContainsFunc(reads, func(x Read) bool { return x.Path == rd.Path }) {
						rd.Exists, rd.Sample = a.readExists(rd)
						reads = append(reads, rd)
					}
				}
			}
		}
	}
	return reads, warns
}

// readValues evaluates a path argument. When it comes from a parameter of
// the function around the read (a loader given the path), each call of
// that function that main reaches gives its own: one loader may read the
// config file and a per-user file.
func (a *analyzer) readValues(m *pkg, rc readCall, e ast.Expr) []sval {
	c := evalCtx{f: rc.f, fn: rc.fn, decl: rc.decl}
	var v sval
	a.top(func() { v = a.valueNoParams(c, e) })
	if _, ok := v.render(); ok || rc.fn == nil || rc.fn.Type.Params.NumFields() == 0 {
		a.top(func() { v = a.value(c, e) })
		return []sval{v}
	}
	var calls []callSite
	for _, cs := range a.callSitesOf(rc.f, rc.fn) {
		if len(cs.call.Args) != rc.fn.Type.Params.NumFields() || !a.inScope(cs.f) {
			continue
		}
		decl := ast.Decl(cs.fn)
		if cs.fn == nil {
			decl = declAt(cs.f, cs.call.Pos())
		}
		if a.reachable(m, cs.f, decl) {
			calls = append(calls, cs)
			if len(calls) > 8 {
				break // too many to follow each: evaluated once below
			}
		}
	}
	if len(calls) == 0 || len(calls) > 8 {
		a.top(func() { v = a.value(c, e) })
		return []sval{v}
	}
	out := make([]sval, 0, len(calls))
	for _, cs := range calls {
		cc := c
		cc.args, cc.argCtx = cs.call.Args, &evalCtx{f: cs.f, fn: cs.fn, decl: declAt(cs.f, cs.call.Pos())}
		a.top(func() { v = a.value(cc, e) })
		out = append(out, v)
	}
	return out
}

// readPath turns one evaluated path of a read call into a Read, or a
// warning when the repository cannot supply it.
func (a *analyzer) readPath(rc readCall, v sval) (Read, *Warning, bool) {
	p, ok := v.render()
	if !ok {
		return Read{}, nil, false
	}
	rd := Read{Dir: rc.r.dir, Glob: rc.r.glob, Source: a.pos(rc.call.Pos())}
	for _, pt := range v.parts {
		if pt.cfg() {
			rd.Env, rd.Flag, rd.DefaultSource = pt.env, pt.flag, pt.src
			break
		}
	}
	p = strings.TrimPrefix(p, "file://")
	if p == "" || strings.ContainsAny(p, "\x00\n") {
		return Read{}, nil, false
	}
	setting := ""
	switch {
	case rd.Flag != "":
		setting = "--" + rd.Flag
	case rd.Env != "":
		setting = "$" + rd.Env
	}
	where := ""
	if setting != "" {
		where = " (the default of " + setting
		if rd.DefaultSource != "" {
			where += ", " + rd.DefaultSource
		}
		where += ")"
	}
	switch {
	case p == "~" || strings.HasPrefix(p, "~/"):
		fix := "mount the file at that path in compose"
		if setting != "" {
			fix = "point " + setting + " at a path in the image (the working directory), or mount the file there in compose"
		}
		return Read{}, &Warning{Code: "read-home-path", Source: rd.Source, Message: fmt.Sprintf(
			"reads %s%s: ~ is the home directory of the user running the program, which the image does not fill from the repository; %s", p, where, fix)}, false
	case path.IsAbs(p):
		if setting == "" {
			return Read{}, nil, false // a system file (/etc/...): not the repository's
		}
		return Read{}, &Warning{Code: "read-absolute-path", Source: rd.Source, Message: fmt.Sprintf(
			"reads %s%s, an absolute path dockgen cannot copy from the repository: point %s at a path in the image (the working directory), or mount the file at %s in compose", p, where, setting, p)}, false
	case strings.Contains(p, ".."):
		return Read{}, nil, false
	}
	p = path.Clean(p)
	if p == "." {
		return Read{}, nil, false
	}
	rd.Path = p
	return rd, nil, true
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
