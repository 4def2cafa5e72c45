package analysis

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// analyzer holds the state of one Analyze call.
type analyzer struct {
	root   string        // absolute module root
	dirArg string        // the directory as the user named it, for messages
	ctx    build.Context // for the module's own packages
	depCtx build.Context // for dependencies
	src    *sync.Map     // file contents read by go/build, by absolute path
	fset   *token.FileSet
	env    goEnv
	mod    *modInfo
	pkgs   map[string]*pkg          // by absolute dir; nil for dirs without a package
	byPath map[string]*pkg          // the packages by import path, once all are known (parseAll)
	listed map[string][]fs.DirEntry // the directories walk listed
	order  []*pkg                   // packages in walk order (sorted by dir)
	nested []string                 // roots of nested modules, not part of this module
	// excluded are packages (main, or no Go files at all) with files a
	// build constraint leaves out: where a main file may need a tag.
	excluded []*build.Package
	all      []*pkg       // packages parsed for any main: what the evaluator searches
	names    *moduleNames // what a.all declares (inert.go), when fillBodies made it

	shared  *shared
	funcs   map[*ast.FuncDecl]*funcIndex // per scan worker
	helpers map[*ast.FuncDecl]int        // per scan worker
	steps   int                          // evaluation budget, see maxSteps
	inEval  bool                         // an evaluation is running: nested ones share its budget
	// condMode evaluates for a condition: a field only written under
	// conditions has its zero value by default (cond.go).
	condMode bool
	// condNest counts the default-path checks (deadByDefault) under way:
	// a condition's call evaluates a callee's returns, whose conditions
	// call further; past maxCondNest a branch counts as live (navidrome
	// spent minutes there).
	condNest int
	// visiting are the fields and variables being evaluated, to cut cycles
	// (cfg.Port bound to a flag whose default is cfg.Port).
	visiting map[types.Object]bool
	// within is the closure of the main being analyzed: only writes and
	// calls in these packages count. nil: all packages.
	within map[*pkg]bool
	// mainRel is the directory of that main (config files are looked up
	// beside it too); configUsed collects the config files its values came from.
	reachCache map[reachKey]reachState
	condCache  map[condKey]condVal // runsByDefault's answers (cond.go)
	siteCache  map[siteKey]siteVal // siteContext's answers (reach.go)
	// callerCache holds callers' answers; per worker, like funcs.
	callerCache map[*ast.FuncDecl][]ref
	reachGraphs map[*pkg]*reachGraph            // each main's call graph, as far as explored (reach.go)
	returns     map[resultKey][]*ast.ReturnStmt // returnsOf
	writers     map[*types.Var][]store          // storesWriting (flow.go)
	funcDecls   map[*types.Func]funcRef         // funcDeclOf; nil decl: not the module's
	siteLists   map[*ast.FuncDecl][]callSite    // callSitesOf (index.go)
	uses        map[useKey]useVal               // evalLocal
	recvTypes   map[ast.Expr]recvType           // methodMayBe (reach.go)
	reached     map[ast.Node]bool               // listen sites some main reaches
	analyzed    map[*pkg]bool                   // packages of the mains analyzed
	mainRel     string
	configUsed  *map[string]bool

	in            *inputs               // what this analysis read, for the cache (nil: not recorded)
	repoDeps      map[string]repoResult // cgo decisions by import path, from the repository
	vendorMissing map[string]bool       // modules vendor/ lacks imported packages of
	cacheDeps     map[string]*depInfo   // dependency headers read from the module cache
	missing       map[string]bool       // modules whose source the cache lacks, so a decision is unconfirmed
	cache         string                // module cache dir
	notes         []Warning             // Facts.CacheNotes
}

// shared holds indexes over every parsed package, built once on first use
// and then only read, by all scan workers.
type shared struct {
	calls     map[string][]callSite
	envFields map[string][]envTag

	stores   map[string][]store   // writes by field or variable name (flow.go)
	flags    map[string][]flagDef // flag definitions by flag name (libs.go)
	libCalls []libCall            // viper and koanf calls (config.go)

	binds     map[*types.Var][]fieldBind // library-filled struct fields (tags.go)
	boundPkgs map[string]bool            // packages declaring such fields

	configMu    sync.Mutex
	configFiles map[string]map[string]configEntry // parsed config files by module-relative path

	refs        map[string][]ref // references to module functions (reach.go)
	subcommands map[*ast.CompositeLit]bool
	cmdParents  map[*ast.CompositeLit]*ast.CompositeLit // a subcommand's parent command (modindex.go)
	kongCmds    []kongCmd

	structPkgs   map[*pkg]bool // packages whose structs fieldStruct has
	structMu     sync.Mutex
	fieldStruct  map[*types.Var]*types.Struct
	localStructs sync.Map // *ast.StructType → types.Type
	fieldIdents  sync.Map // *ast.Ident → *types.Var, fields of localStructs
}

// Analyze reads the Go module in dir and returns what a container setup for
// it depends on. It is offline and read-only: it runs no go command and
// touches no network. Problems with the module as a whole (go.mod, an
// unreadable directory, no main package) come back as *InputError; a main
// that cannot be built carries its own in Main.Err, and the others are
// analyzed as usual.
func Analyze(dir string) (facts *Facts, err error) {
	defer func() {
		if r := recover(); r != nil {
			facts, err = nil, internalError(r)
		}
	}()
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, &InputError{Op: "read", File: dir, Err: err, Hint: "pass the module directory"}
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		return nil, &InputError{Op: "read", File: filepath.ToSlash(dir), Err: unwrapPath(err), Hint: "pass the directory of a Go module (the one holding go.mod)"}
	}
	if f := cachedFacts(root, dir); f != nil {
		return f, nil
	}
	defer relaxGC()()
	a := &analyzer{
		root:          root,
		dirArg:        dir,
		ctx:           buildContext(),
		fset:          token.NewFileSet(),
		pkgs:          map[string]*pkg{},
		listed:        map[string][]fs.DirEntry{},
		shared:        &shared{fieldStruct: map[*types.Var]*types.Struct{}, structPkgs: map[*pkg]bool{}, configFiles: map[string]map[string]configEntry{}},
		reached:       map[ast.Node]bool{},
		analyzed:      map[*pkg]bool{},
		src:           &sync.Map{},
		repoDeps:      map[string]repoResult{},
		vendorMissing: map[string]bool{},
		cacheDeps:     map[string]*depInfo{},
		missing:       map[string]bool{},
	}
	a.freshCaches()
	if cacheDir() != "" {
		a.in = newInputs() // recorded only to be stored: with no cache, hashing every input is wasted
	}
	a.env.a = a
	a.ctx.ReadDir, a.ctx.IsDir = a.buildReadDir, a.buildIsDir
	a.depCtx = a.ctx // dependencies: plain reads, nothing kept
	a.depCtx.OpenFile = a.openFile
	a.ctx.OpenFile = a.openSource

	facts = &Facts{Dir: filepath.ToSlash(filepath.Clean(dir))}
	if err := a.readModule(facts); err != nil {
		return nil, err
	}
	// The code is read with the tags the repository builds with.
	tags, tagWarns := a.buildTags()
	if tags != nil {
		facts.BuildTags = tags
		a.ctx.BuildTags = tags.Tags
	}
	if err := a.loadPackages(); err != nil {
		return nil, err
	}
	if need := a.mainConstraintTags(facts.BuildTags); need != nil {
		// func main sits in a file only a tag builds: read the module again
		// with it, as the image build will.
		facts.BuildTags, a.ctx.BuildTags = need, need.Tags
		a.pkgs, a.order, a.nested, a.excluded = map[string]*pkg{}, nil, nil, nil
		if err := a.loadPackages(); err != nil {
			return nil, err
		}
	}
	mains, err := a.mainPackages()
	if err != nil {
		return nil, err
	}

	// Parse every main's closure before scanning any code, so the indexes
	// the evaluator searches are the same whatever main is looked at first.
	// A broken package fails only the mains that import it.
	closures := make([][]*pkg, len(mains))
	missing := make([][]missingImport, len(mains))
	errs := make([]*InputError, len(mains))
	var parsed []*pkg
	seen := map[*pkg]bool{}
	for i, m := range mains {
		closures[i], missing[i], errs[i] = a.closure(m)
		for _, p := range closures[i] {
			if !seen[p] {
				seen[p] = true
				parsed = append(parsed, p)
			}
		}
	}
	sort.Slice(parsed, func(i, j int) bool { return parsed[i].rel < parsed[j].rel })
	a.parseAll(parsed)
	for _, p := range parsed {
		if p.parseErr == nil {
			a.all = append(a.all, p) // only whole packages are scanned and searched
		}
	}
	var warns []Warning
	for i, m := range mains {
		if errs[i] == nil {
			errs[i] = closureError(m, closures[i])
		}
		if errs[i] == nil {
			warns = append(warns, a.missingWarnings(missing[i])...)
		}
	}
	a.typeCheckAll()
	a.indexModule()
	a.scanAll()

	// The mains are analyzed in parallel, each by a worker (whose caches
	// hold answers that depend on their keys alone), and what they add to
	// the module's facts is merged in their order.
	outs := make([]mainOut, len(mains))
	forEach(len(mains), func() func(int) {
		w := a.worker()
		return func(i int) { outs[i] = w.buildMain(mains[i], closures[i], errs[i]) }
	})
	services := map[string]ServiceSource{}
	var noFunc []*pkg
	for i, m := range mains {
		out := &outs[i]
		if !out.ok {
			noFunc = append(noFunc, m)
			continue
		}
		for _, p := range out.analyzed {
			a.analyzed[p] = true
		}
		for _, n := range out.reached {
			a.reached[n] = true
		}
		facts.Embed = append(facts.Embed, out.embed...)
		for name, s := range out.services {
			cur, ok := services[name]
			services[name] = mergeService(cur, ok, s)
		}
		warns = append(warns, out.warns...)
		if out.analyzed != nil {
			// whether it links C code: the dependencies' answers are kept
			// for the next main, and it adds notes, so in main order
			a.mainCgo(&out.mn, out.files)
		}
		facts.Mains = append(facts.Mains, out.mn)
	}
	if len(facts.Mains) == 0 {
		return nil, a.noFuncMainError(noFunc)
	}
	for _, m := range noFunc {
		if len(m.files) > 0 {
			warns = append(warns, Warning{Code: "no-func-main", Source: a.pos(m.files[0].ast.Name.Pos()),
				Message: "package main has no func main, so it builds no binary; dockgen skips it"})
		}
	}
	facts.Embed = sortedUnique(facts.Embed)
	warns = append(warns, a.missingEmbeds()...)
	warns = append(warns, a.embedPlaceholders()...)
	gen, genWarns := a.generated(facts)
	facts.Generate = gen
	warns = append(warns, genWarns...)
	warns = append(warns, a.unreachedListeners(facts)...)
	for _, m := range facts.Mains {
		facts.Cgo = facts.Cgo || m.Cgo
	}
	for name := range services {
		facts.Services = append(facts.Services, name)
	}
	sort.Strings(facts.Services)
	for _, name := range facts.Services {
		facts.ServiceSources = append(facts.ServiceSources, services[name])
	}
	warns = append(warns, a.vendorWarning(facts.ModuleSource)...)
	warns = append(warns, a.containerFiles(facts)...)
	warns = append(warns, tagWarns...)
	facts.Warnings = sortWarnings(warns)
	a.notes = append(a.notes, a.missingNote(facts.ModuleSource)...)
	facts.CacheNotes = sortWarnings(a.notes)
	normalize(facts)
	storeCache(root, dir, a.in, facts)
	return facts, nil
}

// buildContext is the build configuration files are selected for: the
// image's (linux, cgo on so cgo files are seen, not dropped), whatever the
// machine running dockgen has in GOOS, GOARCH, CGO_ENABLED, GOFLAGS or
// GOEXPERIMENT, so the facts do not depend on its environment.
func buildContext() build.Context {
	return build.Context{
		GOOS:        "linux",
		GOARCH:      "amd64",
		CgoEnabled:  true,
		Compiler:    "gc",
		ReleaseTags: build.Default.ReleaseTags, // this Go release's: not from the environment
		ToolTags:    []string{"amd64.v1"},      // the GOAMD64 default
	}
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// closureError is the error that keeps a main from building: its own
// package's first, else the first broken package it imports.
func closureError(m *pkg, ps []*pkg) *InputError {
	if ie := asInputError(m.parseErr); ie != nil {
		return ie
	}
	for _, p := range ps {
		if ie := asInputError(p.parseErr); ie != nil {
			return ie
		}
	}
	return nil
}

func asInputError(err error) *InputError {
	if err == nil {
		return nil
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return ie
	}
	return &InputError{Op: "load", File: ".", Err: err, Hint: "fix the package so `go build` accepts it"}
}

// noFuncMainError is the error when no package main has func main: it
// names the first such package, so the user sees what is missing.
func (a *analyzer) noFuncMainError(noFunc []*pkg) *InputError {
	if len(noFunc) == 0 || len(noFunc[0].files) == 0 {
		return noMainError(a.mod.path)
	}
	pos := a.fset.PositionFor(noFunc[0].files[0].ast.Name.Pos(), false)
	err := errors.New("package main has no func main")
	if len(noFunc) > 1 {
		err = fmt.Errorf("package main has no func main (nor have the other %d package main directories)", len(noFunc)-1)
	}
	return &InputError{Op: "find main packages", File: pos.Filename, Line: pos.Line, Err: err,
		Hint: "add `func main()` to it: only a package main with func main builds a binary"}
}

func noMainError(mod string) *InputError {
	return &InputError{Op: "find main packages", File: ".", Err: fmt.Errorf("no main package in module %s", mod),
		Hint: "dockgen packages binaries: add a `package main` with `func main()`, e.g. cmd/<name>/main.go"}
}

// scanAll scans every parsed file concurrently. Each worker has its own
// caches and evaluation budget; what they share is read-only or built once.
func (a *analyzer) scanAll() {
	var files []*file
	for _, p := range a.all {
		files = append(files, p.files...)
	}
	forEach(len(files), func() func(int) {
		w := a.worker()
		return func(i int) { w.scan(files[i]) }
	})
}

// mainPackages returns the module's main packages, sorted by directory.
func (a *analyzer) mainPackages() ([]*pkg, error) {
	var mains []*pkg
	for _, p := range a.order {
		if p.bp.Name == "main" {
			mains = append(mains, p)
		}
	}
	if len(mains) > 0 {
		return mains, nil
	}
	// A package whose package clause does not parse may be the main one:
	// report its syntax error rather than "no main package".
	for _, p := range a.order {
		if p.bp.Name == "" && p.err != nil {
			if err := a.parse(p); err != nil {
				return nil, err
			}
		}
	}
	return nil, noMainError(a.mod.path)
}

// probeFunc is the function dockgen's health probe file declares. The
// file is found by it, not by its name: users may rename or move it
// within the package.
const probeFunc = "dockgenProbe"

// probeFile returns the main package's file declaring func dockgenProbe.
func probeFile(m *pkg) *file {
	for _, f := range m.files {
		for _, d := range f.ast.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == probeFunc {
				return f
			}
		}
	}
	return nil
}

// mainOut is one main's facts, and what it adds to the module's.
type mainOut struct {
	mn       Main
	ok       bool                     // false: a package main without func main
	files    []*file                  // its code, for mainCgo
	analyzed []*pkg                   // its closure; nil when it cannot build
	reached  []ast.Node               // the listen sites it reaches
	embed    []string                 // //go:embed patterns of its closure
	services map[string]ServiceSource // backing services as it selects them
	warns    []Warning
}

// buildMain puts together one main's facts from its files, but for cgo
// (mainCgo). ok is false for a package main without func main: it builds
// no binary. A main that cannot build (err) gets what could be read: Dir,
// Name and, when its own package parsed, Source.
func (a *analyzer) buildMain(m *pkg, pkgs []*pkg, err *InputError) (out mainOut) {
	mn, ok := a.buildMainFacts(m, pkgs, err, &out)
	out.mn, out.ok = mn, ok
	return out
}

func (a *analyzer) buildMainFacts(m *pkg, pkgs []*pkg, err *InputError, out *mainOut) (Main, bool) {
	warns := &out.warns
	var fnMain *ast.FuncDecl
	for _, f := range m.files {
		for _, d := range f.ast.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" && fnMain == nil {
				fnMain = fd
			}
		}
	}
	mn := Main{Dir: mainDir(m.rel), Name: execName(m.path)}
	if fnMain != nil {
		mn.Source = a.pos(fnMain.Name.Pos())
	}
	if err != nil {
		mn.Err, mn.Error = err, err.Error()
		return mn, true
	}
	if fnMain == nil {
		return Main{}, false
	}

	// dockgen's probe file is not the service's code: what it reads, dials
	// and registers says nothing about the service.
	probe := probeFile(m)
	if probe != nil {
		mn.ProbeFile = probe.rel
	}
	var files []*file
	for _, p := range pkgs {
		for _, f := range p.files {
			if f != probe {
				files = append(files, f)
			}
		}
		for _, pat := range p.bp.EmbedPatterns {
			out.embed = append(out.embed, path.Join(p.rel, strings.TrimPrefix(pat, "all:")))
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })

	// What counts for this binary: code in its closure, reached from main.
	a.within = map[*pkg]bool{}
	for _, p := range pkgs {
		a.within[p] = true
	}
	out.analyzed, out.files = pkgs, files
	used := map[string]bool{}
	a.mainRel, a.configUsed = m.rel, &used
	defer func() { a.within, a.mainRel, a.configUsed = nil, "", nil }()

	envIdx := map[string]int{}
	addEnv := func(ev EnvVar) {
		if i, ok := envIdx[ev.Name]; ok {
			if !mn.Env[i].HasDefault && ev.HasDefault {
				mn.Env[i].Default, mn.Env[i].HasDefault = ev.Default, true
			}
			mn.Env[i].Required = mn.Env[i].Required || ev.Required
			return
		}
		envIdx[ev.Name] = len(mn.Env)
		mn.Env = append(mn.Env, ev)
	}
	needs := map[string]string{}
	tzEmbedded := false
	serves := ""
	learned := map[string]string{}
	learn := func(v sval) {
		for _, p := range v.parts {
			if p.env != "" && p.hasDef {
				if _, ok := learned[p.env]; !ok {
					learned[p.env] = p.def
				}
			}
		}
	}
	best := healthHit{rank: 2 * len(healthPaths)}
	var required []requiredEnv
	var listenEnv []EnvVar
	var secretEnv = map[string]bool{}
	for _, f := range files {
		ff := f.facts
		var sites []listenSite
		for _, s := range ff.listens {
			sites = append(sites, a.expandWrapper(s)...)
		}
		for _, s := range sites {
			var st reachState
			if s.via != nil {
				st = a.reach(m, s.via.f, s.via.fn, s.via.call.Pos())
				if inner := a.reach(m, s.f, s.decl, s.at.Pos()); inner.ok {
					st.cond = st.cond || inner.cond
				}
			} else {
				st = a.reach(m, s.f, s.decl, s.at.Pos())
			}
			if !st.ok {
				continue
			}
			out.reached = append(out.reached, s.at)
			l, v, ws := a.evalListener(s, st)
			learn(v)
			for _, p := range v.parts { // the env vars the address comes from are settings of the program
				if p.env != "" && validEnvName(p.env) {
					src := l.Source
					if p.src != "" {
						src = p.src
					}
					listenEnv = append(listenEnv, EnvVar{Name: p.env, Default: p.def, HasDefault: p.hasDef, Source: src})
				}
			}
			mn.Listeners = append(mn.Listeners, l)
			*warns = append(*warns, ws...)
			mn.DefaultMux = mn.DefaultMux || l.DefaultMux
		}
		for _, r := range ff.longAt {
			if a.reachable(m, r.f, r.decl) {
				mn.LongRunning = true
				if r.serve && serves == "" {
					serves = a.pos(r.pos)
				}
			}
		}
		for _, ev := range ff.env {
			addEnv(ev)
		}
		for _, r := range ff.reads {
			c := evalCtx{f: r.f, fn: r.fn}
			var v sval
			a.top(func() {
				if r.lit != nil {
					v = a.urfaveFlagValue(c, r.lit, 0)
				} else {
					v = a.evalModel(c, r.call, r.row, false, 0)
				}
			})
			learn(v)
			var src string
			if r.lit != nil {
				src = a.pos(r.lit.Pos())
			} else {
				src = a.pos(r.call.Pos())
			}
			for _, p := range v.parts {
				if p.env != "" && validEnvName(p.env) {
					addEnv(EnvVar{Name: p.env, Default: p.def, HasDefault: p.hasDef, Source: src})
				}
			}
			if ch := a.kingpinChainOf(c, r); ch != nil && ch.required || r.lit != nil && urfaveRequired(r.lit) {
				for _, p := range v.parts {
					if p.env != "" {
						required = append(required, requiredEnv{name: p.env, source: src})
					}
				}
			}
		}
		required = append(required, ff.required...)
		for _, h := range ff.health {
			if h.rank < best.rank {
				best = h
			}
		}
		if ff.grpcHealth != "" && !mn.GRPCHealth {
			mn.GRPCHealth, mn.GRPCHealthSource = true, ff.grpcHealth
		}
		mn.DefaultMux = mn.DefaultMux || ff.defaultMux
		tzEmbedded = tzEmbedded || ff.tzEmbedded
		for _, n := range ff.needs {
			if _, ok := needs[n.Need]; !ok {
				needs[n.Need] = n.Source
			}
		}
		*warns = append(*warns, ff.warnings...)
	}
	// Struct fields a library fills from env, with its prefix and rules.
	for _, b := range a.mainBindings() {
		if b.cfgFile != "" {
			used[b.cfgFile] = true
		}
		var v sval
		a.top(func() { v = a.bindVal(b) })
		for _, p := range v.parts {
			if p.env == "" || !validEnvName(p.env) {
				continue
			}
			addEnv(EnvVar{Name: p.env, Default: p.def, HasDefault: p.hasDef, Required: b.required && !p.hasDef, Source: b.src})
			if b.secret {
				secretEnv[p.env] = true
			}
		}
	}
	for _, ev := range listenEnv {
		addEnv(ev)
	}
	// Defaults learned from fallback code (`if p == "" { p = "8080" }`),
	// the first in file order.
	for _, f := range files {
		for name, d := range f.facts.learned {
			if _, ok := learned[name]; !ok {
				learned[name] = d
			}
		}
	}
	writes, writeWarns := a.mainWrites(m, files, learned)
	mn.Writes = writes
	*warns = append(*warns, writeWarns...)
	reads, readWarns := a.mainReads(m, files)
	mn.Reads = reads
	*warns = append(*warns, readWarns...)
	// Backing services as the configuration selects them; the env vars
	// that select them are settings too.
	svcs, svcEnv := a.mainServices(m, files, mn.Env)
	out.services = svcs
	for name, s := range svcs {
		if usesService(s.Selection) {
			mn.Services = append(mn.Services, name)
		}
	}
	sort.Strings(mn.Services)
	for _, ev := range svcEnv {
		addEnv(ev)
	}
	mn.Listeners = rankListeners(mn.Listeners)
	server := serverSubcommand(mn.Listeners)
	for _, r := range required {
		if r.decl != nil {
			if st := a.reach(m, r.f, r.decl, r.pos); !st.ok || st.sub != "" && st.sub != server {
				continue // checked only where the server does not go
			}
		}
		if i, ok := envIdx[r.name]; ok && (!mn.Env[i].HasDefault || mn.Env[i].Default == "") {
			mn.Env[i].Required = true
		}
	}
	for i := range mn.Env {
		ev := &mn.Env[i]
		if d, ok := learned[ev.Name]; ok && !ev.HasDefault {
			ev.Default, ev.HasDefault = d, true
		}
		ev.Secret = secretEnv[ev.Name] || isSecret(ev.Name, ev.Default)
	}
	sort.Slice(mn.Env, func(i, j int) bool { return mn.Env[i].Name < mn.Env[j].Name })
	mn.LongRunning = mn.LongRunning || len(mn.Listeners) > 0
	known := false
	for _, l := range mn.Listeners {
		known = known || l.Port != 0 || l.PortEnv != "" || l.Flag != ""
	}
	if mn.LongRunning && !known && (len(mn.Listeners) > 0 || serves != "") {
		mn.PortGuessed = true
		if len(mn.Listeners) == 0 {
			*warns = append(*warns, Warning{Code: "unknown-port", Source: serves,
				Message: fmt.Sprintf("%s serves on a listener whose address dockgen could not find: it would have to guess the port; tell it with --port", mainDir(m.rel))})
		}
	}
	mn.Commands = a.mainCommands(m, files, mn, server)
	mn.ConfigFiles = sortedKeys(used)
	if best.source != "" {
		mn.HealthPath, mn.HealthSource = best.path, best.source
	}
	if tzEmbedded {
		delete(needs, "tzdata") // the binary carries the zone database
	}
	for n := range needs {
		mn.Needs = append(mn.Needs, n)
	}
	sort.Strings(mn.Needs)
	for _, n := range mn.Needs {
		mn.NeedSources = append(mn.NeedSources, Need{Need: n, Source: needs[n]})
	}
	mn.VersionVar = versionVar(m)
	return mn, true
}

// unreachedListeners warns about listen calls in the mains' code that no
// main reaches: they are not counted, and saying so keeps that visible.
func (a *analyzer) unreachedListeners(facts *Facts) []Warning {
	var out []Warning
	for _, p := range a.all {
		if !a.analyzed[p] {
			continue // only in broken mains' closures
		}
		for _, f := range p.files {
			if f.facts == nil {
				continue
			}
			for _, s := range f.facts.listens {
				if a.reached[s.at] {
					continue
				}
				out = append(out, Warning{Code: "unreachable-listener", Source: a.pos(s.at.Pos()),
					Message: "this listen call is not reached from any main of the module (no call path from main, an init or a package initializer), so it is not counted as a listener"})
			}
		}
	}
	return out
}

func mainDir(rel string) string {
	if rel == "." {
		return "."
	}
	return "./" + rel
}

// execName is the name `go build` gives the binary of the package with
// this import path: its last element, or the one before when the last is a
// major version suffix (example.com/tool/v2 → tool). Case is kept: making
// it a Docker-safe stage name is the plan's decision.
func execName(importPath string) string {
	_, elem := path.Split(importPath)
	if elem != importPath && isVersionElement(elem) {
		_, elem = path.Split(path.Dir(importPath))
	}
	return elem
}

// isVersionElement is the go command's test for a major version suffix:
// v2 and up ("v1" and "v0…" are not).
func isVersionElement(s string) bool {
	if len(s) < 2 || s[0] != 'v' || s[1] == '0' || s[1] == '1' && len(s) == 2 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || '9' < s[i] {
			return false
		}
	}
	return true
}

// versionVar finds a package-level string var that -ldflags -X can set.
// -X cannot override a var initialised by a function call, so only
// uninitialised vars and string literals count.
func versionVar(m *pkg) string {
	for _, f := range m.files {
		for _, d := range f.ast.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					switch n.Name {
					case "version", "Version", "buildVersion":
					default:
						continue
					}
					if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "string" && len(vs.Values) == 0 {
						return n.Name
					}
					if len(vs.Values) == len(vs.Names) {
						if bl, ok := vs.Values[i].(*ast.BasicLit); ok && bl.Kind == token.STRING {
							if vs.Type == nil || isIdent(vs.Type, "string") {
								return n.Name
							}
						}
					}
				}
			}
		}
	}
	return ""
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// pos formats a position as "relpath:line", ignoring //line directives so
// the source always points into the real file.
func (a *analyzer) pos(p token.Pos) string {
	ps := a.fset.PositionFor(p, false)
	return fmt.Sprintf("%s:%d", ps.Filename, ps.Line)
}

func (a *analyzer) rel(abs string) string {
	r, err := filepath.Rel(a.root, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(r)
}

// splitSource splits "file:line" for sorting by file, then line as a number.
func splitSource(s string) (string, int) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, 0
	}
	return s[:i], n
}

func sourceLess(x, y string) bool {
	fx, lx := splitSource(x)
	fy, ly := splitSource(y)
	if fx != fy {
		return fx < fy
	}
	return lx < ly
}

func sortListeners(ls []Listener) []Listener {
	sort.SliceStable(ls, func(i, j int) bool { return sourceLess(ls[i].Source, ls[j].Source) })
	out := ls[:0]
	for i, l := range ls {
		if i > 0 && l == ls[i-1] {
			continue
		}
		out = append(out, l)
	}
	return out
}

// sortWarnings orders by (source, code) and drops repeats: a package used
// by several mains reports its warnings once.
func sortWarnings(ws []Warning) []Warning {
	sort.SliceStable(ws, func(i, j int) bool {
		if ws[i].Source != ws[j].Source {
			return sourceLess(ws[i].Source, ws[j].Source)
		}
		return ws[i].Code < ws[j].Code
	})
	out := []Warning{}
	for i, w := range ws {
		if i > 0 && w.Code == ws[i-1].Code && w.Source == ws[i-1].Source {
			continue
		}
		out = append(out, w)
	}
	return out
}

// normalize makes every list non-nil, so JSON has [] rather than null.
func normalize(f *Facts) {
	validStrings(reflect.ValueOf(f).Elem())
	nonNil := func(s *[]string) {
		if *s == nil {
			*s = []string{}
		}
	}
	nonNil(&f.Embed)
	nonNil(&f.ReplaceDirs)
	nonNil(&f.PrivateModules)
	nonNil(&f.Services)
	if f.Warnings == nil {
		f.Warnings = []Warning{}
	}
	for i := range f.Mains {
		m := &f.Mains[i]
		nonNil(&m.Needs)
		if m.Listeners == nil {
			m.Listeners = []Listener{}
		}
		if m.Env == nil {
			m.Env = []EnvVar{}
		}
	}
}

// validStrings replaces the invalid UTF-8 in every string of v (file
// names, literals and go.mod lines can hold any bytes) as encoding/json
// does, so facts read back from the cache are the facts analysed.
func validStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) && v.CanSet() {
			v.SetString(strings.ToValidUTF8(s, "\uFFFD"))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			validStrings(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				validStrings(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			validStrings(v.Index(i))
		}
	}
}

// missingEmbeds warns about //go:embed patterns that match nothing on disk:
// go build fails on them, typically because the assets are generated (a
// frontend build) and not committed, so the image build would fail too.
func (a *analyzer) missingEmbeds() []Warning {
	var out []Warning
	for _, p := range a.all {
		if p.bp == nil {
			continue
		}
		for _, pat := range p.bp.EmbedPatterns {
			glob := strings.TrimPrefix(pat, "all:")
			src := path.Join(p.rel, glob)
			if pos := p.bp.EmbedPatternPos[pat]; len(pos) > 0 {
				src = fmt.Sprintf("%s:%d", a.rel(pos[0].Filename), pos[0].Line)
			}
			m, err := a.glob(filepath.Join(p.dir, filepath.FromSlash(glob)))
			if err != nil {
				continue
			}
			if len(m) == 0 {
				out = append(out, Warning{Code: "embed-missing", Source: src,
					Message: fmt.Sprintf("//go:embed %s matches no files, so go build (and the image build) fails: generate or commit them before `docker build`, or add a stage that builds them", glob)})
			}
			// go build refuses to embed a named match that is not a regular
			// file or directory (a pipe, a device, a symlink); dockgen never
			// reads it.
			for _, name := range m {
				if fi, err := a.lstat(name); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
					kind := (&notRegularError{fi.Mode()}).Error()
					if fi.Mode()&fs.ModeSymlink != 0 {
						kind = "a symlink"
					}
					out = append(out, Warning{Code: "embed-irregular", Source: src,
						Message: fmt.Sprintf("//go:embed %s matches %s, which is %s: go build fails (\"cannot embed irregular file\"); embed a regular file instead", glob, a.rel(name), kind)})
					break
				}
			}
		}
	}
	return out
}
