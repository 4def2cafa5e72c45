package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
	"sync"
)

// checkExprMu serialises types.CheckExpr calls on the module's packages.
var checkExprMu sync.Mutex

// The module's declarations are type-checked (typecheck.go); function
// bodies are not, which would cost several times more than parsing. What a
// body needs is worked out on demand here, for the few expressions on the
// way to a listen call: the type of a local variable from the assignment
// that defines it, of a parameter or receiver from its declaration, of a
// call from the callee's signature. Anything else is nil (unknown).

// scopeObj looks a name up at package level in the file's package, then
// in the universe.
func (a *analyzer) scopeObj(f *file, name string) types.Object {
	if t := a.typesOf(f.pkg); t != nil {
		if o := t.Scope().Lookup(name); o != nil {
			return o
		}
	}
	return types.Universe.Lookup(name)
}

// pkgObj returns the package-level object pkg.name of a module package
// imported by f as x, or nil.
func (a *analyzer) pkgObj(f *file, x ast.Expr, name string) types.Object {
	ip := f.pkgOf(x)
	if ip == "" {
		return nil
	}
	p := a.localPkg(ip)
	if p == nil || a.typesOf(p) == nil {
		return nil
	}
	return p.types.Scope().Lookup(name)
}

// typeExpr resolves a type written in f.
func (a *analyzer) typeExpr(f *file, e ast.Expr) types.Type {
	switch e := e.(type) {
	case *ast.Ident:
		if tn, ok := a.scopeObj(f, e.Name).(*types.TypeName); ok {
			return tn.Type()
		}
	case *ast.SelectorExpr:
		if tn, ok := a.pkgObj(f, e.X, e.Sel.Name).(*types.TypeName); ok {
			return tn.Type()
		}
	case *ast.StarExpr:
		if t := a.typeExpr(f, e.X); t != nil {
			return types.NewPointer(t)
		}
	case *ast.ParenExpr:
		return a.typeExpr(f, e.X)
	case *ast.ArrayType:
		if t := a.typeExpr(f, e.Elt); t != nil {
			return types.NewSlice(t)
		}
	case *ast.MapType:
		k, v := a.typeExpr(f, e.Key), a.typeExpr(f, e.Value)
		if k != nil && v != nil {
			return types.NewMap(k, v)
		}
	case *ast.IndexExpr: // a generic type: its origin is enough here
		return a.typeExpr(f, e.X)
	case *ast.StructType:
		return a.localStruct(f, e)
	}
	return nil
}

// localStruct types a struct type written inside a function body
// (cfg := struct{ Web struct{ Addr string } }{}), which the declaration-only
// check skipped. It is checked once and shared, so every lookup of its
// fields finds the same objects.
func (a *analyzer) localStruct(f *file, st *ast.StructType) types.Type {
	if t, ok := a.shared.localStructs.Load(st); ok {
		return t.(types.Type)
	}
	if a.typesOf(f.pkg) == nil {
		return nil
	}
	checkExprMu.Lock()
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}}
	_ = types.CheckExpr(a.fset, f.pkg.types, st.Pos(), st, info) // in the file scope: its imports
	checkExprMu.Unlock()
	tv, ok := info.Types[st]
	if !ok || tv.Type == nil {
		return nil
	}
	t, loaded := a.shared.localStructs.LoadOrStore(st, tv.Type)
	if !loaded {
		for id, o := range info.Defs {
			if v, ok := o.(*types.Var); ok && v.IsField() {
				a.shared.fieldIdents.Store(id, v)
			}
		}
	}
	a.recordStruct(t.(types.Type), 0)
	return t.(types.Type)
}

// typeOf infers the type of e in c, or nil.
func (a *analyzer) typeOf(c evalCtx, e ast.Expr) types.Type {
	return a.typeOfDepth(c, e, 0)
}

func (a *analyzer) typeOfDepth(c evalCtx, e ast.Expr, depth int) types.Type {
	if depth > 12 || e == nil {
		return nil
	}
	depth++
	switch e := e.(type) {
	case *ast.ParenExpr:
		return a.typeOfDepth(c, e.X, depth)
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			if t := a.typeOfDepth(c, e.X, depth); t != nil {
				return types.NewPointer(t)
			}
		}
	case *ast.StarExpr:
		if p, ok := under(a.typeOfDepth(c, e.X, depth)).(*types.Pointer); ok {
			return p.Elem()
		}
	case *ast.CompositeLit:
		return a.typeExpr(c.f, e.Type)
	case *ast.IndexExpr:
		switch t := under(a.typeOfDepth(c, e.X, depth)).(type) {
		case *types.Slice:
			return t.Elem()
		case *types.Map:
			return t.Elem()
		case *types.Array:
			return t.Elem()
		}
	case *ast.Ident:
		return a.identType(c, e, depth)
	case *ast.SelectorExpr:
		if o := a.pkgObj(c.f, e.X, e.Sel.Name); o != nil {
			return objType(o)
		}
		if obj := a.selectObj(c, e, depth); obj != nil {
			return objType(obj)
		}
	case *ast.CallExpr:
		return a.callType(c, e, 0, depth)
	}
	return nil
}

func objType(o types.Object) types.Type {
	switch o := o.(type) {
	case *types.Var, *types.Const:
		return o.Type()
	case *types.Func:
		return o.Type()
	}
	return nil
}

// callType is the type of result i of a call.
func (a *analyzer) callType(c evalCtx, call *ast.CallExpr, i int, depth int) types.Type {
	if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "new" && len(call.Args) == 1 {
		if t := a.typeExpr(c.f, call.Args[0]); t != nil {
			return types.NewPointer(t)
		}
		return nil
	}
	if t := a.typeExpr(c.f, call.Fun); t != nil { // a conversion
		if i == 0 {
			return t
		}
		return nil
	}
	sig, ok := under(a.typeOfDepth(c, call.Fun, depth)).(*types.Signature)
	if !ok || i >= sig.Results().Len() {
		return nil
	}
	return sig.Results().At(i).Type()
}

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

// identType is the type of a local variable, parameter, receiver or
// package-level name.
func (a *analyzer) identType(c evalCtx, id *ast.Ident, depth int) types.Type {
	if c.fn != nil {
		fi := a.funcIndex(c.f, c.fn)
		list := fi.assigns[id.Name]
		for i := len(list) - 1; i >= 0; i-- {
			as := list[i]
			if as.pos >= id.Pos() {
				continue
			}
			switch {
			case as.typ != nil:
				return a.typeExpr(c.f, as.typ)
			case as.tuple > 0:
				if call, ok := as.rhs.(*ast.CallExpr); ok {
					return a.callType(c, call, as.tuple-1, depth)
				}
				return nil
			case as.rhs != nil && as.kind == kExpr:
				return a.typeOfDepth(c, as.rhs, depth)
			}
			return nil
		}
		if t := paramType(c.fn, id.Name); t != nil {
			return a.typeExpr(c.f, t)
		}
		// a parameter of a closure around the name (func(srvr *Server) {...})
		for _, lit := range fi.lits {
			if lit.Pos() <= id.Pos() && id.Pos() < lit.End() {
				for _, fld := range lit.Type.Params.List {
					for _, n := range fld.Names {
						if n.Name == id.Name {
							return a.typeExpr(c.f, fld.Type)
						}
					}
				}
			}
		}
	}
	return objType(a.scopeObj(c.f, id.Name))
}

// paramType returns the declared type of a parameter or the receiver.
func paramType(fn *ast.FuncDecl, name string) ast.Expr {
	lists := []*ast.FieldList{fn.Recv, fn.Type.Params}
	for _, l := range lists {
		if l == nil {
			continue
		}
		for _, fld := range l.List {
			for _, n := range fld.Names {
				if n.Name == name {
					return fld.Type
				}
			}
		}
	}
	return nil
}

// selectObj resolves x.Sel to a field or method of a module type.
func (a *analyzer) selectObj(c evalCtx, e *ast.SelectorExpr, depth int) types.Object {
	t := a.typeOfDepth(c, e.X, depth)
	if t == nil {
		return nil
	}
	// Unexported names resolve in the package the code is written in.
	obj, _, _ := types.LookupFieldOrMethod(t, true, a.typesOf(c.f.pkg), e.Sel.Name)
	return obj
}

// fieldOf returns the struct field a selector names, when it is one.
func (a *analyzer) fieldOf(c evalCtx, e *ast.SelectorExpr) *types.Var {
	if v, ok := a.selectObj(c, e, 0).(*types.Var); ok && v.IsField() {
		return v
	}
	return nil
}
