package analysis

import (
	"go/ast"
	"go/token"
)

// cut is a stretch of a file left out of the text given to the parser:
// the bytes removed right after compact offset at, n of them.
type cut struct{ at, n int }

// shiftPositions moves every position in f from the compacted text (the
// file with the cuts removed, parsed at base) to the file's own: a position
// past a cut moves by the bytes the cut removed. The parser never scans the
// removed bytes, which is the point (lazy.go). Each cut is inside a
// function, so a declaration moves as one, but for what follows a cut
// inside it: the closing parenthesis of blank parameters, and the braces
// of a body after a blank signature or around a blank body.
func shiftPositions(f *ast.File, base int, cuts []cut) {
	k, by := 0, 0 // cuts before the declaration, and what they removed
	for _, d := range f.Decls {
		for k < len(cuts) && cuts[k].at+base <= int(d.Pos()) {
			by += cuts[k].n
			k++
		}
		if by != 0 {
			shiftNode(d, token.Pos(by))
		}
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		inner := 0
		for _, p := range [...]*token.Pos{&fd.Type.Params.Closing, &fd.Body.Lbrace, &fd.Body.Rbrace} {
			for k < len(cuts) && cuts[k].at+base+by <= int(*p) {
				inner += cuts[k].n
				k++
			}
			*p += token.Pos(inner)
		}
		by += inner
	}
}

// shiftNode moves every position in the tree by by.
func shiftNode(root ast.Node, by token.Pos) {
	mv := func(p *token.Pos) {
		if p.IsValid() {
			*p += by
		}
	}
	ast.Inspect(root, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.File:
			mv(&x.Package)
			// FileStart and FileEnd are the caller's
		case *ast.Comment:
			mv(&x.Slash)
		case *ast.FieldList:
			mv(&x.Opening)
			mv(&x.Closing)
		case *ast.BadExpr:
			mv(&x.From)
			mv(&x.To)
		case *ast.Ident:
			mv(&x.NamePos)
		case *ast.Ellipsis:
			mv(&x.Ellipsis)
		case *ast.BasicLit:
			mv(&x.ValuePos)
			mv(&x.ValueEnd)
		case *ast.CompositeLit:
			mv(&x.Lbrace)
			mv(&x.Rbrace)
		case *ast.ParenExpr:
			mv(&x.Lparen)
			mv(&x.Rparen)
		case *ast.IndexExpr:
			mv(&x.Lbrack)
			mv(&x.Rbrack)
		case *ast.IndexListExpr:
			mv(&x.Lbrack)
			mv(&x.Rbrack)
		case *ast.SliceExpr:
			mv(&x.Lbrack)
			mv(&x.Rbrack)
		case *ast.TypeAssertExpr:
			mv(&x.Lparen)
			mv(&x.Rparen)
		case *ast.CallExpr:
			mv(&x.Lparen)
			mv(&x.Ellipsis)
			mv(&x.Rparen)
		case *ast.StarExpr:
			mv(&x.Star)
		case *ast.UnaryExpr:
			mv(&x.OpPos)
		case *ast.BinaryExpr:
			mv(&x.OpPos)
		case *ast.KeyValueExpr:
			mv(&x.Colon)
		case *ast.ArrayType:
			mv(&x.Lbrack)
		case *ast.StructType:
			mv(&x.Struct)
		case *ast.FuncType:
			mv(&x.Func)
		case *ast.InterfaceType:
			mv(&x.Interface)
		case *ast.MapType:
			mv(&x.Map)
		case *ast.ChanType:
			mv(&x.Begin)
			mv(&x.Arrow)
		case *ast.BadStmt:
			mv(&x.From)
			mv(&x.To)
		case *ast.EmptyStmt:
			mv(&x.Semicolon)
		case *ast.LabeledStmt:
			mv(&x.Colon)
		case *ast.SendStmt:
			mv(&x.Arrow)
		case *ast.IncDecStmt:
			mv(&x.TokPos)
		case *ast.AssignStmt:
			mv(&x.TokPos)
		case *ast.GoStmt:
			mv(&x.Go)
		case *ast.DeferStmt:
			mv(&x.Defer)
		case *ast.ReturnStmt:
			mv(&x.Return)
		case *ast.BranchStmt:
			mv(&x.TokPos)
		case *ast.BlockStmt:
			mv(&x.Lbrace)
			mv(&x.Rbrace)
		case *ast.IfStmt:
			mv(&x.If)
		case *ast.CaseClause:
			mv(&x.Case)
			mv(&x.Colon)
		case *ast.SwitchStmt:
			mv(&x.Switch)
		case *ast.TypeSwitchStmt:
			mv(&x.Switch)
		case *ast.CommClause:
			mv(&x.Case)
			mv(&x.Colon)
		case *ast.SelectStmt:
			mv(&x.Select)
		case *ast.ForStmt:
			mv(&x.For)
		case *ast.RangeStmt:
			mv(&x.For)
			mv(&x.TokPos)
			mv(&x.Range)
		case *ast.ImportSpec:
			mv(&x.EndPos)
		case *ast.TypeSpec:
			mv(&x.Assign)
		case *ast.BadDecl:
			mv(&x.From)
			mv(&x.To)
		case *ast.GenDecl:
			mv(&x.TokPos)
			mv(&x.Lparen)
			mv(&x.Rparen)
		}
		return true
	})
}
