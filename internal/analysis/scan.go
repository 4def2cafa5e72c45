package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// fileFacts is what one file contributes. It depends only on the file and
// the packages parsed for all mains, so it is computed once per file.
type fileFacts struct {
	listens    []listenSite
	reads      []readSite // config reads whose env names depend on the main
	env        []EnvVar
	learned    map[string]string // env defaults seen in fallbacks, first wins
	health     []healthHit
	defaultMux bool
	needs      []Need
	tzEmbedded bool            // imports time/tzdata
	svcImports []svcImport     // imports of backing services' clients and drivers
	svcUses    []svcSite       // calls into them (services.go)
	imports    []importSite    // non-std imports from outside the module
	cgo        string          // source of import "C"
	longAt     []siteRef       // what makes a program long-running (Serve, select {}, a wait for a signal)
	migrations []migrationSite // calls that migrate a schema (commands.go)
	baseFS     bool            // goose.SetBaseFS(fsys): migrations come from fsys, not the disk
	grpcHealth string          // source of grpc_health_v1.RegisterHealthServer
	required   []requiredEnv
	warnings   []Warning
	writeCalls []writeCall // calls that write files (writes.go)
	// readCalls read files at run time (templates, static assets,
	// config files; reads.go); reads are configuration reads through
	// libraries.
	readCalls []readCall
}

// migrationSite is a call that migrates a database schema, through the
// library lib.
type migrationSite struct {
	siteRef
	lib string
}

// readSite is a call or literal that reads configuration through a
// library (viper.GetString, a kingpin flag with .Envar, an urfave flag
// struct): the env var it means is worked out per main.
type readSite struct {
	f    *file
	fn   *ast.FuncDecl
	call *ast.CallExpr
	lit  *ast.CompositeLit
	row  *model
}

// requiredEnv is an env var the code fails without.
type requiredEnv struct {
	name   string
	source string
	// where the check is (nil decl: a flag's own Required): a check only
	// another subcommand runs (`ntfy user add`) does not bind the server
	f    *file
	decl ast.Decl
	pos  token.Pos
}

type importSite struct {
	path   string
	source string
}

type healthHit struct {
	path   string
	source string
	rank   int
}

func (ff *fileFacts) learn(v sval) {
	for _, p := range v.parts {
		if p.env != "" && p.hasDef {
			if _, ok := ff.learned[p.env]; !ok {
				ff.learned[p.env] = p.def
			}
		}
	}
}

func (ff *fileFacts) need(need, source string) {
	ff.needs = append(ff.needs, Need{Need: need, Source: source})
}

func (ff *fileFacts) warn(code, source, msg string) {
	ff.warnings = append(ff.warnings, Warning{Code: code, Source: source, Message: msg})
}

// scan walks a file once and collects everything dockgen looks for.
func (a *analyzer) scan(f *file) *fileFacts {
	if f.facts != nil {
		return f.facts
	}
	ff := &fileFacts{learned: map[string]string{}}
	f.facts = ff
	a.scanImports(f, ff)
	a.scanServiceUses(ff, f)
	var stack []ast.Node // the nodes enclosing the one visited
	signals := f.imports("os/signal")
	for i, d := range f.ast.Decls {
		if f.isInert(i) {
			continue
		}
		fn, _ := d.(*ast.FuncDecl)
		c := evalCtx{f: f, fn: fn, decl: d}
		readsEnv := false
		var ifs []*ast.IfStmt
		var switches []*ast.SwitchStmt
		stack = stack[:0]
		ast.Inspect(d, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			switch n := n.(type) {
			case *ast.CallExpr:
				if a.scanCall(ff, c, n, stack) {
					readsEnv = true
				}
			case *ast.CompositeLit:
				a.scanComposite(ff, c, n)
			case *ast.SelectorExpr:
				if f.pkgOf(n.X) == "net/http" && n.Sel.Name == "DefaultClient" {
					ff.need("ca-certificates", a.pos(n.Pos()))
				}
			case *ast.SelectStmt:
				if len(n.Body.List) == 0 { // select {}: blocks forever
					ff.longAt = append(ff.longAt, siteRef{f, d, n.Pos(), false})
				}
			case *ast.StructType:
				a.scanStruct(ff, f, n)
			case *ast.IfStmt:
				a.scanDotenv(ff, f, n, stack)
				ifs = append(ifs, n)
			case *ast.SwitchStmt:
				switches = append(switches, n)
			}
			return true
		})
		if signals {
			a.scanSignalWait(ff, f, d)
		}
		if readsEnv && fn != nil {
			a.learnDefaults(ff, c)
			// `if v == "" { log.Fatal(...) }` matters only where env is read.
			for _, n := range ifs {
				a.scanRequired(ff, c, n)
			}
			for _, n := range switches {
				a.scanRequiredSwitch(ff, c, n)
			}
		}
	}
	return ff
}

// learnDefaults evaluates every local variable of a function that reads env
// vars at its end, to learn the defaults of fallback patterns.
func (a *analyzer) learnDefaults(ff *fileFacts, c evalCtx) {
	fi := a.funcIndex(c.f, c.fn)
	names := make([]string, 0, len(fi.assigns))
	for n := range fi.assigns {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a.top(func() {
			if v, ok := a.evalLocal(c, fi, n, c.fn.End(), 0); ok {
				ff.learn(v)
			}
		})
	}
}

func (a *analyzer) scanImports(f *file, ff *fileFacts) {
	for _, is := range f.ast.Imports {
		ip, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			continue
		}
		switch ip {
		case "C":
			if ff.cgo == "" {
				ff.cgo = a.pos(is.Pos())
			}
			continue
		case "time/tzdata":
			ff.tzEmbedded = true
		case "os/user":
			ff.need("passwd", a.pos(is.Pos()))
		case "crypto/tls", "crypto/x509", "net/smtp":
			ff.need("ca-certificates", a.pos(is.Pos()))
		}
		if isStdPath(ip) || a.localDir(ip) != "" {
			continue
		}
		src := a.pos(is.Pos())
		ff.imports = append(ff.imports, importSite{ip, src})
		if matchAny(ip, tlsClients) {
			ff.need("ca-certificates", src)
		}
		for _, kind := range serviceKinds(ip) {
			ff.svcImports = append(ff.svcImports, svcImport{kind: kind, path: ip, src: src})
		}
	}
}

// scanCall handles one call; it reports whether the call reads an env var.
func (a *analyzer) scanCall(ff *fileFacts, c evalCtx, call *ast.CallExpr, stack []ast.Node) bool {
	f := c.f
	switch fun := call.Fun.(type) {
	case *ast.Ident:
		if r, ok := a.index(f.pkg).funcs[fun.Name]; ok {
			return a.scanHelperCall(ff, c, r, call)
		}
	case *ast.SelectorExpr:
		name := fun.Sel.Name
		if routeMethods[name] {
			a.scanRoute(ff, c, call, fun, stack)
		}
		if strings.HasPrefix(name, "Fatal") || strings.HasPrefix(name, "Panic") { // log.Fatal(godotenv.Load())
			for _, arg := range call.Args {
				if load := dotenvLoad(f, arg); load != nil {
					ff.warn("dotenv-required", a.pos(load.Pos()), dotenvMessage)
				}
			}
		}
		if m, _ := a.match(c, call); m != nil {
			if a.scanModel(ff, c, call, m, stack) {
				return true
			}
		}
		ip := f.pkgOf(fun.X)
		if ip == "" {
			if r, ok := readMethods[name]; ok && slices.ContainsFunc(readMethodPkgs, f.imports) {
				a.scanRead(ff, c, call, r)
			}
			a.scanMethodCall(ff, c, call, fun)
			return false
		}
		if p := a.localPkg(ip); p != nil {
			if r, ok := a.index(p).funcs[name]; ok {
				return a.scanHelperCall(ff, c, r, call)
			}
			return false
		}
		arg := func(i int) ast.Expr {
			if i < len(call.Args) {
				return call.Args[i]
			}
			return nil
		}
		if r, ok := readFuncs[ip+"."+name]; ok {
			a.scanRead(ff, c, call, r)
		}
		if migrationFuncs[ip+"."+name] {
			ff.migrations = append(ff.migrations, migrationSite{siteRef{f, c.decl, call.Pos(), false}, ip})
		}
		switch ip + "." + name {
		case "net/http.Serve", "net/http.ServeTLS":
			ff.longAt = append(ff.longAt, siteRef{f, c.decl, call.Pos(), true})
			if len(call.Args) > 1 && a.nilHandler(c, call.Args[1]) {
				ff.defaultMux = true
			}
		case "net/http.Get", "net/http.Post", "net/http.Head", "net/http.PostForm",
			"net/http.NewRequest", "net/http.NewRequestWithContext":
			ff.need("ca-certificates", a.pos(call.Pos()))
		case "github.com/pressly/goose/v3.SetBaseFS", "github.com/pressly/goose.SetBaseFS":
			ff.baseFS = ff.baseFS || len(call.Args) == 1 && !isIdent(call.Args[0], "nil")
		case "time.LoadLocation":
			// UTC and Local never read the zone database.
			if s, ok := a.valueNoParams(c, arg(0)).known(); !ok || (s != "UTC" && s != "Local" && s != "") {
				ff.need("tzdata", a.pos(call.Pos()))
			}
		case "os/exec.Command":
			a.scanExec(ff, c, arg(0), call)
		case "os/exec.CommandContext":
			a.scanExec(ff, c, arg(1), call)
		}
		a.scanWriteCall(ff, c, call, ip+"."+name)
	}
	return false
}

func isNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

// nilHandler reports whether a handler argument is nil (DefaultServeMux):
// the literal, or a parameter that every call site passes nil for.
func (a *analyzer) nilHandler(c evalCtx, e ast.Expr) bool {
	if isNil(e) {
		return true
	}
	id, ok := e.(*ast.Ident)
	if !ok || c.fn == nil || c.fn.Recv != nil {
		return false
	}
	i, ok := a.funcIndex(c.f, c.fn).params[id.Name]
	if !ok || len(a.funcIndex(c.f, c.fn).assigns[id.Name]) > 0 {
		return false
	}
	sites := a.callSites(c.f.pkg.path + "." + c.fn.Name.Name)
	for _, s := range sites {
		if i >= len(s.call.Args) || !isNil(s.call.Args[i]) {
			return false
		}
	}
	return len(sites) > 0
}

// valueNoParams evaluates without following parameters to call sites: for
// names (env vars, routes) that must be visible at this very call.
func (a *analyzer) valueNoParams(c evalCtx, e ast.Expr) sval {
	c.noParams = true
	return a.value(c, e)
}

func (a *analyzer) scanGetenv(ff *fileFacts, c evalCtx, call *ast.CallExpr, stack []ast.Node) {
	if len(call.Args) != 1 {
		return
	}
	name, ok := a.valueNoParams(c, call.Args[0]).known()
	if !ok || !validEnvName(name) {
		return
	}
	for _, n := range stack {
		// MapLookuper(map[string]string{"HOSTNAME": os.Getenv("HOSTNAME")})
		// passes the runtime's value on to a config struct: not a setting.
		if pc, ok := n.(*ast.CallExpr); ok && callName(pc) == "MapLookuper" {
			if sel, ok := pc.Fun.(*ast.SelectorExpr); ok && c.f.pkgOf(sel.X) == "github.com/sethvargo/go-envconfig" {
				return
			}
		}
	}
	ev := EnvVar{Name: name, Source: a.pos(call.Pos())}
	// cmp.Or(os.Getenv("X"), "default")
	if len(stack) >= 2 {
		if parent, ok := stack[len(stack)-2].(*ast.CallExpr); ok && len(parent.Args) > 1 && parent.Args[0] == call {
			if sel, ok := parent.Fun.(*ast.SelectorExpr); ok && c.f.pkgOf(sel.X) == "cmp" && sel.Sel.Name == "Or" {
				v := a.value(c, parent)
				ff.learn(v)
				setDefault(&ev, v)
			}
		}
	}
	ff.env = append(ff.env, ev)
}

func setDefault(ev *EnvVar, v sval) {
	for _, p := range v.parts {
		if p.env == ev.Name && p.hasDef {
			ev.Default, ev.HasDefault = p.def, true
			return
		}
	}
}

// scanHelperCall records getenv-style helpers: a function whose body reads
// the env var named by one of its parameters, like getenv("PORT", "8080").
func (a *analyzer) scanHelperCall(ff *fileFacts, c evalCtx, r funcRef, call *ast.CallExpr) bool {
	i := a.helperParam(r)
	if i < 0 || i >= len(call.Args) {
		return false
	}
	name, ok := a.valueNoParams(c, call.Args[i]).known()
	if !ok || !validEnvName(name) {
		return false
	}
	ev := EnvVar{Name: name, Source: a.pos(call.Pos())}
	v := a.value(c, call)
	ff.learn(v)
	setDefault(&ev, v)
	ff.env = append(ff.env, ev)
	return true
}

// helperParam returns the index of the parameter a function passes to
// os.Getenv/os.LookupEnv, or -1.
func (a *analyzer) helperParam(r funcRef) int {
	if i, ok := a.helpers[r.decl]; ok {
		return i
	}
	idx := -1
	if r.decl.Body != nil {
		fi := a.funcIndex(r.f, r.decl)
		ast.Inspect(r.decl.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || idx >= 0 || len(call.Args) != 1 {
				return idx < 0
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch r.f.pkgOf(sel.X) + "." + sel.Sel.Name {
			case "os.Getenv", "os.LookupEnv", "syscall.Getenv":
				if id, ok := call.Args[0].(*ast.Ident); ok {
					if i, ok := fi.params[id.Name]; ok {
						idx = i
					}
				}
			}
			return true
		})
	}
	a.helpers[r.decl] = idx
	return idx
}

func (a *analyzer) scanStruct(ff *fileFacts, f *file, st *ast.StructType) {
	for _, fld := range st.Fields.List {
		if fld.Tag == nil || a.boundField(f, fld) {
			continue // a library call binds it: its env var is reported per main
		}
		tag, err := strconv.Unquote(fld.Tag.Value)
		if err != nil {
			continue
		}
		if t, ok := structEnvTag(tag); ok {
			ff.env = append(ff.env, EnvVar{Name: t.name, Default: t.def, HasDefault: t.hasDef, Source: a.pos(fld.Pos())})
		}
	}
}

func (a *analyzer) scanComposite(ff *fileFacts, c evalCtx, cl *ast.CompositeLit) {
	if m := a.urfaveFlagRow(c.f, cl); m != nil {
		ff.reads = append(ff.reads, readSite{f: c.f, fn: c.fn, lit: cl, row: m})
		return
	}
	sel, ok := cl.Type.(*ast.SelectorExpr)
	if !ok || c.f.pkgOf(sel.X) != "net/http" {
		return
	}
	switch sel.Sel.Name {
	case "Client", "Transport":
		ff.need("ca-certificates", a.pos(cl.Pos()))
	case "Server":
		var addr *ast.KeyValueExpr
		var handlerExpr ast.Expr
		handler, tls := false, false
		for _, el := range cl.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			if k, ok := kv.Key.(*ast.Ident); ok {
				switch k.Name {
				case "Addr":
					addr = kv
				case "Handler":
					handler = !a.nilHandler(c, kv.Value)
					handlerExpr = kv.Value
				case "TLSConfig":
					tls = true
				}
			}
		}
		if !handler && a.handlerSetLater(c.f.pkg) {
			handler = true // srv.Handler = mux later: not the default mux
		}
		if addr != nil {
			tls = tls || a.servedTLS(c, cl)
			ff.listens = append(ff.listens, listenSite{f: c.f, decl: c.decl, fn: c.fn, at: addr, addr: addr.Value,
				defaultMux: !handler, tls: tls, handler: handlerExpr})
		} else if !handler {
			ff.defaultMux = true
		}
	}
}

// scanModel records what a call matched to a library row means; it
// reports whether the call reads an env var.
func (a *analyzer) scanModel(ff *fileFacts, c evalCtx, call *ast.CallExpr, m *model, stack []ast.Node) bool {
	switch m.kind {
	case mEnvGet:
		a.scanGetenv(ff, c, call, stack)
		return true
	case mListen:
		addr := m.argOf(call, m.addr)
		site := listenSite{f: c.f, decl: c.decl, fn: c.fn, at: call, addr: addr, tls: m.tls}
		switch {
		case hasAny("net", m.pkgs):
			if len(call.Args) != 2 || !tcpNetwork(a.valueNoParams(c, call.Args[0])) {
				return false
			}
			site.kindHint = a.listenerUse(c, call)
		case hasAny("net/http", m.pkgs):
			if len(call.Args) < 2 { // code that does not type-check yet
				return false
			}
			h := call.Args[len(call.Args)-1]
			site.defaultMux, site.handler = a.nilHandler(c, h), h
			if site.defaultMux {
				ff.defaultMux = true
			}
		}
		if addr == nil {
			if m.defVal == "" {
				return false
			}
			// gin's r.Run(): $PORT, else :8080.
			site.noDef, site.noEnv = m.defVal, m.env
			ff.env = append(ff.env, EnvVar{Name: m.env, Default: m.defVal, HasDefault: true, Source: a.pos(call.Pos())})
		}
		ff.listens = append(ff.listens, site)
	case mToolkitListen:
		ff.listens = append(ff.listens, listenSite{f: c.f, decl: c.decl, fn: c.fn, at: call, toolkit: true})
	case mGRPCHealth:
		if ff.grpcHealth == "" {
			ff.grpcHealth = a.pos(call.Pos())
		}
	case mViperGet, mKoanfGet, mFlagGet, mKingpinValue, mKingpinVar:
		ff.reads = append(ff.reads, readSite{f: c.f, fn: c.fn, call: call, row: m})
		return true
	}
	return false
}

// listenerUse tells what a net.Listen listener is handed to: "grpc" when
// a gRPC server's Serve gets it in the same function.
func (a *analyzer) listenerUse(c evalCtx, call *ast.CallExpr) string {
	if c.fn == nil || c.fn.Body == nil {
		return ""
	}
	name := ""
	for _, list := range a.funcIndex(c.f, c.fn).assigns {
		for _, as := range list {
			if as.rhs == call {
				name = "?"
			}
		}
	}
	_ = name
	kind := ""
	ast.Inspect(c.fn.Body, func(n ast.Node) bool {
		sv, ok := n.(*ast.CallExpr)
		if !ok || callName(sv) != "Serve" || len(sv.Args) != 1 {
			return true
		}
		sel := sv.Fun.(*ast.SelectorExpr)
		if hasPathPrefix(a.origin(c, sel.X, 0), grpcPath) {
			kind = "grpc"
		}
		return true
	})
	return kind
}

// scanRequired finds an env var the code cannot run without:
// `if v == "" { log.Fatal(...) }` (or panic, os.Exit, return an error).
func (a *analyzer) scanRequired(ff *fileFacts, c evalCtx, ifs *ast.IfStmt) {
	b, ok := ifs.Cond.(*ast.BinaryExpr)
	if !ok || b.Op != token.EQL {
		if u, ok := ifs.Cond.(*ast.UnaryExpr); ok && u.Op == token.NOT { // if !ok {
			a.requiredIf(ff, c, ifs, u.X, true)
		}
		return
	}
	x := b.X
	if s, ok := litString(b.X); ok || s == "" && isEmptyString(b.X) {
		x = b.Y
	} else if !isEmptyString(b.Y) {
		return
	}
	a.requiredIf(ff, c, ifs, x, false)
}

// scanRequiredSwitch finds a setting the program cannot start without
// that a switch picks among values of (transfer.sh's provider): unset by
// default, no case for "", and a default case that fails. The switch must
// run by default, or the setting is required only on that path.
func (a *analyzer) scanRequiredSwitch(ff *fileFacts, c evalCtx, sw *ast.SwitchStmt) {
	if sw.Tag == nil {
		return
	}
	var def *ast.CaseClause
	for _, st := range sw.Body.List {
		cc := st.(*ast.CaseClause)
		if cc.List == nil {
			def = cc
		}
		for _, e := range cc.List {
			if s, ok := a.valueNoParams(c, e).known(); !ok || s == "" {
				return // `case "":` handles the unset value (or a case cannot be told)
			}
		}
	}
	if def == nil || !fails(c.f, &ast.BlockStmt{List: def.Body}) {
		return
	}
	p, ok := a.valueNoParams(c, sw.Tag).single()
	if !ok || p.env == "" || p.hasDef && p.def != "" {
		return
	}
	if a.localSelection(c.f, c.decl, sw.Pos()).sel < selDefault {
		return
	}
	ff.required = append(ff.required, requiredEnv{p.env, a.pos(sw.Pos()), c.f, c.decl, sw.Pos()})
}

func isEmptyString(e ast.Expr) bool {
	bl, ok := e.(*ast.BasicLit)
	return ok && bl.Kind == token.STRING && (bl.Value == `""` || bl.Value == "``")
}

func (a *analyzer) requiredIf(ff *fileFacts, c evalCtx, ifs *ast.IfStmt, x ast.Expr, okFlag bool) {
	if !fails(c.f, ifs.Body) {
		return
	}
	if okFlag {
		// v, ok := os.LookupEnv("X"); if !ok { ... }
		id, isID := x.(*ast.Ident)
		if !isID || c.fn == nil {
			return
		}
		_ = id
		return
	}
	v := a.valueNoParams(c, x)
	if env, ok := v.bareEnv(); ok {
		ff.required = append(ff.required, requiredEnv{env, a.pos(ifs.Pos()), c.f, c.decl, ifs.Pos()})
	}
}

// fails reports whether a block ends the program or returns an error:
// log.Fatal*, panic, os.Exit, or a return of a non-nil error.
func fails(f *file, body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			switch fun := n.Fun.(type) {
			case *ast.Ident:
				found = fun.Name == "panic"
			case *ast.SelectorExpr:
				ip := f.pkgOf(fun.X)
				name := fun.Sel.Name
				found = (ip == "os" && name == "Exit") || strings.HasPrefix(name, "Fatal") || strings.HasPrefix(name, "Panic")
			}
		case *ast.ReturnStmt:
			if len(n.Results) > 0 {
				last := n.Results[len(n.Results)-1]
				if !isIdent(last, "nil") {
					switch l := last.(type) {
					case *ast.CallExpr:
						found = true
					case *ast.Ident:
						found = strings.HasPrefix(strings.ToLower(l.Name), "err")
					}
				}
			}
		}
		return true
	})
	return found
}

// boundField reports whether a library call (envconfig.Process, ...)
// fills this struct field, so its tag is reported with the prefix and
// rules that call applies instead.
func (a *analyzer) boundField(f *file, fld *ast.Field) bool {
	binds := a.bindings()
	if len(binds) == 0 {
		return false
	}
	for _, n := range fld.Names {
		if o, ok := a.shared.fieldIdents.Load(n); ok && len(binds[o.(*types.Var)]) > 0 {
			return true
		}
	}
	if !a.shared.boundPkgs[f.pkg.path] {
		return false
	}
	for _, n := range fld.Names {
		obj, _ := a.infoOf(f.pkg).Defs[n].(*types.Var)
		if obj == nil {
			if o, ok := a.shared.fieldIdents.Load(n); ok {
				obj = o.(*types.Var)
			}
		}
		if obj != nil && len(binds[obj]) > 0 {
			return true
		}
	}
	return false
}

// servedTLS reports whether the http.Server literal is started with
// ListenAndServeTLS or ServeTLS in its function (in the same closure).
func (a *analyzer) servedTLS(c evalCtx, cl *ast.CompositeLit) bool {
	if c.fn == nil || c.fn.Body == nil {
		return false
	}
	fi := a.funcIndex(c.f, c.fn)
	name := ""
	var lit *ast.FuncLit
	for n, list := range fi.assigns {
		for _, as := range list {
			rhs := as.rhs
			if u, ok := rhs.(*ast.UnaryExpr); ok {
				rhs = u.X
			}
			if rhs == ast.Expr(cl) {
				name, lit = n, as.lit
			}
		}
	}
	if name == "" {
		return false
	}
	innermost := func(pos token.Pos) *ast.FuncLit {
		var in *ast.FuncLit
		for _, l := range fi.lits {
			if l.Pos() <= pos && pos < l.End() && (in == nil || l.Pos() > in.Pos()) {
				in = l
			}
		}
		return in
	}
	found := false
	ast.Inspect(c.fn.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && isIdent(sel.X, name) && call.Pos() > cl.Pos() &&
			(sel.Sel.Name == "ListenAndServeTLS" || sel.Sel.Name == "ServeTLS") && innermost(call.Pos()) == lit {
			found = true
		}
		return true
	})
	return found
}

// handlerSetLater reports whether code that can see a server declared in
// package p (p itself, or a package importing it) assigns a non-nil
// Handler field (srv.Handler = mux, h.Handler = handler on a type that
// embeds *http.Server). Library types are opaque, so which server is
// meant cannot be told: such a server may serve another handler, and
// claiming http.DefaultServeMux would put the probe's route where the
// server never looks.
func (a *analyzer) handlerSetLater(p *pkg) bool {
	for _, s := range a.storesNamed("Handler") {
		if s.kind != sAssign || s.rhs == nil || isNil(s.rhs) {
			continue
		}
		if _, ok := s.lhs.(*ast.SelectorExpr); ok && a.dependsOn(s.f.pkg, p) {
			return true
		}
	}
	return false
}

// dependsOn reports whether package p is q or imports it, directly or
// through the module's own packages. Each package is visited once: the
// import graph of a large module has too many paths to follow each.
func (a *analyzer) dependsOn(p, q *pkg) bool {
	seen := map[*pkg]bool{p: true}
	stack := []*pkg{p}
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if r == q {
			return true
		}
		if r.bp == nil {
			continue
		}
		for _, ip := range r.bp.Imports {
			if d := a.localPkg(ip); d != nil && !seen[d] {
				seen[d] = true
				stack = append(stack, d)
			}
		}
	}
	return false
}
