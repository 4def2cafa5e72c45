package analysis

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/scanner"
	"go/types"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/mod/module"
)

// pkg is one package directory of the analyzed module.
type pkg struct {
	dir   string // absolute
	rel   string // slash-separated, relative to the module root; "." for the root
	path  string // import path
	bp    *build.Package
	err   error // from go/build; reported only when a main needs the package
	files []*file
	// parsed is set once the files were parsed (successfully or not).
	parsed   bool
	parseErr error
	idxOnce  sync.Once
	idx      *pkgIndex
	// Type information (typecheck.go), on demand: use typesOf and infoOf.
	typeOnce sync.Once
	info     *types.Info
	types    *types.Package
	topo     int // position in dependency order
	// decls are its package-level names (declsOf).
	decls map[string]bool
}

// file is one parsed Go file with what is needed to resolve names in it.
type file struct {
	rel   string // slash-separated path relative to the module root
	pkg   *pkg
	ast   *ast.File
	names map[string]string // local package name → import path
	facts *fileFacts        // computed once, shared by every main using the file
	inert []bool            // by declaration: skipped by the index and the scan (inert.go); nil: none
	// The functions, methods, fields and variables it declares (inert.go).
	funcNames, storeNames []string
	// While the module is parsed (lazy.go): its source, and the functions
	// whose bodies are still blank.
	src  []byte
	lazy []lazyBody
	// blank are the declarations whose bodies were never parsed (lazy.go);
	// nil: none.
	blank []bool
	// sigs are blank functions whose signatures are not parsed yet
	// (fillSigs).
	sigs []blankSig
}

// pkgOf returns the import path x names when x is a package name, else "".
func (f *file) pkgOf(x ast.Expr) string {
	if id, ok := x.(*ast.Ident); ok {
		return f.names[id.Name]
	}
	return ""
}

// imports reports whether the file imports a package under prefix.
func (f *file) imports(prefix string) bool {
	for _, p := range f.names {
		if hasPathPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// loadPackages finds every package directory of the module and reads
// their headers with go/build, concurrently.
func (a *analyzer) loadPackages() error {
	var dirs []string
	if err := a.walk(a.root, &dirs); err != nil {
		return err
	}
	bps := make([]*build.Package, len(dirs))
	errs := make([]error, len(dirs))
	forEach(len(dirs), func() func(int) {
		return func(i int) { bps[i], errs[i] = a.ctx.ImportDir(dirs[i], 0) }
	})
	for i, d := range dirs {
		if _, err := a.addPkg(d, bps[i], errs[i]); err != nil {
			return err
		}
	}
	return nil
}

// walk lists package directories the way `./...` does: it skips vendor/,
// testdata/, dirs starting with "." or "_" and nested modules.
func (a *analyzer) walk(dir string, pkgDirs *[]string) error {
	entries, err := a.readDir(dir)
	if err != nil {
		return a.fsError("read", err)
	}
	a.listed[dir] = entries
	hasGo := false
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		if name == "go.mod" && dir != a.root {
			a.nested = append(a.nested, dir)
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			hasGo = true
		}
	}
	if hasGo {
		*pkgDirs = append(*pkgDirs, dir)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		if err := a.walk(filepath.Join(dir, name), pkgDirs); err != nil {
			return err
		}
	}
	return nil
}

// importDir reads a module directory's package header with go/build. It
// returns nil when the directory holds no Go package for linux/amd64.
func (a *analyzer) importDir(dir string) (*pkg, error) {
	if p, ok := a.pkgs[dir]; ok {
		return p, nil
	}
	bp, err := a.ctx.ImportDir(dir, 0)
	return a.addPkg(dir, bp, err)
}

func (a *analyzer) addPkg(dir string, bp *build.Package, err error) (*pkg, error) {
	if errors.Is(err, fs.ErrPermission) && (bp == nil || len(bp.InvalidGoFiles) == 0) {
		return nil, a.fsError("read", err) // the directory itself: the build context cannot read it
	}
	var noGo *build.NoGoError
	if bp != nil && len(bp.IgnoredGoFiles) > 0 && (bp.Name == "main" || errors.As(err, &noGo)) {
		a.excluded = append(a.excluded, bp)
	}
	if errors.As(err, &noGo) || bp == nil {
		a.pkgs[dir] = nil
		return nil, nil
	}
	rel := a.rel(dir)
	p := &pkg{dir: dir, rel: rel, bp: bp, err: err, path: a.mod.path}
	if rel != "." {
		p.path = a.mod.path + "/" + rel
	}
	a.pkgs[dir] = p
	a.order = append(a.order, p)
	return p, nil
}

// openSource is go/build's OpenFile: it keeps what it reads of .go files so
// parse does not read them again.
func (a *analyzer) openSource(name string) (io.ReadCloser, error) {
	if !strings.HasSuffix(name, ".go") {
		return a.openFile(name)
	}
	data, err := a.readFile(name, maxGoFile)
	if err != nil {
		return nil, err
	}
	a.src.Store(name, data)
	return io.NopCloser(bytes.NewReader(data)), nil
}

// forEach runs fn(i) for every i in [0, n) on GOMAXPROCS goroutines. worker
// is called once per goroutine to make its fn, so each can keep own state.
// A panic in fn is raised again in the caller's goroutine, where Analyze
// turns it into an error, instead of ending the process.
func forEach(n int, worker func() func(int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed sync.Once
	var crash *workerPanic
	for range min(runtime.GOMAXPROCS(0), n) {
		fn := worker()
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					failed.Do(func() { crash = &workerPanic{r, debug.Stack()} })
					next.Store(int64(n)) // the others stop too
				}
			}()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
	if crash != nil {
		panic(crash)
	}
}

// localDir maps an import path of the module to its directory, or "" when
// the path is outside the module or inside a nested module.
func (a *analyzer) localDir(importPath string) string {
	if !hasPathPrefix(importPath, a.mod.path) {
		return ""
	}
	dir := filepath.Join(a.root, filepath.FromSlash(strings.TrimPrefix(importPath, a.mod.path)))
	for _, n := range a.nested {
		if dir == n || strings.HasPrefix(dir, n+string(filepath.Separator)) {
			return ""
		}
	}
	return dir
}

// localPkg returns the parsed module package for an import path, or nil.
func (a *analyzer) localPkg(importPath string) *pkg {
	var p *pkg
	if a.byPath != nil {
		p = a.byPath[importPath]
	} else if dir := a.localDir(importPath); dir != "" {
		p = a.pkgs[dir]
	}
	if p == nil || !p.parsed || p.parseErr != nil {
		return nil
	}
	return p
}

// parse parses the package's files once, whole.
func (a *analyzer) parse(p *pkg) error {
	return a.parseFiles(p, false)
}

// parseFiles parses the package's files once; lazy leaves function bodies
// blank for fillBodies (lazy.go).
func (a *analyzer) parseFiles(p *pkg, lazy bool) error {
	if p.parsed {
		return p.parseErr
	}
	p.parsed = true
	names := append(append([]string{}, p.bp.GoFiles...), p.bp.CgoFiles...)
	if p.err != nil {
		// Files go/build could not read are listed here; parsing them gives
		// the precise syntax error. Test files are not part of the build.
		for _, n := range p.bp.InvalidGoFiles {
			if !strings.HasSuffix(n, "_test.go") {
				names = append(names, n)
			}
		}
	}
	names = sortedUnique(names)
	for _, name := range names {
		abs := filepath.Join(p.dir, name)
		rel := a.rel(abs)
		var src []byte
		var err error
		if cached, ok := a.src.LoadAndDelete(abs); ok {
			src = cached.([]byte)
		} else if src, err = a.readFile(abs, maxGoFile); err != nil {
			p.parseErr = a.fsError("read", err)
			return p.parseErr
		}
		var af *ast.File
		var blank []lazyBody
		ok := false
		if lazy {
			af, blank, ok = a.parseLazy(rel, src)
		}
		if !ok {
			if af, err = parser.ParseFile(a.fset, rel, src, parser.SkipObjectResolution); err != nil {
				p.parseErr = syntaxError(rel, src, err)
				return p.parseErr
			}
		}
		f := a.newFile(p, rel, af)
		if lazy {
			f.src, f.lazy = src, blank
		}
		f.funcNames, f.storeNames = declaredNames(f) // while the tree is fresh in the cache
		p.files = append(p.files, f)
	}
	if p.err != nil && badNonTest(p.bp) {
		p.parseErr = a.loadError(p)
	}
	return p.parseErr
}

func badNonTest(bp *build.Package) bool {
	for _, n := range bp.InvalidGoFiles {
		if !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}

// loadError reports a go/build failure that is not a syntax error.
func (a *analyzer) loadError(p *pkg) *InputError {
	ie := &InputError{Op: "load", File: p.rel, Err: p.err,
		Hint: "fix the package so `go build` accepts it; the image build runs go build too"}
	var mp *build.MultiplePackageError
	if errors.As(p.err, &mp) && len(mp.Files) == 2 {
		ie.File = path.Join(p.rel, mp.Files[1])
		ie.Err = fmt.Errorf("found package %s (%s) and %s (%s) in one directory", mp.Packages[0], mp.Files[0], mp.Packages[1], mp.Files[1])
		ie.Hint = "keep one package per directory; a file that is not part of the build needs a `//go:build ignore` line"
	}
	return ie
}

// syntaxError converts a parser error to an InputError at the first error.
// The line is computed from the byte offset so //line directives cannot move it.
func syntaxError(rel string, src []byte, err error) *InputError {
	ie := &InputError{Op: "parse", File: rel, Err: err,
		Hint: "fix the syntax error: `go build` fails on it too, so the image build would"}
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		list.Sort()
		e := list[0]
		ie.Err = errors.New(e.Msg)
		ie.Line = lineAt(src, e.Pos.Offset)
	}
	return ie
}

func lineAt(src []byte, off int) int {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	n := 1
	for _, c := range src[:off] {
		if c == '\n' {
			n++
		}
	}
	return n
}

func (a *analyzer) newFile(p *pkg, rel string, af *ast.File) *file {
	f := &file{rel: rel, pkg: p, ast: af, names: map[string]string{}}
	for _, is := range af.Imports {
		ip, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			continue
		}
		name := ""
		if is.Name != nil {
			name = is.Name.Name
		} else {
			name = a.packageName(ip)
		}
		if name == "_" || name == "." || name == "" {
			continue
		}
		f.names[name] = ip
	}
	return f
}

// packageName is the name an import is used by when not renamed: the real
// one for module packages, else a guess from the path that holds for the
// packages dockgen looks at ("github.com/labstack/echo/v4" → "echo").
func (a *analyzer) packageName(importPath string) string {
	if dir := a.localDir(importPath); dir != "" {
		if p := a.pkgs[dir]; p != nil {
			return p.bp.Name
		}
	}
	return guessName(importPath)
}

// guessName is the name a package outside the module is probably used by.
func guessName(importPath string) string {
	elems := strings.Split(importPath, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && isMajorVersion(last) {
		last = elems[len(elems)-2]
	}
	if i := strings.Index(last, ".v"); i > 0 && strings.HasPrefix(importPath, "gopkg.in/") {
		last = last[:i]
	}
	last = strings.TrimPrefix(last, "go-")
	last = strings.TrimSuffix(strings.TrimSuffix(last, "-go"), ".go")
	return last
}

func isMajorVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	_, err := strconv.Atoi(s[1:])
	return err == nil
}

// hasPathPrefix reports whether p is prefix or below it, by path elements.
func hasPathPrefix(p, prefix string) bool {
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// missingImport is a module import path with no package behind it.
type missingImport struct {
	from *pkg
	path string
}

// closure returns main package m and every module package it imports,
// directly or not, from the import lists go/build read; nothing is parsed
// yet. A package that cannot be read stops only this main: err.
func (a *analyzer) closure(m *pkg) (out []*pkg, missing []missingImport, err *InputError) {
	seen := map[*pkg]bool{m: true}
	out = []*pkg{m}
	for i := 0; i < len(out); i++ {
		p := out[i]
		if perr := module.CheckImportPath(p.path); perr != nil && err == nil {
			err = &InputError{Op: "check package path", File: printablePath(p.rel), Err: perr,
				Hint: "rename the directory: the go command accepts only ASCII letters, digits and - . _ ~ + in package directory names, so `go build` rejects this package"}
		}
		for _, ip := range p.bp.Imports {
			dir := a.localDir(ip)
			if dir == "" {
				continue
			}
			q, qerr := a.importDir(dir)
			if qerr != nil {
				if err == nil {
					err = asInputError(qerr)
				}
				continue
			}
			if q == nil {
				missing = append(missing, missingImport{p, ip})
				continue
			}
			if !seen[q] {
				seen[q] = true
				out = append(out, q)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out, missing, err
}

// printablePath quotes a path that would not print as itself (a newline,
// invalid UTF-8), so an error message naming it stays readable.
func printablePath(p string) string {
	if strconv.CanBackquote(p) {
		return p
	}
	return strconv.Quote(p)
}

// parseAll parses packages concurrently: parsing is most of the work, and
// packages are independent (token.FileSet is safe for concurrent use).
func (a *analyzer) parseAll(ps []*pkg) {
	// Every package is known now: look them up by import path from here on
	// (localPkg is asked for every package-qualified name).
	a.byPath = map[string]*pkg{}
	for _, p := range a.pkgs {
		if p != nil {
			a.byPath[p.path] = p
		}
	}
	forEach(len(ps), func() func(int) {
		return func(i int) {
			if a.parseFiles(ps[i], lazyBodies) == nil {
				a.declsOf(ps[i]) // here, in parallel, not when fillBodies first asks
			}
		}
	})
	if lazyBodies {
		a.fillBodies(ps)
	}
}

// missingWarnings reports imports of module packages that have no Go files,
// at the import line.
func (a *analyzer) missingWarnings(ms []missingImport) []Warning {
	var out []Warning
	for _, m := range ms {
		for _, f := range m.from.files {
			for _, is := range f.ast.Imports {
				if ip, err := strconv.Unquote(is.Path.Value); err == nil && ip == m.path {
					out = append(out, Warning{Code: "missing-package", Source: a.pos(is.Pos()),
						Message: fmt.Sprintf("imports %s, but %s has no Go files for linux/amd64 (generated code that is not committed?): the image build fails unless it is generated first", ip, a.rel(a.localDir(ip)))})
				}
			}
		}
	}
	return out
}
