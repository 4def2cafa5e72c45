package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Values that travel through struct fields and package-level variables:
// `s.config.Port`, `var addr string` set in init(), `cfg.HTTP.Addr` bound
// to a flag. Every write ("store") in the module is indexed once by the
// field or variable name; a lookup keeps the stores that really write the
// object (by type) and merges their values (mergeStores).

type storeKind int

const (
	sAssign    storeKind = iota // x.F = rhs, or G = rhs
	sComposite                  // T{F: rhs}
	sBind                       // a library call that binds &x.F (flag.StringVar, ...)
	sPtr                        // a module function given &x.F, which sets *p (parseInt(&c.Port, "PORT"))
)

// store is one write found in the code.
type store struct {
	f    *file
	fn   *ast.FuncDecl // nil at package level
	kind storeKind
	lhs  ast.Expr          // sAssign: x.F or G; sBind: the &target
	lit  *ast.CompositeLit // sComposite
	rhs  ast.Expr
	// tuple is i+1 for `a, b = f()`, else 0.
	tuple int
	call  *ast.CallExpr // sBind, sPtr
	row   *model        // sBind
	arg   int           // sPtr: which argument is the pointer
	cond  bool
}

func (s store) pos() token.Pos {
	switch {
	case s.rhs != nil:
		return s.rhs.Pos()
	case s.call != nil:
		return s.call.Pos()
	}
	return s.lhs.Pos()
}

// storesNamed returns every write to a field or variable called name.
func (a *analyzer) storesNamed(name string) []store {
	return a.shared.stores[name]
}

// condWalk walks trees and tells, for each node, whether it sits in a part
// of a function that may not run (an if or else body, a loop, a case).
// Function literals count as running: servers are started from closures
// passed to run groups, errgroups and `go func() {...}()`. One walker
// walks many trees, one at a time, without growing its stacks again.
type condWalk struct {
	stack  []ast.Node
	opened []bool
}

func (w *condWalk) inspect(root ast.Node, fn func(n ast.Node, cond bool)) {
	cond := 0
	stack, opened := w.stack[:0], w.opened[:0]
	defer func() { w.stack, w.opened = stack[:0], opened[:0] }()
	ast.Inspect(root, func(n ast.Node) bool {
		if n == nil {
			if opened[len(opened)-1] {
				cond--
			}
			stack, opened = stack[:len(stack)-1], opened[:len(opened)-1]
			return true
		}
		opens := false
		if len(stack) > 0 {
			if _, lit := stack[len(stack)-1].(*ast.FuncLit); !lit {
				opens = condBody(stack[len(stack)-1], n)
			}
		}
		if opens {
			cond++
		}
		stack, opened = append(stack, n), append(opened, opens)
		fn(n, cond > 0)
		return true
	})
}

// inScope reports whether code in f counts for the main being analyzed.
func (a *analyzer) inScope(f *file) bool {
	return a.within == nil || a.within[f.pkg]
}

// storesOf returns the writes to a struct field or package-level variable
// in the main's closure. The list is storesWriting's own until a store is
// left out or changed (then a copy): callers only read it.
func (a *analyzer) storesOf(obj *types.Var) []store {
	all := a.storesWriting(obj)
	var out []store // nil while every store so far is kept as it is
	for i, s := range all {
		keep := a.inScope(s.f)
		option := keep && !s.cond && s.fn != nil && a.optionStore(s)
		if out == nil {
			if keep && !option {
				continue
			}
			out = append([]store{}, all[:i]...)
		}
		if keep {
			s.cond = s.cond || option
			out = append(out, s)
		}
	}
	if out == nil {
		return all
	}
	return out
}

// storesWriting are the module's stores that write obj, found among those
// to its name by their types. Kept: a field's name can have thousands of
// stores in a large module, and a field is asked about again and again.
func (a *analyzer) storesWriting(obj *types.Var) []store {
	if out, ok := a.writers[obj]; ok {
		return out
	}
	var out []store
	for _, s := range a.storesNamed(obj.Name()) {
		c := evalCtx{f: s.f, fn: s.fn}
		switch s.kind {
		case sComposite:
			t := a.typeOf(c, s.lit)
			if t == nil || !obj.IsField() {
				continue
			}
			if o, _, _ := types.LookupFieldOrMethod(t, true, obj.Pkg(), obj.Name()); o != obj {
				continue
			}
		default:
			if !a.writes(c, s.lhs, obj) {
				continue
			}
		}
		out = append(out, s)
	}
	a.writers[obj] = out
	return out
}

// optionStore reports whether a store sits in a closure that a function
// returns to be applied later (a functional option:
// func EnableProfiler() Option { return func(s *Server) { s.profiler = true } })
// and every call of that function is conditional: then the store happens
// only when the caller chooses it.
func (a *analyzer) optionStore(s store) bool {
	inLit := false
	for _, lit := range a.funcIndex(s.f, s.fn).lits {
		if lit.Pos() <= s.pos() && s.pos() < lit.End() {
			inLit = true
		}
	}
	if !inLit || s.fn.Type.Results == nil {
		return false
	}
	key := s.f.pkg.path + "." + s.fn.Name.Name
	if s.fn.Recv != nil {
		return false
	}
	calls := a.callSites(key)
	for _, cs := range calls {
		if !a.inScope(cs.f) || cs.fn == nil {
			continue
		}
		if cond, _ := a.siteContext(cs.f, cs.fn, cs.call.Pos()); !cond {
			return false
		}
	}
	return true
}

// writes reports whether lhs (x.F, G, pkg.G) is obj.
func (a *analyzer) writes(c evalCtx, lhs ast.Expr, obj *types.Var) bool {
	switch l := lhs.(type) {
	case *ast.SelectorExpr:
		if o := a.pkgObj(c.f, l.X, l.Sel.Name); o != nil {
			return o == obj
		}
		if !obj.IsField() {
			return false
		}
		return a.fieldOf(c, l) == obj
	case *ast.Ident:
		if obj.IsField() || c.fn == nil || obj.Pkg() != a.typesOf(c.f.pkg) {
			return false
		}
		fi := a.funcIndex(c.f, c.fn)
		if _, ok := fi.params[l.Name]; ok || paramType(c.fn, l.Name) != nil {
			return false
		}
		for _, as := range fi.assigns[l.Name] {
			if as.define {
				return false
			}
		}
		return a.scopeObj(c.f, l.Name) == obj
	}
	return false
}

// storeValue evaluates what one store writes.
func (a *analyzer) storeValue(s store, depth int) sval {
	c := evalCtx{f: s.f, fn: s.fn}
	switch s.kind {
	case sBind:
		if s.lit != nil {
			return a.urfaveFlagValue(c, s.lit, depth)
		}
		return a.bindValue(c, s.call, s.row, depth)
	case sPtr:
		return a.ptrValue(c, s.call, s.arg, depth)
	case sAssign:
		if s.tuple > 1 {
			return unknownAt(s.f, s.rhs)
		}
	}
	return a.eval(c, s.rhs, depth)
}

// evalGlobal is the value of a package-level variable of the module: its
// initializer and every write to it, merged.
func (a *analyzer) evalGlobal(obj *types.Var, depth int) sval {
	if a.visiting[obj] {
		return unknownVal()
	}
	a.visiting[obj] = true
	defer delete(a.visiting, obj)
	var base []sval
	var p *pkg
	if obj.Pkg() != nil {
		p = a.localPkg(obj.Pkg().Path())
	}
	if p != nil {
		if r, ok := a.index(p).values[obj.Name()]; ok {
			switch r.kind {
			case kExpr:
				base = append(base, a.eval(evalCtx{f: r.f}, r.expr, depth))
			}
		}
	}
	return a.mergeStores(base, a.storesOf(obj), isNumVar(obj), depth)
}

// evalField is the value of a struct field: the env var or flag its
// struct tag binds (tags.go), and every write to it, merged.
func (a *analyzer) evalField(obj *types.Var, depth int) sval {
	if a.visiting[obj] {
		return unknownVal()
	}
	a.visiting[obj] = true
	defer delete(a.visiting, obj)
	var base []sval
	if b, ok := a.fieldBinding(obj); ok {
		base = append(base, b)
	}
	return a.mergeStores(base, a.storesOf(obj), isNumVar(obj), depth)
}

func isNumVar(obj *types.Var) bool {
	b, ok := obj.Type().Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// mergeStores combines the values written to one field or variable. Where
// the writes are in different functions there is no order to follow, so:
// a setting (env var or flag) wins, and a literal written elsewhere is its
// default when it has none; otherwise literals must agree.
func (a *analyzer) mergeStores(base []sval, stores []store, num bool, depth int) sval {
	vals := append([]sval{}, base...)
	for _, cond := range []bool{false, true} { // the stores that always run first
		for _, s := range stores {
			if s.cond == cond {
				vals = append(vals, a.storeValue(s, depth))
			}
		}
	}
	var cfg *sval
	var lits []string
	var unknown *sval
	for i := range vals {
		v := vals[i]
		switch {
		case v.hasCfg():
			if cfg == nil {
				cfg = &vals[i]
			}
		default:
			if s, ok := v.known(); ok {
				if s != "" {
					lits = append(lits, s)
				}
			} else if unknown == nil {
				unknown = &vals[i]
			}
		}
	}
	switch {
	case cfg != nil:
		v := *cfg
		if len(lits) > 0 {
			v = fallback(v, litVal(lits[0]))
		}
		v.num = v.num || num
		return v
	case a.condMode && allCond(stores) && len(base) == 0:
		// in a condition, by default: nothing has been written
		if num {
			return sval{parts: []part{{lit: "0"}}, num: true}
		}
		return sval{}
	case len(lits) > 0:
		for _, s := range lits[1:] {
			if s != lits[0] {
				return unknownVal()
			}
		}
		v := litVal(lits[0])
		v.num = num
		return v
	case unknown != nil:
		return *unknown
	case len(vals) > 0:
		v := vals[0]
		v.num = num
		return v
	}
	if num {
		return sval{parts: []part{{lit: "0"}}, num: true}
	}
	return sval{}
}

// ptrValue is what a module function given a pointer in argument i stores
// through it: the last `*p = v` of its body, with the parameters bound to
// the call's arguments (parseInt(&c.Server.Port, "GOTIFY_SERVER_PORT")).
func (a *analyzer) ptrValue(c evalCtx, call *ast.CallExpr, i, depth int) sval {
	r, ok := a.calleeOf(c, call)
	if !ok || r.decl.Body == nil {
		return unknownAt(c.f, call)
	}
	name := paramName(r.decl, i)
	if name == "" {
		return unknownAt(c.f, call)
	}
	var rhs ast.Expr
	ast.Inspect(r.decl.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || as.Tok != token.ASSIGN || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for j, l := range as.Lhs {
			if st, ok := l.(*ast.StarExpr); ok && isIdent(st.X, name) {
				rhs = as.Rhs[j]
			}
		}
		return true
	})
	if rhs == nil {
		return unknownAt(c.f, call)
	}
	return a.eval(evalCtx{f: r.f, fn: r.decl, args: call.Args, argCtx: &c}, rhs, depth)
}

// paramName is the name of parameter i, or "".
func paramName(fd *ast.FuncDecl, i int) string {
	n := 0
	for _, fld := range fd.Type.Params.List {
		if len(fld.Names) == 0 {
			n++
			continue
		}
		for _, id := range fld.Names {
			if n == i {
				return id.Name
			}
			n++
		}
	}
	return ""
}

func allCond(stores []store) bool {
	for _, s := range stores {
		if !s.cond {
			return false
		}
	}
	return true
}
