package analysis

import (
	"go/ast"
	"go/token"
	"strings"
)

// Conditions with their default values: `if cert == "" || key == ""`
// (flags that default to empty) is true when the program starts with no
// flags or env set, so what it guards runs by default; `if *redirect` (a
// bool flag defaulting to false) is not. Listeners behind a condition that
// holds by default are not conditional, and a helper's return under a
// condition that does not hold is not one of its values.

// evalCond evaluates a condition as the program sees it by default; known
// is false when it cannot be told.
func (a *analyzer) evalCond(c evalCtx, e ast.Expr, depth int) (val, known bool) {
	if depth > 8 {
		return false, false
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return a.evalCond(c, e.X, depth+1)
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			v, ok := a.evalCond(c, e.X, depth+1)
			return !v, ok
		}
	case *ast.BinaryExpr:
		switch e.Op {
		case token.LOR, token.LAND:
			x, xok := a.evalCond(c, e.X, depth+1)
			if xok && (x == (e.Op == token.LOR)) {
				return x, true // short circuit
			}
			y, yok := a.evalCond(c, e.Y, depth+1)
			if xok && yok {
				if e.Op == token.LOR {
					return x || y, true
				}
				return x && y, true
			}
			if yok && (y == (e.Op == token.LOR)) {
				return y, true
			}
			return false, false
		case token.EQL, token.NEQ:
			x, xok := a.condString(c, e.X)
			y, yok := a.condString(c, e.Y)
			if !xok || !yok {
				return false, false
			}
			return (x == y) == (e.Op == token.EQL), true
		}
	case *ast.Ident:
		switch e.Name {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		if v, ok := a.cutOK(c, e); ok {
			return v, true
		}
		return a.condBool(c, e)
	case *ast.SelectorExpr, *ast.StarExpr:
		return a.condBool(c, e)
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && c.f.pkgOf(sel.X) == "strings" && len(e.Args) == 2 {
			x, xok := a.condString(c, e.Args[0])
			y, yok := a.condString(c, e.Args[1])
			if xok && yok {
				switch sel.Sel.Name {
				case "HasPrefix":
					return strings.HasPrefix(x, y), true
				case "HasSuffix":
					return strings.HasSuffix(x, y), true
				case "Contains":
					return strings.Contains(x, y), true
				}
			}
		}
	}
	return false, false
}

// condString is a value as a condition compares it: a setting with no
// default is empty (an unset env var, an empty flag).
func (a *analyzer) condString(c evalCtx, e ast.Expr) (string, bool) {
	saved := a.condMode
	a.condMode = true
	v := a.eval(c, e, 0)
	a.condMode = saved
	var b strings.Builder
	for _, p := range v.parts {
		switch {
		case p.unknown:
			return "", false
		case p.cfg() && p.hasDef:
			b.WriteString(p.def)
		case p.cfg():
		default:
			b.WriteString(p.lit)
		}
	}
	return b.String(), true
}

func (a *analyzer) condBool(c evalCtx, e ast.Expr) (bool, bool) {
	s, ok := a.condString(c, e)
	switch {
	case !ok:
		return false, false
	case s == "true" || s == "1":
		return true, true
	case s == "false" || s == "0" || s == "":
		return false, true
	}
	return false, false
}

// cutOK evaluates the ok of `after, ok := strings.CutPrefix(s, prefix)`.
func (a *analyzer) cutOK(c evalCtx, id *ast.Ident) (bool, bool) {
	if c.fn == nil {
		return false, false
	}
	list := a.funcIndex(c.f, c.fn).assigns[id.Name]
	for i := len(list) - 1; i >= 0; i-- {
		as := list[i]
		if as.pos >= id.Pos() {
			continue
		}
		call, ok := as.rhs.(*ast.CallExpr)
		if !ok || as.tuple != 2 || len(call.Args) != 2 {
			return false, false
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || c.f.pkgOf(sel.X) != "strings" {
			return false, false
		}
		x, xok := a.condString(c, call.Args[0])
		y, yok := a.condString(c, call.Args[1])
		if !xok || !yok {
			return false, false
		}
		switch sel.Sel.Name {
		case "CutPrefix":
			return strings.HasPrefix(x, y), true
		case "CutSuffix":
			return strings.HasSuffix(x, y), true
		case "Cut":
			return strings.Contains(x, y), true
		}
		return false, false
	}
	return false, false
}

// maxCondNest bounds how deep default-path checks nest (see condNest).
const maxCondNest = 2

// deadByDefault reports whether node, inside body, sits in an if or else
// branch that does not run by default.
func (a *analyzer) deadByDefault(c evalCtx, body ast.Node, node ast.Node) bool {
	if a.condNest >= maxCondNest {
		return false
	}
	a.condNest++
	defer func() { a.condNest-- }()
	dead := false
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		ast.Inspect(n, func(ch ast.Node) bool {
			if dead || ch == nil || node.Pos() < ch.Pos() || node.Pos() >= ch.End() {
				return false
			}
			ifs, ok := ch.(*ast.IfStmt)
			if !ok {
				return true
			}
			v, known := a.evalCond(c, ifs.Cond, 0)
			inBody := ifs.Body.Pos() <= node.Pos() && node.Pos() < ifs.Body.End()
			inElse := ifs.Else != nil && ifs.Else.Pos() <= node.Pos() && node.Pos() < ifs.Else.End()
			if known && ((inBody && !v) || (inElse && v)) {
				dead = true
				return false
			}
			return true
		})
	}
	walk(body)
	return dead
}

// runsByDefault reports whether child, a branch of an if, runs when the
// program starts with its defaults.
func (a *analyzer) runsByDefault(c evalCtx, parent, child ast.Node) bool {
	ifs, ok := parent.(*ast.IfStmt)
	if !ok {
		return false
	}
	v, known := a.condByDefault(c, ifs)
	if !known {
		return false
	}
	if child == ast.Node(ifs.Body) {
		return v
	}
	return !v // the else branch
}

// condKey is one if statement's condition as evaluated from the top for
// one main (its closure decides which stores count).
type condKey struct {
	ifs      *ast.IfStmt
	main     string
	condMode bool
	noParams bool
}

type condVal struct{ v, known bool }

// condByDefault evaluates an if's condition with the program's defaults.
// From the top (a fresh step budget) and without bound arguments the
// answer depends on the statement and the main alone, so it is kept:
// reachability asks about the same ifs for every caller of every site
// (navidrome asked 466,000 times).
func (a *analyzer) condByDefault(c evalCtx, ifs *ast.IfStmt) (v, known bool) {
	pure := !a.inEval && c.args == nil && c.argCtx == nil
	k := condKey{ifs, a.mainRel, a.condMode, c.noParams}
	if pure {
		if r, ok := a.condCache[k]; ok {
			return r.v, r.known
		}
	}
	a.top(func() { v, known = a.evalCond(c, ifs.Cond, 0) })
	if pure {
		a.condCache[k] = condVal{v, known}
	}
	return v, known
}
