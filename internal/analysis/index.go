package analysis

import (
	"go/ast"
	"go/token"
)

// assignKind says how an assignment's value is obtained from its rhs.
type assignKind int

const (
	kExpr    assignKind = iota // rhs is the value
	kZero                      // declared without a value
	kLookup                    // v, ok := os.LookupEnv(rhs)
	kAtoi                      // n, err := strconv.Atoi(rhs)
	kBind                      // a library call binds &v (flag.StringVar(&v, name, def, usage))
	kUnknown                   // anything else
)

// assign is one assignment to a name inside a function.
type assign struct {
	pos    token.Pos // where the new value takes effect: the end of the statement
	cond   bool      // inside an if/for/switch/select body or a closure
	kind   assignKind
	rhs    ast.Expr
	num    bool
	typ    ast.Expr // the declared type of `var x T`
	define bool     // := or var: the name is local to the function
	// scope is the block or statement a := or var declares the name in
	// (an if's init: the if): outside it the name is another variable.
	// nil for plain assignments.
	scope ast.Node
	// lit is the innermost closure the assignment is in (nil: none); cond
	// is relative to it.
	lit *ast.FuncLit
	// body is the innermost body that may not run around it (nil: none):
	// code later in that body sees the assignment as having run
	// (`} else { addr = fmt.Sprintf("%s:%d", addr, port); net.Listen(addr) }`).
	body ast.Node
	call *ast.CallExpr // kBind: the binding call, and its row
	row  *model
	// tuple is i+1 when the name is result i of a multi-value call rhs
	// (`cfg, err := config.Load()`), else 0.
	tuple int
}

// funcIndex lists a function's assignments by name, in source order, so an
// identifier can be evaluated at a given position without type-checking.
type funcIndex struct {
	assigns map[string][]assign
	params  map[string]int
	lits    []*ast.FuncLit // closures: they run later, after the whole function
}

// valueRef is a package-level definition (const, var, or flag default).
type valueRef struct {
	f    *file
	fn   *ast.FuncDecl
	kind assignKind
	expr ast.Expr
	num  bool
}

type funcRef struct {
	f    *file
	decl *ast.FuncDecl
}

// pkgIndex is what the evaluator looks up in a package: its top-level
// values and functions.
type pkgIndex struct {
	values map[string]valueRef
	funcs  map[string]funcRef
}

// callSite is one call, for binding a function's parameters to arguments.
type callSite struct {
	f    *file
	fn   *ast.FuncDecl
	call *ast.CallExpr
}

func (a *analyzer) index(p *pkg) *pkgIndex {
	p.idxOnce.Do(func() { p.idx = buildIndex(p) })
	return p.idx
}

func buildIndex(p *pkg) *pkgIndex {
	idx := &pkgIndex{values: map[string]valueRef{}, funcs: map[string]funcRef{}}
	for _, f := range p.files {
		for _, d := range f.ast.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				if d.Tok != token.CONST && d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					vs, ok := s.(*ast.ValueSpec)
					if !ok {
						continue
					}
					for i, n := range vs.Names {
						if _, dup := idx.values[n.Name]; dup || n.Name == "_" {
							continue
						}
						ref := valueRef{f: f, kind: kExpr}
						switch {
						case len(vs.Values) == len(vs.Names):
							ref.expr = vs.Values[i]
						case len(vs.Values) == 0 && d.Tok == token.VAR:
							ref.kind, ref.num = kZero, isNumType(vs.Type)
						default: // iota repetition, multi-value calls
							ref.kind = kUnknown
						}
						idx.values[n.Name] = ref
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name != "init" {
					if _, dup := idx.funcs[d.Name.Name]; !dup {
						idx.funcs[d.Name.Name] = funcRef{f, d}
					}
				}
			}
		}
	}
	return idx
}

func isStringLit(e ast.Expr) bool {
	bl, ok := e.(*ast.BasicLit)
	return ok && bl.Kind == token.STRING
}

func isNumType(t ast.Expr) bool {
	id, ok := t.(*ast.Ident)
	if !ok {
		return false
	}
	switch id.Name {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return true
	}
	return false
}

func (a *analyzer) funcIndex(f *file, fn *ast.FuncDecl) *funcIndex {
	if fi, ok := a.funcs[fn]; ok {
		return fi
	}
	fi := &funcIndex{assigns: map[string][]assign{}, params: map[string]int{}}
	a.funcs[fn] = fi
	i := 0
	for _, field := range fn.Type.Params.List {
		if len(field.Names) == 0 {
			i++
		}
		for _, n := range field.Names {
			fi.params[n.Name] = i
			i++
		}
	}
	if fn.Body == nil {
		return fi
	}
	var curLit *ast.FuncLit
	var curScope ast.Node // the innermost block or statement that scopes names
	var bodies []ast.Node // the conditional bodies around the node
	add := func(lhs ast.Expr, as assign) {
		as.lit = curLit
		if len(bodies) > 0 {
			as.body = bodies[len(bodies)-1]
		}
		if as.define {
			as.scope = curScope
		}
		if s, ok := lhs.(*ast.StarExpr); ok { // *addr = v
			lhs = s.X
		}
		id, ok := lhs.(*ast.Ident)
		if !ok || id.Name == "_" {
			return
		}
		fi.assigns[id.Name] = append(fi.assigns[id.Name], as)
	}
	// cond counts the enclosing bodies that may not run (if/else, loops,
	// cases) within the innermost closure, whose body starts a new count:
	// an assignment there is only a fallback. lit is that closure.
	conds := []int{0}
	var lits []*ast.FuncLit
	var stack []ast.Node
	var opened []int // 0 nothing, 1 a conditional body, 2 a closure body
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if n == nil {
			switch opened[len(opened)-1] {
			case 1:
				conds[len(conds)-1]--
				bodies = bodies[:len(bodies)-1]
			case 2:
				conds, lits = conds[:len(conds)-1], lits[:len(lits)-1]
			}
			stack, opened = stack[:len(stack)-1], opened[:len(opened)-1]
			return true
		}
		opens := 0
		if len(stack) > 0 && condBody(stack[len(stack)-1], n) {
			opens = 1
			if lit, ok := stack[len(stack)-1].(*ast.FuncLit); ok {
				opens = 2
				conds, lits = append(conds, 0), append(lits, lit)
			}
		}
		if opens == 1 {
			conds[len(conds)-1]++
			bodies = append(bodies, n)
		}
		cond := conds[len(conds)-1]
		curLit = nil
		if len(lits) > 0 {
			curLit = lits[len(lits)-1]
		}
		stack, opened = append(stack, n), append(opened, opens)
		curScope = nil
		for i := len(stack) - 2; i >= 0 && curScope == nil; i-- { // the node's own parents
			switch stack[i].(type) {
			case *ast.BlockStmt, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt,
				*ast.TypeSwitchStmt, *ast.CaseClause, *ast.CommClause:
				curScope = stack[i]
			}
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			base := assign{pos: n.End(), cond: cond > 0, kind: kExpr, define: n.Tok == token.DEFINE}
			switch {
			case n.Tok != token.DEFINE && n.Tok != token.ASSIGN:
				base.kind = kUnknown
				for _, l := range n.Lhs {
					add(l, base)
				}
			case len(n.Lhs) == len(n.Rhs):
				for i, l := range n.Lhs {
					as := base
					as.rhs = n.Rhs[i]
					add(l, as)
				}
			default:
				multiAssign(f, n.Lhs, n.Rhs, base, add)
			}
		case *ast.DeclStmt:
			gd, ok := n.Decl.(*ast.GenDecl)
			if !ok || (gd.Tok != token.VAR && gd.Tok != token.CONST) {
				return true
			}
			for _, s := range gd.Specs {
				vs, ok := s.(*ast.ValueSpec)
				if !ok {
					continue
				}
				base := assign{pos: vs.End(), cond: cond > 0, kind: kExpr, define: true}
				lhs := make([]ast.Expr, len(vs.Names))
				for i, n := range vs.Names {
					lhs[i] = n
				}
				switch {
				case len(vs.Values) == 0:
					base.kind, base.num, base.typ = kZero, isNumType(vs.Type), vs.Type
					for _, l := range lhs {
						add(l, base)
					}
				case len(vs.Values) == len(lhs):
					for i, l := range lhs {
						as := base
						as.rhs = vs.Values[i]
						add(l, as)
					}
				default:
					multiAssign(f, lhs, vs.Values, base, add)
				}
			}
		case *ast.FuncLit:
			fi.lits = append(fi.lits, n)
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				for _, l := range []ast.Expr{n.Key, n.Value} {
					if l != nil {
						add(l, assign{pos: n.X.End(), cond: cond > 0, kind: kUnknown, define: true})
					}
				}
			}
		case *ast.CallExpr:
			if row, target := a.bindCall(evalCtx{f: f, fn: fn}, n); row != nil {
				if id, ok := target.(*ast.Ident); ok {
					add(id, assign{pos: n.End(), cond: cond > 0, kind: kBind, call: n, row: row})
				}
			}
		}
		return true
	})
	return fi
}

// condBody reports whether child is a part of parent that may not run.
func condBody(parent, child ast.Node) bool {
	switch p := parent.(type) {
	case *ast.IfStmt:
		return child == ast.Node(p.Body) || (p.Else != nil && child == p.Else)
	case *ast.ForStmt:
		return child == ast.Node(p.Body)
	case *ast.RangeStmt:
		return child == ast.Node(p.Body)
	case *ast.FuncLit:
		return child == ast.Node(p.Body)
	case *ast.BlockStmt: // the clauses of switch and select bodies
		switch child.(type) {
		case *ast.CaseClause, *ast.CommClause:
			return true
		}
	}
	return false
}

// multiAssign handles `a, b := f()`: the value of a is known for a few calls.
func multiAssign(f *file, lhs, rhs []ast.Expr, base assign, add func(ast.Expr, assign)) {
	unknown := base
	unknown.kind = kUnknown
	for i, l := range lhs {
		as := unknown
		if len(rhs) == 1 {
			as.rhs, as.tuple = rhs[0], i+1
		}
		if i == 0 && len(rhs) == 1 {
			if call, ok := rhs[0].(*ast.CallExpr); ok && len(call.Args) > 0 {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
					switch f.pkgOf(sel.X) + "." + sel.Sel.Name {
					case "os.LookupEnv", "syscall.Getenv":
						as = base
						as.kind, as.rhs = kLookup, call.Args[0]
					case "strconv.Atoi", "strconv.ParseInt", "strconv.ParseUint":
						as = base
						as.kind, as.rhs, as.num = kAtoi, call.Args[0], true
					}
				}
			}
		}
		add(l, as)
	}
}

// callSites returns the calls of a function: key is "<import path>.<name>"
// for functions, "method.<name>" for methods (the module index, built over
// every package the analysis parsed, so the answer does not depend on
// which main asks).
func (a *analyzer) callSites(key string) []callSite {
	return a.shared.calls[key]
}

// callSitesOf returns the calls that may run fn: of a function, its calls;
// of a method, every method call of that name whose arguments fn can take
// (another type's w.Run(ctx) is not Server.Run(ctx, addr, port), as in
// navidrome). One argument that is itself a call may spread several values.
func (a *analyzer) callSitesOf(f *file, fn *ast.FuncDecl) []callSite {
	if fn.Recv == nil {
		return a.callSites(f.pkg.path + "." + fn.Name.Name)
	}
	if cs, ok := a.siteLists[fn]; ok {
		return cs
	}
	cs := a.methodCallSites(fn)
	a.siteLists[fn] = cs
	return cs
}

func (a *analyzer) methodCallSites(fn *ast.FuncDecl) []callSite {
	want, variadic := fn.Type.Params.NumFields(), false
	if l := fn.Type.Params.List; len(l) > 0 {
		_, variadic = l[len(l)-1].Type.(*ast.Ellipsis)
	}
	var out []callSite
	for _, cs := range a.callSites("method." + fn.Name.Name) {
		n := len(cs.call.Args)
		spread := false
		if n == 1 {
			_, spread = cs.call.Args[0].(*ast.CallExpr)
		}
		if n == want || variadic && n >= want-1 || spread && want > 1 {
			out = append(out, cs)
		}
	}
	return out
}
