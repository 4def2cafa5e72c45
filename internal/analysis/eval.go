package analysis

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"
)

// part is one piece of a string value: literal text, or a setting the
// program reads (an env var, a command-line flag, or both, with the default
// it falls back to), or unknown. src is where the default is written
// (file:line) when that is not where the value is used: a flag default, a
// struct tag, a config file. why is the expression that could not be
// followed, for an unknown part.
type part struct {
	lit     string
	env     string
	flag    string
	def     string
	hasDef  bool
	src     string
	unknown bool
	why     ast.Expr
	whyFile *file
}

// isLit reports whether the part is literal text.
func (p part) isLit() bool { return !p.unknown && p.env == "" && p.flag == "" }

// cfg reports whether the part is a setting (env var or flag).
func (p part) cfg() bool { return !p.unknown && (p.env != "" || p.flag != "") }

// sval is a symbolic string: the concatenation of its parts. num marks a
// value that came from an integer, so `a + b` adds instead of concatenating.
type sval struct {
	parts []part
	num   bool
}

func litVal(s string) sval {
	if s == "" {
		return sval{}
	}
	return sval{parts: []part{{lit: s}}}
}

func envVal(name string) sval { return sval{parts: []part{{env: name}}} }

func unknownVal() sval { return sval{parts: unknownParts} }

// unknownParts is shared by every plain unknown value (one is made at each
// step an evaluation gives up): parts are never changed in place, and its
// capacity makes an append copy it.
var unknownParts = []part{{unknown: true}}[:1:1]

// unknownAt is an unknown value that remembers what could not be followed.
func unknownAt(f *file, e ast.Expr) sval {
	return sval{parts: []part{{unknown: true, why: e, whyFile: f}}}
}

func (v sval) concat(w sval) sval {
	out := sval{parts: append([]part{}, v.parts...)}
	for _, p := range w.parts {
		n := len(out.parts)
		if p.isLit() && n > 0 && out.parts[n-1].isLit() {
			out.parts[n-1].lit += p.lit
			if out.parts[n-1].src == "" {
				out.parts[n-1].src = p.src
			}
			continue
		}
		out.parts = append(out.parts, p)
	}
	return out
}

// known returns the value when it is literal text only.
func (v sval) known() (string, bool) {
	var b strings.Builder
	for _, p := range v.parts {
		if !p.isLit() {
			return "", false
		}
		b.WriteString(p.lit)
	}
	return b.String(), true
}

// render returns the value a program gets with no env set and no flag
// given: settings take their defaults. ok is false when a part is unknown
// or has no default.
func (v sval) render() (string, bool) {
	var b strings.Builder
	for _, p := range v.parts {
		switch {
		case p.unknown, p.cfg() && !p.hasDef:
			return "", false
		case p.cfg():
			b.WriteString(p.def)
		default:
			b.WriteString(p.lit)
		}
	}
	return b.String(), true
}

// renderZero is render with settings that have no default taken as
// empty, as a program sees them when nothing is set (a route prefix flag).
func (v sval) renderZero() (string, bool) {
	var b strings.Builder
	for _, p := range v.parts {
		switch {
		case p.unknown:
			return "", false
		case p.cfg():
			b.WriteString(p.def)
		default:
			b.WriteString(p.lit)
		}
	}
	return b.String(), true
}

// bare returns the setting when the whole value is one with no default.
func (v sval) bare() (part, bool) {
	if len(v.parts) == 1 && v.parts[0].cfg() && !v.parts[0].hasDef {
		return v.parts[0], true
	}
	return part{}, false
}

// bareEnv returns the env var when the whole value is one with no default.
func (v sval) bareEnv() (string, bool) {
	if p, ok := v.bare(); ok && p.env != "" {
		return p.env, true
	}
	return "", false
}

// single returns the setting when the whole value is one.
func (v sval) single() (part, bool) {
	if len(v.parts) == 1 && v.parts[0].cfg() {
		return v.parts[0], true
	}
	return part{}, false
}

// hasCfg reports whether any part of the value is a setting.
func (v sval) hasCfg() bool {
	for _, p := range v.parts {
		if p.cfg() {
			return true
		}
	}
	return false
}

// whyUnknown returns the first expression that could not be followed.
func (v sval) whyUnknown() (*file, ast.Expr) {
	for _, p := range v.parts {
		if p.unknown && p.why != nil {
			return p.whyFile, p.why
		}
	}
	return nil, nil
}

func envWithDefault(name, def string, num bool) sval {
	return sval{parts: []part{{env: name, def: def, hasDef: true}}, num: num}
}

// withDefault gives a bare setting the default d.
func withDefault(p part, d sval, num bool) sval {
	s, ok := d.known()
	if !ok {
		if dp, isCfg := d.single(); isCfg && dp.hasDef && p.env == "" && dp.flag == "" {
			// a flag whose default is an env var with a default: both set it
			p.env, p.def, p.hasDef, p.src = dp.env, dp.def, true, dp.src
			return sval{parts: []part{p}, num: num}
		}
		return sval{parts: []part{p}, num: num}
	}
	p.def, p.hasDef = s, true
	return sval{parts: []part{p}, num: num}
}

// wrapFlag makes v the default of command-line flag name: what the program
// sees when the flag is not given.
func wrapFlag(name, src string, v sval) sval {
	if p, ok := v.single(); ok && p.flag == "" {
		p.flag = name
		if p.src == "" {
			p.src = src
		}
		return sval{parts: []part{p}, num: v.num}
	}
	p := part{flag: name, src: src}
	if s, ok := v.render(); ok {
		p.def, p.hasDef = s, true
	}
	return sval{parts: []part{p}, num: v.num}
}

// wrapEnv makes v the default of env var name.
func wrapEnv(name, src string, v sval) sval {
	if p, ok := v.single(); ok && p.env == "" {
		p.env = name
		return sval{parts: []part{p}, num: v.num}
	}
	p := part{env: name, src: src}
	if s, ok := v.render(); ok {
		p.def, p.hasDef = s, true
	}
	return sval{parts: []part{p}, num: v.num}
}

// fallback merges a conditional assignment into the value before it:
// `p := os.Getenv("PORT"); if p == "" { p = "8080" }` and
// `addr := ":8080"; if v := os.Getenv("ADDR"); v != "" { addr = v }`
// both give an env var with a default.
func fallback(base, alt sval) sval {
	if p, ok := base.bare(); ok {
		if _, ok := alt.known(); ok {
			return withDefault(p, alt, base.num || alt.num)
		}
		return base
	}
	if s, ok := base.known(); ok {
		if p, ok := alt.bare(); ok {
			if s == "" { // zero value: the default comes later, if at all
				return alt
			}
			return withDefault(p, base, base.num || alt.num)
		}
		if s == "" {
			return alt
		}
	}
	return base
}

// alternatives combines the values a function may return: one setting and
// one literal make a setting with a default (the getenv-helper shape).
func alternatives(vals []sval) sval {
	if len(vals) == 0 {
		return unknownVal()
	}
	if len(vals) == 1 {
		return vals[0]
	}
	// When one alternative is a setting, the others are its default or
	// other ways to set it (an env var's _FILE variant): an unknown value
	// or "" (unset) among them does not make the result unknown.
	settings := false
	for _, v := range vals {
		if _, ok := v.single(); ok {
			settings = true
		}
	}
	if settings {
		kept := vals[:0:0]
		for _, v := range vals {
			if _, ok := v.single(); ok {
				kept = append(kept, v)
			} else if s, ok := v.known(); ok && s != "" {
				kept = append(kept, v)
			}
		}
		vals = kept
		if len(vals) == 1 {
			return vals[0]
		}
	}
	var cfg part
	haveCfg := false
	def, haveDef := "", false
	num := false
	for _, v := range vals {
		num = num || v.num
		if p, ok := v.single(); ok {
			if haveCfg && (cfg.env != p.env || cfg.flag != p.flag) {
				return unknownVal()
			}
			if p.hasDef {
				if haveDef && def != p.def {
					return unknownVal()
				}
				def, haveDef = p.def, true
			}
			cfg, haveCfg = p, true
			continue
		}
		s, ok := v.known()
		if !ok || (haveDef && s != def) {
			return unknownVal()
		}
		def, haveDef = s, true
	}
	switch {
	case haveCfg && haveDef:
		cfg.def, cfg.hasDef = def, true
		return sval{parts: []part{cfg}, num: num}
	case haveCfg:
		return sval{parts: []part{cfg}, num: num}
	}
	return litVal(def)
}

const (
	maxDepth = 24
	// maxSteps bounds one evaluation: without type information a chain of
	// variables can fan out, and a pathological file must not stall dockgen.
	maxSteps = 20000
)

// value evaluates e from the top, with a fresh step budget; nested in
// another evaluation it shares that one's budget.
func (a *analyzer) value(c evalCtx, e ast.Expr) sval {
	if a.inEval {
		return a.eval(c, e, 0)
	}
	a.inEval = true
	a.steps = maxSteps
	v := a.eval(c, e, 0)
	a.inEval = false
	return v
}

// top runs fn as one evaluation from the top, with a fresh step budget.
func (a *analyzer) top(fn func()) {
	if a.inEval {
		fn()
		return
	}
	a.inEval = true
	a.steps = maxSteps
	fn()
	a.inEval = false
}

// evalCtx is where an expression is evaluated: a file, the function around
// it (nil at package level) and, when evaluating a callee, the call's args.
type evalCtx struct {
	f        *file
	fn       *ast.FuncDecl
	decl     ast.Decl // the top-level declaration (for reachability); may be nil
	noParams bool     // do not follow parameters to call sites
	args     []ast.Expr
	argCtx   *evalCtx
}

// eval works out the string value of e without type-checking: literals,
// constants, variables assigned in the function, env lookups with their
// fallbacks, flag defaults, fmt.Sprintf, concatenation and small helpers.
func (a *analyzer) eval(c evalCtx, e ast.Expr, depth int) sval {
	if e == nil || depth > maxDepth || a.steps <= 0 {
		return unknownVal()
	}
	depth++
	a.steps--
	switch e := e.(type) {
	case *ast.BasicLit:
		switch e.Kind {
		case token.STRING:
			if s, err := strconv.Unquote(e.Value); err == nil {
				return litVal(s)
			}
		case token.INT:
			if n, err := strconv.ParseInt(strings.ReplaceAll(e.Value, "_", ""), 0, 64); err == nil {
				return sval{parts: []part{{lit: strconv.FormatInt(n, 10)}}, num: true}
			}
		}
	case *ast.ParenExpr:
		return a.eval(c, e.X, depth)
	case *ast.StarExpr: // *addr where addr := flag.String(...)
		return a.eval(c, e.X, depth)
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			return a.eval(c, e.X, depth)
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			x, y := a.eval(c, e.X, depth), a.eval(c, e.Y, depth)
			if x.num && y.num {
				xs, ok1 := x.known()
				ys, ok2 := y.known()
				xn, err1 := strconv.ParseInt(xs, 10, 64)
				yn, err2 := strconv.ParseInt(ys, 10, 64)
				if ok1 && ok2 && err1 == nil && err2 == nil {
					return sval{parts: []part{{lit: strconv.FormatInt(xn+yn, 10)}}, num: true}
				}
				return unknownVal()
			}
			return x.concat(y)
		}
	case *ast.Ident:
		return a.evalIdent(c, e, depth)
	case *ast.SelectorExpr:
		return a.evalSelector(c, e, depth)
	case *ast.CallExpr:
		return a.evalCall(c, e, depth)
	}
	return unknownVal()
}

func (a *analyzer) evalIdent(c evalCtx, id *ast.Ident, depth int) sval {
	switch id.Name {
	case "nil", "true", "false", "iota", "_":
		return unknownAt(c.f, id)
	}
	if c.fn != nil {
		fi := a.funcIndex(c.f, c.fn)
		if v, ok := a.evalLocal(c, fi, id.Name, id.Pos(), depth); ok {
			return v
		}
		if i, ok := fi.params[id.Name]; ok {
			return a.evalParam(c, i, depth)
		}
		if paramType(c.fn, id.Name) != nil { // the receiver
			return unknownAt(c.f, id)
		}
	}
	switch o := a.scopeObj(c.f, id.Name).(type) {
	case *types.Const:
		if v, ok := constVal(o); ok {
			return v
		}
	case *types.Var:
		if o.Pkg() != nil {
			return a.evalGlobal(o, depth)
		}
	}
	return a.evalPkgName(c.f, c.f.pkg, id, depth)
}

// constVal is the value of a constant go/types folded.
func constVal(o *types.Const) (sval, bool) {
	v := o.Val()
	switch v.Kind() {
	case constant.String:
		return litVal(constant.StringVal(v)), true
	case constant.Int:
		return sval{parts: []part{{lit: v.ExactString()}}, num: true}, true
	}
	return sval{}, false
}

// evalLocal evaluates a local variable at pos: the last assignment that
// always runs, then the conditional ones after it as fallbacks.
func (a *analyzer) evalLocal(c evalCtx, fi *funcIndex, name string, pos token.Pos, depth int) (sval, bool) {
	k := useKey{fi, name, pos}
	u, ok := a.uses[k]
	if !ok {
		u = fi.weigh(name, pos)
		a.uses[k] = u
	}
	if u.base < 0 {
		return sval{}, false
	}
	v := a.evalAssign(c, u.list[u.base], depth)
	for _, as := range u.list[u.base+1:] {
		if as.pos >= pos {
			break
		}
		v = fallback(v, a.evalAssign(c, as, depth))
	}
	return v, true
}

// useKey is a use of a local variable; useVal the assignments that decide
// its value there (weigh). Kept per worker: the same use is evaluated
// again and again with other arguments (minio: two million lookups of
// eleven thousand uses).
type useKey struct {
	fi   *funcIndex
	name string
	pos  token.Pos
}

type useVal struct {
	list []assign
	base int // the last assignment that always runs before pos; -1: none
}

// weigh finds the assignments of name that can decide its value at pos,
// in the order they run, and the last of them that always runs first.
func (fi *funcIndex) weigh(name string, pos token.Pos) useVal {
	// A closure (cobra's RunE, a goroutine) runs after the function has
	// set up its variables: a name used in one sees every assignment
	// outside it; assignments in other closures do not count.
	var in *ast.FuncLit
	for _, lit := range fi.lits {
		if lit.Pos() <= pos && pos < lit.End() && (in == nil || lit.Pos() > in.Pos()) {
			in = lit
		}
	}
	var visible []assign
	for _, as := range fi.assigns[name] {
		if as.scope != nil && (pos < as.scope.Pos() || pos > as.scope.End()) {
			continue // declared in a block that does not hold pos
		}
		switch {
		case as.lit == nil || as.lit == in:
		case in != nil && as.lit.Pos() <= in.Pos() && in.End() <= as.lit.End(): // an enclosing closure
		default:
			continue
		}
		if as.lit != in && in != nil {
			as.pos = token.NoPos // set before the closure runs
		}
		visible = append(visible, as)
	}
	if in != nil {
		// order: outside assignments first (they ran before), then the closure's own
		sort.SliceStable(visible, func(i, j int) bool { return visible[i].pos < visible[j].pos })
	}
	u := useVal{list: shadowed(visible, pos), base: -1}
	for i, as := range u.list {
		if as.pos >= pos {
			break
		}
		// conditional, but in the very body pos is in: it has run there
		inBody := as.body != nil && as.body.Pos() <= pos && pos < as.body.End() && as.lit == in
		if !as.cond || inBody {
			u.base = i
		}
	}
	return u
}

// shadowed keeps the assignments of the variable a name means at pos: a
// := in an inner block or an if's init declares another variable, which
// hides the outer one (`v := c.Int("n")` ... `if v := c.String("dir"); ...`).
// Within its scope a declaration has always run, so it is the base value.
func shadowed(list []assign, pos token.Pos) []assign {
	var inner ast.Node
	for _, as := range list {
		if as.scope != nil && as.pos < pos && (inner == nil || as.scope.Pos() > inner.Pos() ||
			as.scope.Pos() == inner.Pos() && as.scope.End() < inner.End()) {
			inner = as.scope
		}
	}
	if inner == nil {
		return list
	}
	var out []assign
	declared := false // list is in source order
	for _, as := range list {
		switch {
		case as.scope == inner:
			if !declared {
				declared = true
				as.cond = false
			}
		case as.scope != nil:
			continue // the outer variable
		case !declared:
			continue // assigned the outer variable, before the inner one exists
		}
		out = append(out, as)
	}
	return out
}

func (a *analyzer) evalAssign(c evalCtx, as assign, depth int) sval {
	switch as.kind {
	case kExpr:
		return a.eval(c, as.rhs, depth)
	case kZero:
		if as.num {
			return sval{parts: []part{{lit: "0"}}, num: true}
		}
		return sval{}
	case kLookup:
		if name, ok := a.eval(c, as.rhs, depth).known(); ok && name != "" {
			return envVal(name)
		}
	case kAtoi:
		v := a.eval(c, as.rhs, depth)
		v.num = as.num
		return v
	case kBind:
		return a.bindValue(c, as.call, as.row, depth)
	case kUnknown:
		// v, err := f(): the first result of a module function or a model;
		// network, addr := f(): any result of a module function
		if as.tuple == 1 && as.rhs != nil {
			return a.eval(c, as.rhs, depth)
		}
		if call, ok := as.rhs.(*ast.CallExpr); ok && as.tuple > 1 {
			if r, ok := a.calleeOf(c, call); ok {
				return a.evalResult(c, r, call, as.tuple-1, depth)
			}
		}
	}
	if as.rhs != nil {
		return unknownAt(c.f, as.rhs)
	}
	return unknownVal()
}

// evalParam follows a parameter to the argument(s) the function is called
// with: the bound call when evaluating a callee, else every call site in the
// analyzed packages, when they agree.
func (a *analyzer) evalParam(c evalCtx, i int, depth int) sval {
	if c.argCtx != nil {
		if i < len(c.args) {
			return a.eval(*c.argCtx, c.args[i], depth)
		}
		return unknownVal()
	}
	if c.noParams {
		return unknownVal()
	}
	sites := a.callSitesOf(c.f, c.fn)
	if len(sites) == 0 || len(sites) > 8 {
		return unknownVal()
	}
	var first sval
	var firstS string
	for n, s := range sites {
		if i >= len(s.call.Args) {
			return unknownVal()
		}
		v := a.eval(evalCtx{f: s.f, fn: s.fn}, s.call.Args[i], depth)
		r, ok := v.render()
		if !ok && len(sites) > 1 {
			return unknownVal()
		}
		if n == 0 {
			first, firstS = v, r
		} else if r != firstS {
			return unknownVal()
		}
	}
	return first
}

// evalPkgName evaluates a package-level name from its declaration, for
// names go/types did not resolve.
func (a *analyzer) evalPkgName(f *file, p *pkg, id *ast.Ident, depth int) sval {
	if r, ok := a.index(p).values[id.Name]; ok {
		switch r.kind {
		case kExpr:
			return a.eval(evalCtx{f: r.f}, r.expr, depth)
		case kZero:
			return a.evalAssign(evalCtx{f: r.f}, assign{kind: kZero, num: r.num}, depth)
		}
	}
	return unknownAt(f, id)
}

func (a *analyzer) evalSelector(c evalCtx, e *ast.SelectorExpr, depth int) sval {
	if ip := c.f.pkgOf(e.X); ip != "" {
		switch o := a.pkgObj(c.f, e.X, e.Sel.Name).(type) {
		case *types.Const:
			if v, ok := constVal(o); ok {
				return v
			}
		case *types.Var:
			return a.evalGlobal(o, depth)
		}
		if p := a.localPkg(ip); p != nil {
			return a.evalPkgName(c.f, p, e.Sel, depth)
		}
		return unknownAt(c.f, e)
	}
	// A struct field: what writes it, or the setting a library binds it to.
	if fld := a.fieldOf(c, e); fld != nil {
		return a.evalField(fld, depth)
	}
	// The type of x is unknown: a tagged field of that name, when every
	// one in the module agrees.
	if t, ok := a.envField(e.Sel.Name); ok {
		if t.hasDef {
			return envWithDefault(t.name, t.def, false)
		}
		return envVal(t.name)
	}
	return unknownAt(c.f, e)
}

func (a *analyzer) evalCall(c evalCtx, call *ast.CallExpr, depth int) sval {
	arg := func(i int) sval {
		if i < len(call.Args) {
			return a.eval(c, call.Args[i], depth)
		}
		return unknownAt(c.f, call)
	}
	switch fun := call.Fun.(type) {
	case *ast.Ident:
		switch fun.Name {
		case "string", "int", "int32", "int64", "uint", "uint16", "uint32", "uint64":
			if len(call.Args) == 1 {
				v := arg(0)
				v.num = fun.Name != "string"
				return v
			}
			return unknownAt(c.f, call)
		}
		if r, ok := a.index(c.f.pkg).funcs[fun.Name]; ok {
			return a.evalFuncCall(c, r, call, depth)
		}
		if t := a.typeExpr(c.f, fun); t != nil && len(call.Args) == 1 { // Port(8080)
			v := arg(0)
			v.num = isIntType(t)
			return v
		}
	case *ast.SelectorExpr:
		if ip := c.f.pkgOf(fun.X); ip != "" {
			if p := a.localPkg(ip); p != nil {
				if r, ok := a.index(p).funcs[fun.Sel.Name]; ok {
					return a.evalFuncCall(c, r, call, depth)
				}
				return unknownAt(c.f, call)
			}
		}
		if m, num := a.match(c, call); m != nil {
			return a.evalModel(c, call, m, num, depth)
		}
		// A method of a module type: cfg.Addr().
		if fn, ok := a.selectObj(c, fun, depth).(*types.Func); ok {
			if r, ok := a.funcDeclOf(fn); ok {
				return a.evalFuncCall(c, r, call, depth)
			}
		}
	}
	return unknownAt(c.f, call)
}

func isIntType(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// funcDeclOf finds the declaration of a module function or method.
func (a *analyzer) funcDeclOf(fn *types.Func) (funcRef, bool) {
	r, ok := a.funcDecls[fn]
	if !ok {
		r = a.findFuncDecl(fn)
		a.funcDecls[fn] = r
	}
	return r, r.decl != nil
}

func (a *analyzer) findFuncDecl(fn *types.Func) funcRef {
	if fn.Pkg() == nil {
		return funcRef{}
	}
	p := a.localPkg(fn.Pkg().Path())
	if p == nil {
		return funcRef{}
	}
	defs := a.infoOf(p).Defs
	for _, f := range p.files {
		for _, d := range f.ast.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == fn.Name() && defs[fd.Name] == fn {
				return funcRef{f, fd}
			}
		}
	}
	return funcRef{}
}

// evalFuncCall evaluates a call of a module function through its return
// statements, with the parameters bound to this call's arguments.
func (a *analyzer) evalFuncCall(c evalCtx, r funcRef, call *ast.CallExpr, depth int) sval {
	return a.evalResult(c, r, call, 0, depth)
}

// evalResult evaluates result i of a call of a module function through
// its return statements, with the parameters bound to the call's arguments.
func (a *analyzer) evalResult(c evalCtx, r funcRef, call *ast.CallExpr, i, depth int) sval {
	if r.decl.Body == nil || r.decl.Type.Results == nil || len(r.decl.Type.Results.List) == 0 {
		return unknownAt(c.f, call)
	}
	callee := evalCtx{f: r.f, fn: r.decl, args: call.Args, argCtx: &c}
	rets := a.returnsOf(r.decl, i)
	// Only settings and literals are kept: any other value is dropped by
	// alternatives when there is a setting, and makes the result unknown
	// when there is none (generated code returns hundreds of errors).
	var vals []sval
	var other sval
	kept, sawOther, sawSetting := 0, false, false
	for _, n := range rets {
		// A return that does not run by default is dropped, unless it
		// returns a setting: that branch is how it is set. With one
		// return there is nothing to choose between.
		v := a.eval(callee, n.Results[i], depth)
		if len(rets) == 1 || v.hasCfg() || !a.deadByDefault(callee, r.decl.Body, n) {
			kept++
			if _, ok := v.single(); ok {
				vals, sawSetting = append(vals, v), true
			} else if _, ok := v.known(); ok {
				vals = append(vals, v)
			} else if !sawOther {
				other, sawOther = v, true
			}
		}
	}
	switch {
	case kept == 1 && sawOther:
		return other
	case sawOther && !sawSetting:
		return unknownVal()
	}
	return alternatives(vals)
}

// calleeOf finds the module function a call calls, when it is one.
func (a *analyzer) calleeOf(c evalCtx, call *ast.CallExpr) (funcRef, bool) {
	switch fun := call.Fun.(type) {
	case *ast.Ident:
		r, ok := a.index(c.f.pkg).funcs[fun.Name]
		return r, ok
	case *ast.SelectorExpr:
		if ip := c.f.pkgOf(fun.X); ip != "" {
			if p := a.localPkg(ip); p != nil {
				r, ok := a.index(p).funcs[fun.Sel.Name]
				return r, ok
			}
			return funcRef{}, false
		}
		if fn, ok := a.selectObj(c, fun, 0).(*types.Func); ok {
			return a.funcDeclOf(fn)
		}
	}
	return funcRef{}, false
}

// sprintf applies a format to symbolic args for the verbs that carry a
// value through unchanged (%s %d %v); anything else makes that part unknown.
func sprintf(format string, args []sval) sval {
	out := sval{}
	ai := 0
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch != '%' {
			out = out.concat(litVal(string(ch)))
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			return out.concat(unknownVal())
		}
		switch format[i] {
		case '%':
			out = out.concat(litVal("%"))
			continue
		case 's', 'd', 'v':
			if ai < len(args) {
				out = out.concat(args[ai])
			} else {
				out = out.concat(unknownVal())
			}
		default:
			out = out.concat(unknownVal())
		}
		ai++
	}
	return out
}

// returnsOf lists fd's return statements that return result i, those of
// function literals left out; kept, as a helper is evaluated at every
// call (and generated code can have hundreds of returns).
func (a *analyzer) returnsOf(fd *ast.FuncDecl, i int) []*ast.ReturnStmt {
	k := resultKey{fd, i}
	if rets, ok := a.returns[k]; ok {
		return rets
	}
	var rets []*ast.ReturnStmt
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if i < len(n.Results) && (len(n.Results) > 1 || i == 0) {
				rets = append(rets, n)
			}
		}
		return true
	})
	a.returns[k] = rets
	return rets
}

// resultKey is one result of a function.
type resultKey struct {
	fd *ast.FuncDecl
	i  int
}
