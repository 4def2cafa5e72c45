package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
)

// The module index: what the evaluator and the reachability search look
// up across all packages (writes of fields and variables, flag
// definitions, configuration-library calls, calls and references of
// functions, subcommand literals, env struct tags). It is built once, in
// one walk over each file, in parallel, before any file is scanned; the
// per-file parts are merged in file order, so lookups do not depend on
// scheduling.

// fileIndex is one file's part of the module index.
type fileIndex struct {
	stores    map[string][]store
	flags     map[string][]flagDef
	libCalls  []libCall
	calls     map[string][]callSite
	refs      map[string][]ref
	consumers []libCall // struct-filling library calls (tags.go)
	subs      []*ast.CompositeLit
	parents   []cmdParent // the command each subcommand is added to
	cmdVars   []cmdVar    // variables holding a list of commands
	envFields map[string][]envTag
}

// cmdVar is a package variable a CLI's command list is read from.
type cmdVar struct {
	p    *pkg
	name string
}

// cmdParent says child is a subcommand of parent (cobra's
// parent.AddCommand(child), urfave's Subcommands: []*cli.Command{child}).
type cmdParent struct {
	child, parent *ast.CompositeLit
}

func (a *analyzer) indexModule() {
	methods := map[string]bool{}
	var files []*file
	for _, p := range a.all {
		for _, f := range p.files {
			files = append(files, f)
			for _, d := range f.ast.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
					methods[fd.Name.Name] = true
				}
			}
		}
	}
	names := a.names // made by fillBodies for the same packages, when all parsed
	if names == nil {
		names = moduleNamesOf(files)
	}
	parts := make([]*fileIndex, len(files))
	forEach(len(files), func() func(int) {
		w := a.worker()
		return func(i int) {
			names.markInert(files[i])
			parts[i] = w.indexFile(files[i], methods)
		}
	})
	sh := a.shared
	sh.stores, sh.flags, sh.calls, sh.refs, sh.envFields = map[string][]store{}, map[string][]flagDef{}, map[string][]callSite{}, map[string][]ref{}, map[string][]envTag{}
	sh.subcommands = map[*ast.CompositeLit]bool{}
	sh.cmdParents = map[*ast.CompositeLit]*ast.CompositeLit{}
	var consumers []libCall
	for _, fi := range parts {
		mergeInto(sh.stores, fi.stores)
		mergeInto(sh.flags, fi.flags)
		mergeInto(sh.calls, fi.calls)
		mergeInto(sh.refs, fi.refs)
		mergeInto(sh.envFields, fi.envFields)
		sh.libCalls = append(sh.libCalls, fi.libCalls...)
		consumers = append(consumers, fi.consumers...)
		for _, lit := range fi.subs {
			sh.subcommands[lit] = true
		}
		for _, cp := range fi.parents {
			if _, ok := sh.cmdParents[cp.child]; !ok && cp.child != cp.parent {
				sh.cmdParents[cp.child] = cp.parent
			}
		}
	}
	for _, fi := range parts {
		for _, cv := range fi.cmdVars {
			for _, lit := range a.commandVarElems(cv) {
				sh.subcommands[lit] = true
			}
		}
	}
	// Struct-filling calls are few: bind their fields in order.
	sh.binds = map[*types.Var][]fieldBind{}
	for _, lc := range consumers {
		a.bindStruct(evalCtx{f: lc.f, fn: lc.fn}, lc.call, lc.row)
	}
	sh.boundPkgs = map[string]bool{}
	for v := range sh.binds {
		if v.Pkg() != nil {
			sh.boundPkgs[v.Pkg().Path()] = true
		}
	}
}

func mergeInto[T any](dst, src map[string][]T) {
	for k, v := range src {
		dst[k] = append(dst[k], v...)
	}
}

// worker returns a copy of the analyzer with its own caches, for one
// goroutine; what it shares is read-only or synchronized.
func (a *analyzer) worker() *analyzer {
	w := *a
	w.freshCaches()
	w.inEval = false
	return &w
}

// freshCaches gives the analyzer empty per-goroutine caches: the answers
// kept while evaluating (each depends only on its key, so any worker
// gives the same one).
func (a *analyzer) freshCaches() {
	a.funcs = map[*ast.FuncDecl]*funcIndex{}
	a.helpers = map[*ast.FuncDecl]int{}
	a.visiting = map[types.Object]bool{}
	a.reachCache = map[reachKey]reachState{}
	a.condCache = map[condKey]condVal{}
	a.siteCache = map[siteKey]siteVal{}
	a.callerCache = map[*ast.FuncDecl][]ref{}
	a.reachGraphs = map[*pkg]*reachGraph{}
	a.returns = map[resultKey][]*ast.ReturnStmt{}
	a.writers = map[*types.Var][]store{}
	a.funcDecls = map[*types.Func]funcRef{}
	a.siteLists = map[*ast.FuncDecl][]callSite{}
	a.uses = map[useKey]useVal{}
	a.recvTypes = map[ast.Expr]recvType{}
}

func (a *analyzer) indexFile(f *file, methods map[string]bool) *fileIndex {
	fi := &fileIndex{
		stores: map[string][]store{}, flags: map[string][]flagDef{}, calls: map[string][]callSite{},
		refs: map[string][]ref{}, envFields: map[string][]envTag{},
	}
	addStore := func(name string, s store) {
		if name != "_" {
			fi.stores[name] = append(fi.stores[name], s)
		}
	}
	funcs := a.index(f.pkg).funcs
	var walk condWalk
	for i, d := range f.ast.Decls {
		if f.isInert(i) {
			continue
		}
		fn, _ := d.(*ast.FuncDecl)
		c := evalCtx{f: f, fn: fn, decl: d}
		walk.inspect(d, func(n ast.Node, cond bool) {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if n.Tok != token.ASSIGN && n.Tok != token.DEFINE {
					return
				}
				for i, l := range n.Lhs {
					s := store{f: f, fn: fn, kind: sAssign, lhs: l, cond: cond}
					if len(n.Lhs) == len(n.Rhs) {
						s.rhs = n.Rhs[i]
					} else if len(n.Rhs) == 1 {
						s.rhs, s.tuple = n.Rhs[0], i+1
					}
					switch l := l.(type) {
					case *ast.SelectorExpr:
						addStore(l.Sel.Name, s)
					case *ast.Ident:
						if n.Tok == token.ASSIGN && fn != nil {
							addStore(l.Name, s)
						}
					}
				}
			case *ast.CompositeLit:
				a.indexFlag(c, n, fi.flags)
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Subcommands") {
						if list, ok := kv.Value.(*ast.CompositeLit); ok {
							for _, el := range list.Elts {
								for _, child := range a.compositesOf(c, el, 0) {
									fi.parents = append(fi.parents, cmdParent{child, n})
								}
							}
						}
					}
				}
				if m := a.urfaveFlagRow(f, n); m != nil {
					for _, el := range n.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok || !isIdent(kv.Key, "Destination") {
							continue
						}
						if u, ok := kv.Value.(*ast.UnaryExpr); ok && u.Op == token.AND {
							switch t := u.X.(type) {
							case *ast.SelectorExpr:
								addStore(t.Sel.Name, store{f: f, fn: fn, kind: sBind, lhs: t, lit: n, row: m, cond: cond})
							case *ast.Ident:
								addStore(t.Name, store{f: f, fn: fn, kind: sBind, lhs: t, lit: n, row: m, cond: cond})
							}
						}
					}
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok {
							addStore(k.Name, store{f: f, fn: fn, kind: sComposite, lit: n, rhs: kv.Value, cond: cond})
						}
					}
				}
			case *ast.KeyValueExpr:
				if isIdent(n.Key, "Commands") || isIdent(n.Key, "Subcommands") {
					switch v := n.Value.(type) {
					case *ast.CompositeLit:
						for _, el := range v.Elts {
							fi.subs = append(fi.subs, a.compositesOf(c, el, 0)...)
						}
					case *ast.Ident:
						// Commands: commands, a package variable each command's
						// file appends itself to (ntfy's cmd package)
						if p := f.pkg; p != nil {
							fi.cmdVars = append(fi.cmdVars, cmdVar{p, v.Name})
						}
					}
				}
			case *ast.CallExpr:
				a.indexFlag(c, n, fi.flags)
				if m, _ := a.matchKinds(c, n, isLibCallKind); m != nil {
					fi.libCalls = append(fi.libCalls, libCall{f: f, fn: fn, call: n, row: m})
				}
				if m, _ := a.matchKinds(c, n, isConsumerKind); m != nil {
					fi.consumers = append(fi.consumers, libCall{f: f, fn: fn, call: n, row: m})
				}
				// &x.F handed to a module function that sets it
				if _, isMod := a.calleeOf(c, n); isMod {
					for i, arg := range n.Args {
						u, ok := arg.(*ast.UnaryExpr)
						if !ok || u.Op != token.AND {
							continue
						}
						switch t := u.X.(type) {
						case *ast.SelectorExpr:
							addStore(t.Sel.Name, store{f: f, fn: fn, kind: sPtr, lhs: t, call: n, arg: i, cond: cond})
						case *ast.Ident:
							addStore(t.Name, store{f: f, fn: fn, kind: sPtr, lhs: t, call: n, arg: i, cond: cond})
						}
					}
				}
				if row, target := a.bindCall(c, n); row != nil {
					switch t := target.(type) {
					case *ast.SelectorExpr:
						addStore(t.Sel.Name, store{f: f, fn: fn, kind: sBind, lhs: t, call: n, row: row, cond: cond})
					case *ast.Ident:
						addStore(t.Name, store{f: f, fn: fn, kind: sBind, lhs: t, call: n, row: row, cond: cond})
					}
				}
				k := ""
				switch fun := n.Fun.(type) {
				case *ast.Ident:
					k = f.pkg.path + "." + fun.Name
				case *ast.SelectorExpr:
					if ip := f.pkgOf(fun.X); ip != "" {
						k = ip + "." + fun.Sel.Name
					} else {
						k = "method." + fun.Sel.Name
					}
					if fun.Sel.Name == "AddCommand" {
						parents := a.compositesOf(c, fun.X, 0)
						for _, arg := range n.Args {
							children := a.compositesOf(c, arg, 0)
							fi.subs = append(fi.subs, children...)
							for _, child := range children {
								if len(parents) > 0 {
									fi.parents = append(fi.parents, cmdParent{child, parents[0]})
								}
							}
						}
					}
				}
				if k != "" {
					fi.calls[k] = append(fi.calls[k], callSite{f, fn, n})
				}
			case *ast.StructType:
				for _, fld := range n.Fields.List {
					if fld.Tag == nil {
						continue
					}
					tag, err := strconv.Unquote(fld.Tag.Value)
					if err != nil {
						continue
					}
					if t, ok := structEnvTag(tag); ok {
						for _, id := range fld.Names {
							fi.envFields[id.Name] = append(fi.envFields[id.Name], t)
						}
					}
				}
			}
		})
		// References to functions, for reachability: in bodies, and in
		// package-level initializers.
		var body ast.Node = d
		if fn != nil {
			if fn.Body == nil {
				continue
			}
			body = fn.Body
		}
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if ip := f.pkgOf(n.X); ip != "" {
					if q := a.localPkg(ip); q != nil {
						if _, ok := a.index(q).funcs[n.Sel.Name]; ok {
							k := ip + "." + n.Sel.Name
							fi.refs[k] = append(fi.refs[k], ref{f: f, decl: d, fn: fn, pos: n.Pos()})
						}
					}
					return false
				}
				if methods[n.Sel.Name] {
					k := "method." + n.Sel.Name
					fi.refs[k] = append(fi.refs[k], ref{f: f, decl: d, fn: fn, pos: n.Sel.Pos(), recv: n.X})
				}
			case *ast.Ident:
				if _, ok := funcs[n.Name]; ok {
					k := f.pkg.path + "." + n.Name
					fi.refs[k] = append(fi.refs[k], ref{f: f, decl: d, fn: fn, pos: n.Pos()})
				}
			}
			return true
		})
	}
	return fi
}

func isConsumerKind(k modelKind) bool {
	return k == mStructEnv || k == mViperUnmarshal || k == mKoanfUnmarshal
}

// commandVarElems are the commands a package variable's list holds: the
// elements of its initializer and of every `v = append(v, cmd...)` in
// its package.
func (a *analyzer) commandVarElems(cv cmdVar) []*ast.CompositeLit {
	var out []*ast.CompositeLit
	if r, ok := a.index(cv.p).values[cv.name]; ok && r.kind == kExpr {
		if list, ok := r.expr.(*ast.CompositeLit); ok {
			for _, el := range list.Elts {
				out = append(out, a.compositesOf(evalCtx{f: r.f}, el, 0)...)
			}
		}
	}
	for _, st := range a.shared.stores[cv.name] {
		if st.kind != sAssign || st.f.pkg != cv.p || st.tuple != 0 {
			continue
		}
		id, ok := st.lhs.(*ast.Ident)
		call, isCall := st.rhs.(*ast.CallExpr)
		if !ok || id.Name != cv.name || !isCall || !isIdent(call.Fun, "append") || len(call.Args) < 2 {
			continue
		}
		for _, arg := range call.Args[1:] {
			out = append(out, a.compositesOf(evalCtx{f: st.f, fn: st.fn}, arg, 0)...)
		}
	}
	return out
}
