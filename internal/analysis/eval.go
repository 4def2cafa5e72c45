package analysis

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// part is one piece of a string value: literal text, the value of an
// environment variable (with the default the code falls back to), or unknown.
type part struct {
	lit     string
	env     string
	def     string
	hasDef  bool
	unknown bool
}

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

func unknownVal() sval { return sval{parts: []part{{unknown: true}}} }

func (v sval) concat(w sval) sval {
	out := sval{parts: append([]part{}, v.parts...)}
	for _, p := range w.parts {
		n := len(out.parts)
		if p.env == "" && !p.unknown && n > 0 && out.parts[n-1].env == "" && !out.parts[n-1].unknown {
			out.parts[n-1].lit += p.lit
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
		if p.env != "" || p.unknown {
			return "", false
		}
		b.WriteString(p.lit)
	}
	return b.String(), true
}

// render returns the value a program gets with no env set: env parts take
// their defaults. ok is false when a part is unknown or has no default.
func (v sval) render() (string, bool) {
	var b strings.Builder
	for _, p := range v.parts {
		switch {
		case p.unknown, p.env != "" && !p.hasDef:
			return "", false
		case p.env != "":
			b.WriteString(p.def)
		default:
			b.WriteString(p.lit)
		}
	}
	return b.String(), true
}

// bareEnv returns the env var when the whole value is one with no default.
func (v sval) bareEnv() (string, bool) {
	if len(v.parts) == 1 && v.parts[0].env != "" && !v.parts[0].hasDef {
		return v.parts[0].env, true
	}
	return "", false
}

func envWithDefault(name, def string, num bool) sval {
	return sval{parts: []part{{env: name, def: def, hasDef: true}}, num: num}
}

// fallback merges a conditional assignment into the value before it:
// `p := os.Getenv("PORT"); if p == "" { p = "8080" }` and
// `addr := ":8080"; if v := os.Getenv("ADDR"); v != "" { addr = v }`
// both give an env var with a default.
func fallback(base, alt sval) sval {
	if env, ok := base.bareEnv(); ok {
		if d, ok := alt.known(); ok {
			return envWithDefault(env, d, base.num || alt.num)
		}
		return base
	}
	if s, ok := base.known(); ok {
		if env, ok := alt.bareEnv(); ok {
			if s == "" { // zero value: the default comes later, if at all
				return alt
			}
			return envWithDefault(env, s, base.num || alt.num)
		}
		if s == "" {
			return alt
		}
	}
	return base
}

// alternatives combines the values a function may return: one env var and
// one literal make an env var with a default (the getenv-helper shape).
func alternatives(vals []sval) sval {
	if len(vals) == 0 {
		return unknownVal()
	}
	if len(vals) == 1 {
		return vals[0]
	}
	env, def, haveDef := "", "", false
	num := false
	for _, v := range vals {
		num = num || v.num
		if e, ok := v.bareEnv(); ok {
			if env != "" && env != e {
				return unknownVal()
			}
			env = e
			continue
		}
		if len(v.parts) == 1 && v.parts[0].env != "" { // already env+default
			p := v.parts[0]
			if (env != "" && env != p.env) || (haveDef && def != p.def) {
				return unknownVal()
			}
			env, def, haveDef = p.env, p.def, true
			continue
		}
		s, ok := v.known()
		if !ok || (haveDef && s != def) {
			return unknownVal()
		}
		def, haveDef = s, true
	}
	switch {
	case env != "" && haveDef:
		return envWithDefault(env, def, num)
	case env != "":
		return sval{parts: []part{{env: env}}, num: num}
	}
	return litVal(def)
}

const (
	maxDepth = 24
	// maxSteps bounds one evaluation: without type information a chain of
	// variables can fan out, and a pathological file must not stall dockgen.
	maxSteps = 20000
)

// value evaluates e from the top, with a fresh step budget.
func (a *analyzer) value(c evalCtx, e ast.Expr) sval {
	a.steps = maxSteps
	return a.eval(c, e, 0)
}

// evalCtx is where an expression is evaluated: a file, the function around
// it (nil at package level) and, when evaluating a callee, the call's args.
type evalCtx struct {
	f        *file
	fn       *ast.FuncDecl
	noParams bool // do not follow parameters to call sites
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
		return unknownVal()
	}
	if c.fn != nil {
		fi := a.funcIndex(c.f, c.fn)
		if v, ok := a.evalLocal(c, fi, id.Name, id.Pos(), depth); ok {
			return v
		}
		if i, ok := fi.params[id.Name]; ok {
			return a.evalParam(c, i, depth)
		}
	}
	return a.evalPkgName(c.f.pkg, id.Name, depth)
}

// evalLocal evaluates a local variable at pos: the last assignment that
// always runs, then the conditional ones after it as fallbacks.
func (a *analyzer) evalLocal(c evalCtx, fi *funcIndex, name string, pos token.Pos, depth int) (sval, bool) {
	list := fi.assigns[name]
	base := -1
	for i, as := range list {
		if as.pos >= pos {
			break
		}
		if !as.cond {
			base = i
		}
	}
	if base < 0 {
		return sval{}, false
	}
	v := a.evalAssign(c, list[base], depth)
	for _, as := range list[base+1:] {
		if as.pos >= pos {
			break
		}
		v = fallback(v, a.evalAssign(c, as, depth))
	}
	return v, true
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
	case kAtoi, kFlag:
		v := a.eval(c, as.rhs, depth)
		v.num = as.num
		return v
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
	key := c.f.pkg.path + "." + c.fn.Name.Name
	if c.fn.Recv != nil {
		key = "method." + c.fn.Name.Name
	}
	sites := a.callSites(key)
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

func (a *analyzer) evalPkgName(p *pkg, name string, depth int) sval {
	idx := a.index(p)
	if r, ok := a.flagVars(p)[name]; ok {
		v := a.eval(evalCtx{f: r.f, fn: r.fn}, r.expr, depth)
		v.num = r.num
		return v
	}
	if r, ok := idx.values[name]; ok {
		switch r.kind {
		case kExpr:
			return a.eval(evalCtx{f: r.f}, r.expr, depth)
		case kZero:
			return a.evalAssign(evalCtx{f: r.f}, assign{kind: kZero, num: r.num}, depth)
		}
	}
	return unknownVal()
}

func (a *analyzer) evalSelector(c evalCtx, e *ast.SelectorExpr, depth int) sval {
	if ip := c.f.pkgOf(e.X); ip != "" {
		if p := a.localPkg(ip); p != nil {
			return a.evalPkgName(p, e.Sel.Name, depth)
		}
		return unknownVal()
	}
	// A struct field: set by flag.XxxVar(&cfg.Field, ...) or by an env tag.
	if r, ok := a.flagVars(c.f.pkg)["."+e.Sel.Name]; ok {
		v := a.eval(evalCtx{f: r.f, fn: r.fn}, r.expr, depth)
		v.num = r.num
		return v
	}
	if t, ok := a.envField(e.Sel.Name); ok {
		if t.hasDef {
			return envWithDefault(t.name, t.def, false)
		}
		return envVal(t.name)
	}
	return unknownVal()
}

func (a *analyzer) evalCall(c evalCtx, call *ast.CallExpr, depth int) sval {
	arg := func(i int) sval {
		if i < len(call.Args) {
			return a.eval(c, call.Args[i], depth)
		}
		return unknownVal()
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
			return unknownVal()
		}
		if r, ok := a.index(c.f.pkg).funcs[fun.Name]; ok {
			return a.evalFuncCall(c, r, call, depth)
		}
		return unknownVal()
	case *ast.SelectorExpr:
		if _, def, num, ok := flagCall(c.f, call); ok {
			v := a.eval(c, def, depth)
			v.num = num
			return v
		}
		ip := c.f.pkgOf(fun.X)
		if ip == "" {
			return unknownVal()
		}
		if p := a.localPkg(ip); p != nil {
			if r, ok := a.index(p).funcs[fun.Sel.Name]; ok {
				return a.evalFuncCall(c, r, call, depth)
			}
			return unknownVal()
		}
		switch ip + "." + fun.Sel.Name {
		case "os.Getenv", "os.LookupEnv", "syscall.Getenv":
			if name, ok := arg(0).known(); ok && name != "" {
				return envVal(name)
			}
		case "fmt.Sprintf":
			if format, ok := arg(0).known(); ok {
				args := make([]sval, 0, len(call.Args))
				for i := 1; i < len(call.Args); i++ {
					args = append(args, arg(i))
				}
				return sprintf(format, args)
			}
		case "fmt.Sprint":
			v := sval{}
			for i := range call.Args {
				v = v.concat(arg(i))
			}
			return v
		case "strconv.Itoa", "strconv.FormatInt", "strconv.FormatUint", "strings.TrimSpace":
			v := arg(0)
			v.num = false
			return v
		case "net.JoinHostPort":
			host, port := arg(0), arg(1)
			if h, ok := host.known(); ok && strings.Contains(h, ":") {
				host = litVal("[" + h + "]")
			}
			return host.concat(litVal(":")).concat(port)
		case "cmp.Or":
			vals := make([]sval, len(call.Args))
			for i := range call.Args {
				vals[i] = arg(i)
			}
			if len(vals) == 0 {
				return unknownVal()
			}
			v := vals[0]
			for _, w := range vals[1:] {
				v = fallback(v, w)
			}
			return v
		}
	}
	return unknownVal()
}

// evalFuncCall evaluates a call of a module function through its return
// statements, with the parameters bound to this call's arguments.
func (a *analyzer) evalFuncCall(c evalCtx, r funcRef, call *ast.CallExpr, depth int) sval {
	if r.decl.Body == nil || r.decl.Type.Results == nil || len(r.decl.Type.Results.List) == 0 {
		return unknownVal()
	}
	callee := evalCtx{f: r.f, fn: r.decl, args: call.Args, argCtx: &c}
	var vals []sval
	ast.Inspect(r.decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) > 0 {
				vals = append(vals, a.eval(callee, n.Results[0], depth))
			}
		}
		return true
	})
	return alternatives(vals)
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
