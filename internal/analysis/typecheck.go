package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
)

// Type information covers the module's own packages only. Every import
// from outside the module (the standard library included) is a fake
// package whose names are all of the invalid type: go/types then resolves
// what matters here — the module's consts, vars, struct fields, functions
// and methods, across its packages — without reading a dependency, so the
// facts cannot depend on the module cache. Library calls are recognised by
// their import path and name (models.go), never by their types.

// typeCheckAll prepares type checking, which happens on demand: a package
// is checked when the evaluator first needs its declarations (typesOf),
// after the module packages it imports. Most packages of a large module
// are never needed. Type errors are expected (every library name is
// invalid) and ignored: a package that does not type-check still yields
// the objects it declares.
func (a *analyzer) typeCheckAll() {
	a.topoOrder()
}

// topoOrder numbers a.all so that every package comes after the module
// packages it imports; an import cycle (which go build rejects) is cut.
func (a *analyzer) topoOrder() {
	state := map[*pkg]int{} // 1 visiting, 2 done
	n := 0
	var visit func(p *pkg)
	visit = func(p *pkg) {
		if state[p] != 0 {
			return
		}
		state[p] = 1
		for _, ip := range p.bp.Imports {
			if q := a.localPkg(ip); q != nil && state[q] == 0 {
				visit(q)
			}
		}
		state[p] = 2
		p.topo = n
		n++
	}
	for _, p := range a.all {
		visit(p)
	}
}

// typesOf returns a package's types, checking it on first use.
func (a *analyzer) typesOf(p *pkg) *types.Package {
	p.typeOnce.Do(func() { a.typeCheck(p) })
	return p.types
}

// infoOf returns a package's declarations (Defs), checking it on first use.
func (a *analyzer) infoOf(p *pkg) *types.Info {
	a.typesOf(p)
	return p.info
}

func (a *analyzer) typeCheck(p *pkg) {
	for _, f := range p.files {
		fillSigs(f)
	}
	fakes := a.fakePackages(p)
	conf := types.Config{
		Importer: importerFunc(func(ip string) (*types.Package, error) {
			// Only packages before p in dependency order: a later one is
			// an import cycle, which go build rejects.
			if q := a.localPkg(ip); q != nil && q.topo < p.topo {
				if t := a.typesOf(q); t != nil {
					return t, nil
				}
			}
			return fakeFor(fakes, ip), nil
		}),
		Error:                    func(error) {},
		FakeImportC:              true,
		DisableUnusedImportCheck: true,
		IgnoreFuncBodies:         true,
	}
	files := make([]*ast.File, len(p.files))
	for i, f := range p.files {
		files[i] = f.ast
	}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}}
	p.types, _ = conf.Check(p.path, a.fset, files, info)
	p.info = info
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func fakeFor(fakes map[string]*types.Package, ip string) *types.Package {
	if fp, ok := fakes[ip]; ok {
		return fp
	}
	fp := types.NewPackage(ip, fakeName(ip))
	fp.MarkComplete()
	fakes[ip] = fp
	return fp
}

// fakeName is the name a fake package is used by: the same guess the
// files' import names are resolved with (load.go's packageName).
func fakeName(ip string) string {
	return guessName(ip)
}

func lastElem(ip string) string {
	for i := len(ip) - 1; i >= 0; i-- {
		if ip[i] == '/' {
			return ip[i+1:]
		}
	}
	return ip
}

// fakePackages declares, for every import from outside the module, each
// name p's files use from it: a type name where it is used as a type, a
// variable otherwise, all of the invalid type, so the checker reports
// nothing about them and carries on. Only what the declaration-only check
// sees counts: declarations, and struct types inside bodies (localStruct
// checks those).
func (a *analyzer) fakePackages(p *pkg) map[string]*types.Package {
	parts := make([]map[string]map[string]bool, len(p.files))
	for i, f := range p.files {
		m := map[string]map[string]bool{}
		typeSel := map[*ast.SelectorExpr]bool{}
		visit := func(n ast.Node) {
			markTypes(n, typeSel)
			ast.Inspect(n, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				ip := f.pkgOf(sel.X)
				if ip == "" || ip == "C" || a.localPkg(ip) != nil {
					return true
				}
				if m[ip] == nil {
					m[ip] = map[string]bool{}
				}
				m[ip][sel.Sel.Name] = m[ip][sel.Sel.Name] || typeSel[sel]
				return true
			})
		}
		for _, d := range f.ast.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				visit(d)
				continue
			}
			if fd.Recv != nil {
				visit(fd.Recv)
			}
			visit(fd.Type)
			if fd.Body != nil {
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					if st, ok := n.(*ast.StructType); ok {
						visit(st)
						return false
					}
					return true
				})
			}
		}
		parts[i] = m
	}
	names := map[string]map[string]bool{} // path → name → used as a type
	for _, m := range parts {
		for ip, ns := range m {
			if names[ip] == nil {
				names[ip] = map[string]bool{}
			}
			for n, isType := range ns {
				names[ip][n] = names[ip][n] || isType
			}
		}
	}
	paths := make([]string, 0, len(names))
	for ip := range names {
		paths = append(paths, ip)
	}
	sort.Strings(paths)
	fakes := map[string]*types.Package{}
	invalid := types.Typ[types.Invalid]
	for _, ip := range paths {
		fp := types.NewPackage(ip, fakeName(ip))
		for name, isType := range names[ip] {
			if isType {
				fp.Scope().Insert(types.NewTypeName(token.NoPos, fp, name, invalid))
			} else {
				fp.Scope().Insert(types.NewVar(token.NoPos, fp, name, invalid))
			}
		}
		fp.MarkComplete()
		fakes[ip] = fp
	}
	return fakes
}

// markTypes records the selector expressions of a file that stand in a
// type position (field, parameter and variable types, composite literal
// types, conversions to named types are left as values).
func markTypes(f ast.Node, out map[*ast.SelectorExpr]bool) {
	var typ func(e ast.Expr)
	typ = func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.SelectorExpr:
			out[e] = true
		case *ast.StarExpr:
			typ(e.X)
		case *ast.ArrayType:
			typ(e.Elt)
		case *ast.MapType:
			typ(e.Key)
			typ(e.Value)
		case *ast.ChanType:
			typ(e.Value)
		case *ast.Ellipsis:
			typ(e.Elt)
		case *ast.ParenExpr:
			typ(e.X)
		case *ast.IndexExpr:
			typ(e.X)
			typ(e.Index)
		case *ast.IndexListExpr:
			typ(e.X)
			for _, x := range e.Indices {
				typ(x)
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			typ(n.Type)
		case *ast.ValueSpec:
			typ(n.Type)
		case *ast.TypeSpec:
			typ(n.Type)
		case *ast.CompositeLit:
			typ(n.Type)
		case *ast.TypeAssertExpr:
			typ(n.Type)
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && (id.Name == "new" || id.Name == "make") && len(n.Args) > 0 {
				typ(n.Args[0])
			}
		case *ast.ArrayType, *ast.MapType, *ast.ChanType:
			typ(n.(ast.Expr))
		}
		return true
	})
}
