package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// A signal handler alone does not make a program a service: a CLI that
// stops cleanly on Ctrl-C (go func() { <-c; w.Stop() }()) runs to
// completion. What does is waiting for the signal in the program's own
// goroutine: a worker that starts its goroutines and then blocks on
// `<-c`, `s := <-c`, `<-ctx.Done()` of signal.NotifyContext, or a select
// whose every case is such a receive, as a step of a function body (not
// under a condition, not in a goroutine); or loops forever until the
// signal comes: `for { select { case <-tick.C: ...; case <-c: return } }`
// with no way out of the loop but the signal's case. Listeners, servers'
// Serve and select {} count on their own (scan.go).

// scanSignalWait records the blocking signal receives of one declaration.
func (a *analyzer) scanSignalWait(ff *fileFacts, f *file, d ast.Decl) {
	chans := signalChans(f, d)
	if len(chans) == 0 {
		return
	}
	isSig := func(e ast.Expr) bool {
		u, ok := ast.Unparen(e).(*ast.UnaryExpr)
		return ok && u.Op == token.ARROW && chans[types.ExprString(ast.Unparen(u.X))]
	}
	waits := func(st ast.Stmt) bool {
		switch st := st.(type) {
		case *ast.ExprStmt:
			return isSig(st.X)
		case *ast.AssignStmt:
			return len(st.Rhs) == 1 && isSig(st.Rhs[0])
		case *ast.SelectStmt:
			n := 0
			for _, cl := range st.Body.List {
				cc, ok := cl.(*ast.CommClause)
				if !ok || cc.Comm == nil { // default: the select does not block
					return false
				}
				switch comm := cc.Comm.(type) {
				case *ast.ExprStmt:
					if !isSig(comm.X) {
						return false
					}
				case *ast.AssignStmt:
					if len(comm.Rhs) != 1 || !isSig(comm.Rhs[0]) {
						return false
					}
				default:
					return false
				}
				n++
			}
			return n > 0
		case *ast.ForStmt:
			return st.Cond == nil && untilSignal(f, st, isSig)
		}
		return false
	}
	body := func(b *ast.BlockStmt) {
		if b == nil {
			return
		}
		for _, st := range b.List {
			if waits(st) {
				ff.longAt = append(ff.longAt, siteRef{f, d, st.Pos(), false})
				return
			}
		}
	}
	if fd, ok := d.(*ast.FuncDecl); ok {
		body(fd.Body)
	}
	// Closures that run in the caller's goroutine (cobra's RunE, a called
	// func literal); not those started with go or handed to a group's Go.
	inGo := map[*ast.FuncLit]bool{}
	ast.Inspect(d, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
				inGo[lit] = true
			}
		case *ast.CallExpr:
			if callName(n) == "Go" {
				for _, arg := range n.Args {
					if lit, ok := ast.Unparen(arg).(*ast.FuncLit); ok {
						inGo[lit] = true
					}
				}
			}
		case *ast.FuncLit:
			if !inGo[n] {
				body(n.Body)
			}
		}
		return true
	})
}

// signalChans are the expressions a declaration's signal.Notify calls
// deliver to ("c", "s.quit"), and "ctx.Done()" for
// ctx, stop := signal.NotifyContext(...).
func signalChans(f *file, d ast.Decl) map[string]bool {
	out := map[string]bool{}
	ast.Inspect(d, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if ok && f.pkgOf(sel.X) == "os/signal" && sel.Sel.Name == "Notify" && len(n.Args) > 0 {
				out[types.ExprString(ast.Unparen(n.Args[0]))] = true
			}
		case *ast.AssignStmt:
			if len(n.Rhs) != 1 || len(n.Lhs) == 0 {
				return true
			}
			call, ok := n.Rhs[0].(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && f.pkgOf(sel.X) == "os/signal" && sel.Sel.Name == "NotifyContext" {
				out[types.ExprString(n.Lhs[0])+".Done()"] = true
			}
		}
		return true
	})
	return out
}

// untilSignal reports whether an endless loop runs until a signal: a
// select in it has a case receiving one, and nothing outside such cases
// leaves the loop (return, break out of it, goto, os.Exit, Fatal).
func untilSignal(f *file, loop *ast.ForStmt, isSig func(ast.Expr) bool) bool {
	sigCase := func(cc *ast.CommClause) bool {
		switch comm := cc.Comm.(type) {
		case *ast.ExprStmt:
			return isSig(comm.X)
		case *ast.AssignStmt:
			return len(comm.Rhs) == 1 && isSig(comm.Rhs[0])
		}
		return false
	}
	waits, exits := false, false
	var walk func(n ast.Node, nested bool)
	walk = func(n ast.Node, nested bool) {
		ast.Inspect(n, func(ch ast.Node) bool {
			if exits || ch == nil || ch == n {
				return !exits
			}
			switch ch := ch.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CommClause:
				if sigCase(ch) {
					waits = true
					return false // leaving on the signal is the point
				}
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				walk(ch, true) // an unlabeled break there leaves that statement
				return false
			case *ast.ReturnStmt:
				exits = true
			case *ast.BranchStmt:
				exits = ch.Tok == token.GOTO || ch.Tok == token.BREAK && (ch.Label != nil || !nested)
			case *ast.CallExpr:
				if sel, ok := ch.Fun.(*ast.SelectorExpr); ok {
					name := sel.Sel.Name
					exits = f.pkgOf(sel.X) == "os" && name == "Exit" || strings.HasPrefix(name, "Fatal")
				}
			}
			return !exits
		})
	}
	walk(loop.Body, false)
	return waits && !exits
}
