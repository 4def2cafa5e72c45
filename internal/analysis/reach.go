package analysis

import (
	"cmp"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"
)

// Reachability from main. A listen call counts for a binary only when the
// binary's main (or an init, or a package-level initializer) can get to it
// through the module's own code: static calls, references to functions
// (handlers, cobra's RunE: serve), method calls resolved by the receiver's
// type, interface calls conservatively (every module method of that name).
// The way there also tells whether the listener is conditional (behind an
// if, a switch case, a loop) and whether it runs only for a CLI subcommand
// (cobra Use: "serve", urfave Name: "serve", kingpin's app.Command("serve"),
// kong's cmd:"" structs, switch os.Args[1] { case "serve": }).

// ref is one reference to a module function or method.
type ref struct {
	f    *file
	decl ast.Decl      // the top-level declaration holding it
	fn   *ast.FuncDecl // nil at package level
	pos  token.Pos
	recv ast.Expr // x in x.Method, for method references
	sub  string   // a synthetic edge's subcommand (kong)
}

// refs returns the references indexed by "<import path>.<func>" or
// "method.<name>" (the module index).
func (a *analyzer) refs(key string) []ref {
	return a.shared.refs[key]
}

// callers returns the references that can run fd (kept: reachability asks
// for the same functions' callers for every site).
func (a *analyzer) callers(f *file, fd *ast.FuncDecl) []ref {
	if rs, ok := a.callerCache[fd]; ok {
		return rs
	}
	rs := a.findCallers(f, fd)
	a.callerCache[fd] = rs
	return rs
}

func (a *analyzer) findCallers(f *file, fd *ast.FuncDecl) []ref {
	if fd.Recv == nil {
		var out []ref
		for _, r := range a.refs(f.pkg.path + "." + fd.Name.Name) {
			if r.fn != nil && r.fn.Name.Pos() <= r.pos && r.pos < r.fn.Name.End() {
				continue // its own declaration
			}
			if r.fn != nil && localShadow(a.funcIndex(r.f, r.fn), fd.Name.Name) {
				continue
			}
			out = append(out, r)
		}
		return out
	}
	obj, _ := a.infoOf(f.pkg).Defs[fd.Name].(*types.Func)
	synthetic := a.kongCallers(obj)
	var out []ref
	for _, r := range a.refs("method." + fd.Name.Name) {
		if a.methodMayBe(r, obj) && !(len(synthetic) > 0 && a.dispatchCall(r)) {
			out = append(out, r)
		}
	}
	return append(out, synthetic...)
}

func localShadow(fi *funcIndex, name string) bool {
	if _, ok := fi.params[name]; ok {
		return true
	}
	for _, as := range fi.assigns[name] {
		if as.define {
			return true
		}
	}
	return false
}

// methodMayBe reports whether x.M at r may call method obj: yes when x's
// type has that very method, or is an interface with M (any
// implementation may be called), or cannot be worked out and does not come
// from a library.
func (a *analyzer) methodMayBe(r ref, obj *types.Func) bool {
	rt, ok := a.recvTypes[r.recv]
	if !ok {
		c := evalCtx{f: r.f, fn: r.fn}
		rt.t = a.typeOf(c, r.recv)
		rt.local = rt.t == nil && a.origin(c, r.recv, 0) == ""
		a.recvTypes[r.recv] = rt
	}
	t := rt.t
	if t == nil {
		return rt.local
	}
	if _, ok := t.Underlying().(*types.Interface); ok {
		return true
	}
	if p, ok := t.(*types.Pointer); ok {
		if _, ok := p.Elem().Underlying().(*types.Interface); ok {
			return true
		}
	}
	if obj == nil {
		return false
	}
	o, _, _ := types.LookupFieldOrMethod(t, true, obj.Pkg(), obj.Name())
	return o == obj
}

// recvType is the type of a method call's receiver, worked out once per
// call and worker (a method name like Close has hundreds of calls, each
// asked about for every method of that name); local: no type, and not a
// library's value.
type recvType struct {
	t     types.Type
	local bool
}

// reachState is how a declaration is reached from main.
type reachState struct {
	ok   bool   // reachable at all
	cond bool   // only through an if, a case or a loop
	sub  string // only through this CLI subcommand
	bg   bool   // started in a goroutine (go srv.ListenAndServe()) where it is called
}

// edge is a caller → callee step with the caller's context at the call.
type edge struct {
	cond bool
	sub  string
	// deprecated marks a subcommand its CLI marks deprecated (cobra's
	// Deprecated:): another way to the same code is preferred.
	deprecated bool
	// where the reference is, for a stable order
	atFile string
	atLine int
}

// compareSteps orders the edges leaving one declaration: deprecated
// subcommands last, then source order.
func compareSteps(x, y step) int {
	if x.e.deprecated != y.e.deprecated {
		if x.e.deprecated {
			return 1
		}
		return -1
	}
	return cmp.Or(cmp.Compare(x.e.atFile, y.e.atFile), cmp.Compare(x.e.atLine, y.e.atLine))
}

// reach tells how the code at pos in decl is reached from the main being
// analyzed (a.within is its closure; m its package).
func (a *analyzer) reach(m *pkg, f *file, decl ast.Decl, pos token.Pos) reachState {
	cond, sub := a.siteContext(f, decl, pos)
	st := a.reachDecl(m, f, decl)
	if !st.ok {
		return st
	}
	st.bg = inGoStmt(decl, pos)
	st.cond = st.cond || cond
	if st.sub == "" {
		st.sub = sub
	}
	return st
}

// reachGraph is what main m's questions have explored of the call graph:
// declarations found backward from the ones asked about, each with every
// edge into it, and the roots among them. How a declaration is reached
// depends only on its ancestors, all explored by the time it is asked
// about, so one graph answers every question of the main; its searches
// are redone only when it grew. (A search per question, over that
// question's ancestors, took minutes on large services.)
type reachGraph struct {
	id       map[ast.Decl]int32
	explored []bool
	// out[from] are the edges leaving a declaration, to its callees, in
	// the order the searches follow them (compareSteps), so the nearest
	// subcommand is the same on every run.
	out   [][]step
	added []int32 // declarations whose out-lists grew since the last search
	isAdd []bool  // by declaration: in added
	roots []int32 // in the order found
	grown bool
	// Breadth-first from the roots, by which edges are followed: whether
	// each declaration is reached, and the first subcommand on its way.
	reached [nFilters][]bool
	label   [nFilters][]string
	queue   []int32
}

type step struct {
	to int32
	e  edge
}

// The edge filters of the searches.
const (
	fAll           = iota
	fNoSub         // through no subcommand
	fNoSubUncond   // through no subcommand and no condition
	fNotDeprecated // through no deprecated subcommand
	fUncond        // through no condition
	nFilters
)

// reachDecl finds the best way from a root to decl: through no subcommand
// if possible, then unconditionally if possible.
func (a *analyzer) reachDecl(m *pkg, f *file, decl ast.Decl) reachState {
	key := reachKey{m, decl}
	if st, ok := a.reachCache[key]; ok {
		return st
	}
	g := a.reachGraphs[m]
	if g == nil {
		g = &reachGraph{id: map[ast.Decl]int32{}}
		a.reachGraphs[m] = g
	}
	d := a.explore(g, m, f, decl)
	if g.grown {
		g.search()
	}
	st := reachState{}
	if g.reached[fAll][d] {
		st.ok = true
		if g.reached[fNoSub][d] {
			st.cond = !g.reached[fNoSubUncond][d]
		} else {
			// breadth-first from the roots: the nearest subcommand, one
			// that is not deprecated if there is one
			st.sub = g.label[fAll][d]
			if g.reached[fNotDeprecated][d] {
				st.sub = g.label[fNotDeprecated][d]
			}
			st.cond = !g.reached[fUncond][d]
		}
	}
	a.reachCache[key] = st
	return st
}

// node returns decl's number in g, adding it.
func (g *reachGraph) node(decl ast.Decl) int32 {
	if d, ok := g.id[decl]; ok {
		return d
	}
	d := int32(len(g.explored))
	g.id[decl] = d
	g.explored = append(g.explored, false)
	g.out = append(g.out, nil)
	g.isAdd = append(g.isAdd, false)
	return d
}

// explore adds decl and its unexplored ancestors to g, with their edges,
// and returns decl's number.
func (a *analyzer) explore(g *reachGraph, m *pkg, f *file, decl ast.Decl) int32 {
	d := g.node(decl)
	if g.explored[d] {
		return d
	}
	type node struct {
		f    *file
		decl ast.Decl
		d    int32
	}
	g.explored[d], g.grown = true, true
	queue := []node{{f, decl, d}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if a.isRoot(m, n.f, n.decl) {
			g.roots = append(g.roots, n.d)
		}
		fd, ok := n.decl.(*ast.FuncDecl)
		if !ok {
			continue
		}
		for _, r := range a.callers(n.f, fd) {
			if !a.inScope(r.f) {
				continue
			}
			cond, sub := a.siteContext(r.f, r.decl, r.pos)
			if r.sub != "" {
				sub = r.sub
			}
			e := edge{cond: cond, sub: sub}
			at := a.fset.PositionFor(r.pos, false)
			e.atFile, e.atLine = at.Filename, at.Line
			if sub != "" {
				e.deprecated = a.deprecatedCommandAt(r.f, r.decl, r.pos)
			}
			from := g.node(r.decl)
			if !g.isAdd[from] {
				g.isAdd[from] = true
				g.added = append(g.added, from)
			}
			g.out[from] = append(g.out[from], step{n.d, e}) // put in order by search
			if !g.explored[from] {
				g.explored[from] = true
				queue = append(queue, node{r.f, r.decl, from})
			}
		}
	}
	return d
}

// search labels g's declarations from its roots, breadth-first, by every
// filter of edges reachDecl asks about.
func (g *reachGraph) search() {
	g.grown = false
	// The edges in the order the searches follow them: a stable sort keeps
	// equal edges in the order they were found. (Inserting each in place
	// as it was found took seconds on loki: thousands of calls of one
	// function.)
	for _, d := range g.added {
		if list := g.out[d]; !slices.IsSortedFunc(list, compareSteps) {
			slices.SortStableFunc(list, compareSteps)
		}
		g.isAdd[d] = false
	}
	g.added = g.added[:0]
	n := len(g.explored)
	for flt := range nFilters {
		reached := slices.Grow(g.reached[flt][:0], n)[:n]
		label := slices.Grow(g.label[flt][:0], n)[:n]
		clear(reached)
		clear(label)
		q := append(g.queue[:0], g.roots...)
		for _, r := range g.roots {
			reached[r] = true
		}
		for i := 0; i < len(q); i++ {
			d := q[i]
			for _, o := range g.out[d] {
				if reached[o.to] || !allows(flt, o.e) {
					continue
				}
				l := label[d]
				if l == "" {
					l = o.e.sub
				}
				reached[o.to], label[o.to] = true, l
				q = append(q, o.to)
			}
		}
		g.reached[flt], g.label[flt], g.queue = reached, label, q
	}
}

func allows(flt int, e edge) bool {
	switch flt {
	case fNoSub:
		return e.sub == ""
	case fNoSubUncond:
		return e.sub == "" && !e.cond
	case fNotDeprecated:
		return !e.deprecated
	case fUncond:
		return !e.cond
	}
	return true
}

// reachable reports whether main m reaches decl at all.
func (a *analyzer) reachable(m *pkg, f *file, decl ast.Decl) bool {
	return a.reachDecl(m, f, decl).ok
}

type reachKey struct {
	m    *pkg
	decl ast.Decl
}

// isRoot reports whether decl runs when main's binary starts: func main of
// the main package, any init, or a package-level initializer.
func (a *analyzer) isRoot(m *pkg, f *file, decl ast.Decl) bool {
	if !a.inScope(f) {
		return false
	}
	fd, ok := decl.(*ast.FuncDecl)
	if !ok {
		return true
	}
	if fd.Recv != nil {
		return false
	}
	return fd.Name.Name == "init" || (fd.Name.Name == "main" && f.pkg == m)
}

// siteKey is a position as seen by one main (whose defaults decide the
// conditions on the way).
type siteKey struct {
	decl     ast.Decl
	pos      token.Pos
	main     string
	condMode bool
}

type siteVal struct {
	cond bool
	sub  string
}

// siteContext walks decl down to pos and tells whether pos runs only under
// a condition, and only for a CLI subcommand. Outside an evaluation the
// answer depends on the position and the main alone, so it is kept.
func (a *analyzer) siteContext(f *file, decl ast.Decl, pos token.Pos) (cond bool, sub string) {
	if a.inEval {
		return a.walkSiteContext(f, decl, pos)
	}
	k := siteKey{decl, pos, a.mainRel, a.condMode}
	if v, ok := a.siteCache[k]; ok {
		return v.cond, v.sub
	}
	cond, sub = a.walkSiteContext(f, decl, pos)
	a.siteCache[k] = siteVal{cond, sub}
	return cond, sub
}

func (a *analyzer) walkSiteContext(f *file, decl ast.Decl, pos token.Pos) (cond bool, sub string) {
	fn, _ := decl.(*ast.FuncDecl)
	c := evalCtx{f: f, fn: fn}
	conds, caseCond := 0, false
	defer func() { cond = conds > 0 }()
	var stack []ast.Node
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		if n == nil || pos < n.Pos() || pos >= n.End() {
			return
		}
		if len(stack) > 0 {
			parent := stack[len(stack)-1]
			// A subcommand's case or if body is how the CLI dispatches,
			// not a condition within the command.
			if s := a.subOf(c, stack, n); s != "" {
				if s != defaultCommand {
					sub = s
				}
				if _, isCase := parent.(*ast.CaseClause); isCase && caseCond {
					conds--
				}
			} else if _, lit := parent.(*ast.FuncLit); !lit && condBody(parent, n) && !a.runsByDefault(c, parent, n) {
				conds++
			}
			_, caseCond = n.(*ast.CaseClause)
		}
		stack = append(stack, n)
		ast.Inspect(n, func(ch ast.Node) bool {
			if ch == n {
				return true
			}
			if ch != nil && ch.Pos() <= pos && pos < ch.End() {
				walk(ch)
			}
			return false
		})
	}
	walk(decl)
	return cond, sub
}

// inGoStmt reports whether pos is inside a go statement of decl.
func inGoStmt(decl ast.Decl, pos token.Pos) bool {
	found := false
	ast.Inspect(decl, func(n ast.Node) bool {
		if n == nil || found || pos < n.Pos() || pos >= n.End() {
			return false
		}
		if _, ok := n.(*ast.GoStmt); ok {
			found = true
		}
		return !found
	})
	return found
}

// defaultCommand marks a case that runs when no command is given.
const defaultCommand = "\x00default"

// subOf returns the subcommand that entering child from the nodes on
// stack means, or "".
func (a *analyzer) subOf(c evalCtx, stack []ast.Node, child ast.Node) string {
	parent := stack[len(stack)-1]
	switch p := parent.(type) {
	case *ast.KeyValueExpr:
		if child != p.Value || len(stack) < 2 {
			return ""
		}
		lit, ok := stack[len(stack)-2].(*ast.CompositeLit)
		if !ok {
			return ""
		}
		key, _ := p.Key.(*ast.Ident)
		if key == nil {
			return ""
		}
		switch kind := a.commandKind(c.f, lit); kind {
		case mCobraCommand, mUrfaveCommand:
			if kind == mCobraCommand && (key.Name == "Run" || key.Name == "RunE") ||
				kind == mUrfaveCommand && key.Name == "Action" {
				if a.isSubcommand(lit) {
					return a.commandPath(c, lit, kind)
				}
			}
		}
	case *ast.CaseClause:
		if len(stack) < 3 {
			return ""
		}
		sw, ok := stack[len(stack)-3].(*ast.SwitchStmt)
		if !ok || child == nil {
			return ""
		}
		isBody := false
		for _, s := range p.Body {
			if s == child {
				isBody = true
			}
		}
		if !isBody {
			return ""
		}
		name := ""
		for _, e := range p.List {
			if s := a.commandName(c, sw.Tag, e); s != "" && name == "" {
				name = s
			}
			if isEmptyString(e) && a.isArgExpr(c, sw.Tag, 0) {
				return defaultCommand // case "serve", "": what runs with no argument
			}
		}
		return name
	case *ast.IfStmt:
		if child != p.Body {
			return ""
		}
		return a.condCommand(c, p.Cond)
	case *ast.CallExpr:
		// kingpin: app.Command("serve", "").Action(func(...) error {...})
		if sel, ok := p.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Action" {
			if cmd, ok := sel.X.(*ast.CallExpr); ok && callName(cmd) == "Command" && len(cmd.Args) > 0 {
				if s, ok := litString(cmd.Args[0]); ok {
					return s
				}
			}
		}
	}
	return ""
}

// commandPath is the words that run a cobra or urfave subcommand: its
// name, after its parents' when it is nested (`migrate up`); the root
// command (one no command adds) contributes none. When a parent's name is
// not a literal (it may sit in another file, where c cannot evaluate it),
// it is the command's own name alone.
func (a *analyzer) commandPath(c evalCtx, lit *ast.CompositeLit, kind modelKind) string {
	key := map[modelKind]string{mCobraCommand: "Use", mUrfaveCommand: "Name"}[kind]
	own := firstWord(a.litField(c, lit, key))
	parentName := func(l *ast.CompositeLit) string {
		for _, el := range l.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, key) {
				s, _ := litString(kv.Value)
				return firstWord(s)
			}
		}
		return ""
	}
	path := own
	seen := map[*ast.CompositeLit]bool{lit: true}
	for p := a.shared.cmdParents[lit]; p != nil && a.isSubcommand(p) && !seen[p]; p = a.shared.cmdParents[p] {
		seen[p] = true
		n := parentName(p)
		if n == "" || path == "" {
			return own
		}
		path = n + " " + path
	}
	return path
}

// condCommand reads `os.Args[1] == "serve"` (possibly && with a length
// check) as a subcommand.
func (a *analyzer) condCommand(c evalCtx, e ast.Expr) string {
	b, ok := e.(*ast.BinaryExpr)
	if !ok {
		return ""
	}
	switch b.Op {
	case token.LAND:
		if s := a.condCommand(c, b.X); s != "" {
			return s
		}
		return a.condCommand(c, b.Y)
	case token.EQL:
		if s := a.commandName(c, b.X, b.Y); s != "" {
			return s
		}
		return a.commandName(c, b.Y, b.X)
	}
	return ""
}

// commandName returns the literal command name when tag is the program's
// first argument (os.Args[1], flag.Arg(0), args[0] of os.Args[1:]) or a
// kingpin parse result and val names a command.
func (a *analyzer) commandName(c evalCtx, tag, val ast.Expr) string {
	if tag == nil {
		return ""
	}
	// kingpin: switch kingpin.MustParse(app.Parse(os.Args[1:])) { case serve.FullCommand(): }
	if call, ok := val.(*ast.CallExpr); ok && callName(call) == "FullCommand" {
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
			return a.kingpinCommandName(c, sel.X)
		}
	}
	s, ok := litString(val)
	if !ok || !a.isArgExpr(c, tag, 0) {
		return ""
	}
	return s
}

// isArgExpr reports whether e is the program's first positional argument.
func (a *analyzer) isArgExpr(c evalCtx, e ast.Expr, depth int) bool {
	if depth > 4 {
		return false
	}
	text := types.ExprString(e)
	switch {
	case strings.HasPrefix(text, "os.Args[1]"), strings.HasSuffix(text, ".Arg(0)"),
		strings.HasSuffix(text, ".Args()[0]"), strings.HasPrefix(text, "os.Args[1:][0]"):
		return true
	}
	switch x := e.(type) {
	case *ast.Ident:
		if c.fn != nil {
			list := a.funcIndex(c.f, c.fn).assigns[x.Name]
			for i := len(list) - 1; i >= 0; i-- {
				if list[i].pos < x.Pos() && list[i].rhs != nil && list[i].kind == kExpr {
					return a.isArgExpr(c, list[i].rhs, depth+1)
				}
			}
		}
	case *ast.IndexExpr: // args[0] where args := os.Args[1:] or flag.Args()
		if bl, ok := x.Index.(*ast.BasicLit); ok && bl.Value == "0" {
			if id, ok := x.X.(*ast.Ident); ok && c.fn != nil {
				list := a.funcIndex(c.f, c.fn).assigns[id.Name]
				for i := len(list) - 1; i >= 0; i-- {
					if list[i].pos < x.Pos() && list[i].rhs != nil {
						t := types.ExprString(list[i].rhs)
						return t == "os.Args[1:]" || t == "flag.Args()"
					}
				}
			}
		}
	}
	return false
}

// kingpinCommandName follows serve := app.Command("serve", "...") to "serve".
func (a *analyzer) kingpinCommandName(c evalCtx, x ast.Expr) string {
	var rhs ast.Expr
	switch x := x.(type) {
	case *ast.CallExpr:
		rhs = x
	case *ast.Ident:
		if c.fn != nil {
			list := a.funcIndex(c.f, c.fn).assigns[x.Name]
			for i := len(list) - 1; i >= 0; i-- {
				if list[i].pos < x.Pos() && list[i].kind == kExpr {
					rhs = list[i].rhs
					break
				}
			}
		}
		if rhs == nil {
			if r, ok := a.index(c.f.pkg).values[x.Name]; ok && r.kind == kExpr {
				rhs, c = r.expr, evalCtx{f: r.f}
			}
		}
	}
	for i := 0; i < 8 && rhs != nil; i++ {
		call, ok := rhs.(*ast.CallExpr)
		if !ok {
			return ""
		}
		if callName(call) == "Command" && len(call.Args) > 0 {
			s, _ := litString(call.Args[0])
			return s
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return ""
		}
		rhs = sel.X // .Alias("s").Default() chains
	}
	return ""
}

// commandKind says whether a composite literal is a cobra or urfave command.
func (a *analyzer) commandKind(f *file, lit *ast.CompositeLit) modelKind {
	if lit.Type == nil && a.isSubcommand(lit) { // an element of []*cli.Command{{...}}
		return mUrfaveCommand
	}
	sel, ok := lit.Type.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Command" {
		return -1
	}
	ip := f.pkgOf(sel.X)
	switch {
	case ip == pCobra:
		return mCobraCommand
	case hasAny(ip, urfavePkgs):
		return mUrfaveCommand
	}
	return -1
}

func (a *analyzer) litField(c evalCtx, lit *ast.CompositeLit, key string) string {
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, key) {
			s, _ := a.valueNoParams(c, kv.Value).known()
			return s
		}
	}
	return ""
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// isSubcommand reports whether a command literal is added to another
// command: an argument of cobra's AddCommand, an element of urfave's
// Commands list. The root command (Execute, Run, app.Action) is not.
func (a *analyzer) isSubcommand(lit *ast.CompositeLit) bool {
	return a.shared.subcommands[lit]
}

// compositesOf finds the composite literals an expression may be: the
// literal itself, a variable assigned one, a function returning one.
func (a *analyzer) compositesOf(c evalCtx, e ast.Expr, depth int) []*ast.CompositeLit {
	if depth > 4 || e == nil {
		return nil
	}
	switch x := e.(type) {
	case *ast.UnaryExpr:
		return a.compositesOf(c, x.X, depth+1)
	case *ast.CompositeLit:
		return []*ast.CompositeLit{x}
	case *ast.Ident:
		if c.fn != nil {
			var out []*ast.CompositeLit
			for _, as := range a.funcIndex(c.f, c.fn).assigns[x.Name] {
				if as.kind == kExpr {
					out = append(out, a.compositesOf(c, as.rhs, depth+1)...)
				}
			}
			if len(out) > 0 {
				return out
			}
		}
		if r, ok := a.index(c.f.pkg).values[x.Name]; ok && r.kind == kExpr {
			return a.compositesOf(evalCtx{f: r.f}, r.expr, depth+1)
		}
	case *ast.SelectorExpr:
		if ip := c.f.pkgOf(x.X); ip != "" {
			if p := a.localPkg(ip); p != nil {
				if r, ok := a.index(p).values[x.Sel.Name]; ok && r.kind == kExpr {
					return a.compositesOf(evalCtx{f: r.f}, r.expr, depth+1)
				}
			}
		}
	case *ast.CallExpr:
		var r funcRef
		ok := false
		switch fun := x.Fun.(type) {
		case *ast.Ident:
			r, ok = a.index(c.f.pkg).funcs[fun.Name]
		case *ast.SelectorExpr:
			if ip := c.f.pkgOf(fun.X); ip != "" {
				if p := a.localPkg(ip); p != nil {
					r, ok = a.index(p).funcs[fun.Sel.Name]
				}
			}
		}
		if !ok || r.decl.Body == nil {
			return nil
		}
		var out []*ast.CompositeLit
		rc := evalCtx{f: r.f, fn: r.decl}
		ast.Inspect(r.decl.Body, func(n ast.Node) bool {
			if _, lit := n.(*ast.FuncLit); lit {
				return false
			}
			if ret, ok := n.(*ast.ReturnStmt); ok && len(ret.Results) > 0 {
				out = append(out, a.compositesOf(rc, ret.Results[0], depth+1)...)
			}
			return true
		})
		return out
	}
	return nil
}

// kongCallers are the synthetic calls of a command struct's method that
// the CLI library runs by reflection when its subcommand is given: kong's
// Run, go-flags' Execute.
func (a *analyzer) kongCallers(obj *types.Func) []ref {
	if obj == nil || obj.Name() != "Run" && obj.Name() != "Execute" {
		return nil
	}
	sig, ok := obj.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return nil
	}
	rt := sig.Recv().Type()
	if p, ok := rt.(*types.Pointer); ok {
		rt = p.Elem()
	}
	a.bindings()
	var out []ref
	for _, kc := range a.shared.kongCmds {
		if kc.method == obj.Name() && types.Identical(kc.t, rt) {
			out = append(out, ref{f: kc.f, decl: kc.decl, fn: kc.fn, pos: kc.pos, sub: kc.sub})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].sub < out[j].sub })
	return out
}

// kongCmd is a command struct of a kong CLI, found by bindStruct.
type kongCmd struct {
	t      types.Type
	sub    string
	method string // the method the library runs: "Run" (kong), "Execute" (go-flags)
	f      *file
	decl   ast.Decl
	fn     *ast.FuncDecl
	pos    token.Pos
}

// deprecatedCommandAt reports whether pos sits in a cobra command literal
// marked Deprecated (shiori's `serve`, replaced by `server`).
func (a *analyzer) deprecatedCommandAt(f *file, decl ast.Decl, pos token.Pos) bool {
	found := false
	ast.Inspect(decl, func(n ast.Node) bool {
		if n == nil || found || pos < n.Pos() || pos >= n.End() {
			return false
		}
		if lit, ok := n.(*ast.CompositeLit); ok && a.commandKind(f, lit) == mCobraCommand {
			for _, el := range lit.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Deprecated") && !isEmptyString(kv.Value) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// dispatchCall reports whether a reference calls a method through an
// interface or an untyped value: for a command struct's Run or Execute,
// that is the CLI's dispatch (go-flags' CommandHandler calling
// command.Execute), which runs the subcommand given, not every one.
func (a *analyzer) dispatchCall(r ref) bool {
	t := a.typeOf(evalCtx{f: r.f, fn: r.fn}, r.recv)
	if t == nil {
		return true
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	_, iface := t.Underlying().(*types.Interface)
	return iface
}
