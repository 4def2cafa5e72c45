package analysis

import (
	"go/ast"
	"go/token"
	"path"
	"strings"
)

// What the rows of models.go mean for a value: this file evaluates them.

const tokenAND = token.AND

// evalModel is the value of a call matched to a row.
func (a *analyzer) evalModel(c evalCtx, call *ast.CallExpr, m *model, num bool, depth int) sval {
	arg := func(i int) sval {
		if e := m.argOf(call, i); e != nil {
			return a.eval(c, e, depth)
		}
		return unknownAt(c.f, call)
	}
	argAt := func(i int) sval { // plain position, no shorthand shift
		if i < len(call.Args) {
			return a.eval(c, call.Args[i], depth)
		}
		return unknownAt(c.f, call)
	}
	switch m.kind {
	case mEnvGet:
		if name, ok := a.nameArg(c, call, m); ok {
			return envVal(name)
		}
	case mPure:
		switch m.lib {
		case "sprintf":
			if format, ok := argAt(0).known(); ok {
				args := make([]sval, 0, len(call.Args))
				for i := 1; i < len(call.Args); i++ {
					args = append(args, argAt(i))
				}
				return sprintf(format, args)
			}
		case "sprint":
			v := sval{}
			for i := range call.Args {
				v = v.concat(argAt(i))
			}
			return v
		case "itoa", "identity":
			v := argAt(0)
			v.num = false
			return v
		case "joinhostport":
			host, port := argAt(0), argAt(1)
			if h, ok := host.known(); ok && strings.Contains(h, ":") {
				host = litVal("[" + h + "]")
			}
			host.num = false
			return host.concat(litVal(":")).concat(port)
		case "pathjoin": // routes: path.Join(*routePrefix, "/-/healthy")
			var elems []string
			for i := range call.Args {
				s, ok := argAt(i).renderZero()
				if !ok {
					return unknownAt(c.f, call)
				}
				elems = append(elems, s)
			}
			return litVal(path.Join(elems...))
		case "filejoin": // file paths: filepath.Join(*dataDir, "templates") keeps the setting
			// A setting that is empty by default joins nothing (Join("",
			// "token.json") is "token.json").
			v, sep := sval{}, false
			for i := range call.Args {
				x := argAt(i)
				if s, ok := x.known(); ok && s == "" {
					continue
				}
				if sep {
					v = v.concat(litVal("/"))
				}
				v = v.concat(x)
				r, ok := x.render()
				sep = !ok || r != ""
			}
			v.num = false
			return v
		case "or":
			if len(call.Args) == 0 {
				break
			}
			v := argAt(0)
			for i := 1; i < len(call.Args); i++ {
				v = fallback(v, argAt(i))
			}
			return v
		}
	case mFlagValue, mFlagVar, mKingpinVar:
		return a.bindValue(c, call, m, depth)
	case mFlagGet:
		if name, ok := a.nameArg(c, call, m); ok {
			v := a.flagNamed(name, depth)
			v.num = v.num || num
			return v
		}
	case mKingpinValue:
		if ch := a.kingpinChain(c, call); ch != nil {
			v := a.kingpinValue(c, ch, depth)
			v.num = num
			return v
		}
	case mViperGet:
		if key, ok := a.nameArg(c, call, m); ok {
			v := a.viperKey(key, depth)
			v.num = v.num || num
			return v
		}
	case mKoanfGet:
		if key, ok := a.nameArg(c, call, m); ok {
			v := a.koanfKey(key, depth)
			v.num = v.num || num
			return v
		}
	}
	_ = arg
	return unknownAt(c.f, call)
}

// nameArg is the literal value of the row's name argument.
func (a *analyzer) nameArg(c evalCtx, call *ast.CallExpr, m *model) (string, bool) {
	e := m.argOf(call, m.name)
	if e == nil {
		return "", false
	}
	s, ok := a.valueNoParams(c, e).known()
	return s, ok && s != ""
}

// bindValue is what a binding or defining call gives its target: the flag
// with its default (flag.StringVar(&v, "addr", ":8080", "")), a kingpin
// chain's value (.StringVar(&v)).
func (a *analyzer) bindValue(c evalCtx, call *ast.CallExpr, m *model, depth int) sval {
	switch m.kind {
	case mFlagValue, mFlagVar:
		name, ok := a.nameArg(c, call, m)
		num, _ := m.matchName(callName(call))
		var def sval
		if e := m.argOf(call, m.def); e != nil {
			def = a.eval(c, e, depth)
		} else {
			def = unknownAt(c.f, call)
		}
		def.num = num
		if !ok {
			return def
		}
		src := ""
		if e := m.argOf(call, m.def); e != nil {
			src = a.pos(e.Pos())
		}
		return wrapFlag(name, src, def)
	case mKingpinVar:
		if ch := a.kingpinChain(c, call); ch != nil {
			num, _ := m.matchName(callName(call))
			v := a.kingpinValue(c, ch, depth)
			v.num = num
			return v
		}
	}
	return unknownAt(c.f, call)
}

func callName(call *ast.CallExpr) string {
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		return sel.Sel.Name
	}
	return ""
}

// bindCall returns the row and target expression (without &) of a call
// that binds a variable or field: flag.StringVar(&cfg.Addr, ...),
// kingpin's .StringVar(&addr). It only matches, never evaluates, so the
// store index can use it.
func (a *analyzer) bindCall(c evalCtx, call *ast.CallExpr) (*model, ast.Expr) {
	m, _ := a.matchKinds(c, call, func(k modelKind) bool { return k == mFlagVar || k == mKingpinVar })
	if m == nil {
		return nil, nil
	}
	e := m.argOf(call, m.target)
	if m.kind == mKingpinVar {
		if len(call.Args) != 1 { // code that does not type-check yet
			return nil, nil
		}
		e = call.Args[0]
	}
	u, ok := e.(*ast.UnaryExpr)
	if !ok || u.Op != token.AND {
		return nil, nil
	}
	return m, u.X
}

// kingpin chains: app.Flag("listen", "...").Short('l').Default(":9100").Envar("X").String()

type kingpinChain struct {
	flag     *ast.CallExpr // .Flag(name, help)
	def      []ast.Expr    // .Default(values...)
	envar    ast.Expr
	required bool
}

// kingpinChain walks a call chain down to its .Flag(...) call; nil when
// the chain does not start with one.
func (a *analyzer) kingpinChain(c evalCtx, call *ast.CallExpr) *kingpinChain {
	ch := &kingpinChain{}
	var x ast.Expr = call
	for i := 0; i < 16; i++ {
		cl, ok := x.(*ast.CallExpr)
		if !ok {
			return nil
		}
		sel, ok := cl.Fun.(*ast.SelectorExpr)
		if !ok {
			return nil
		}
		switch sel.Sel.Name {
		case "Flag":
			if len(cl.Args) < 1 {
				return nil
			}
			ip := c.f.pkgOf(sel.X)
			if ip != "" && !hasAny(ip, kingpinPkgs) {
				return nil
			}
			ch.flag = cl
			return ch
		case "Default":
			if ch.def == nil {
				ch.def = cl.Args
			}
		case "Envar", "OverrideDefaultFromEnvar":
			if len(cl.Args) == 1 && ch.envar == nil {
				ch.envar = cl.Args[0]
			}
		case "Required":
			ch.required = true
		}
		x = sel.X
	}
	return nil
}

func hasAny(ip string, pkgs []string) bool {
	for _, p := range pkgs {
		if ip == p {
			return true
		}
	}
	return false
}

func (a *analyzer) kingpinValue(c evalCtx, ch *kingpinChain, depth int) sval {
	cc := c
	cc.noParams = true
	name, ok := a.eval(cc, ch.flag.Args[0], 0).known()
	var v sval
	src := ""
	switch {
	case len(ch.def) == 1:
		v = a.eval(c, ch.def[0], depth)
		src = a.pos(ch.def[0].Pos())
	case len(ch.def) == 0:
		// no default: the setting alone
		p := part{}
		if ch.envar != nil {
			if env, ok := a.eval(cc, ch.envar, 0).known(); ok && validEnvName(env) {
				p.env = env
			}
		}
		if ok && name != "" {
			p.flag = name
		}
		if p.cfg() {
			return sval{parts: []part{p}}
		}
		return unknownAt(c.f, ch.flag)
	default:
		v = unknownAt(c.f, ch.def[1])
	}
	if ch.envar != nil {
		if env, ok := a.eval(cc, ch.envar, 0).known(); ok && validEnvName(env) {
			v = wrapEnv(env, src, v)
		}
	}
	if ok && name != "" {
		v = wrapFlag(name, src, v)
	}
	return v
}

// flagNamed is the value of the flag defined under name anywhere in the
// code that counts: flag.String("addr", ...), a kingpin chain, an urfave
// flag struct. cobra's GetString and urfave's c.String read it.
func (a *analyzer) flagNamed(name string, depth int) sval {
	for _, d := range a.shared.flags[name] {
		if !a.inScope(d.f) {
			continue
		}
		c := evalCtx{f: d.f, fn: d.fn}
		if d.lit != nil {
			return a.urfaveFlagValue(c, d.lit, depth)
		}
		if d.row.kind == mKingpinValue || d.row.kind == mKingpinVar {
			if ch := a.kingpinChain(c, d.call); ch != nil {
				return a.kingpinValue(c, ch, depth)
			}
			continue
		}
		return a.bindValue(c, d.call, d.row, depth)
	}
	return sval{parts: []part{{flag: name}}}
}

// flagDef is one flag definition, for lookups by name.
type flagDef struct {
	f    *file
	fn   *ast.FuncDecl
	call *ast.CallExpr
	lit  *ast.CompositeLit
	row  *model
}

// indexFlag records a flag definition found by indexStores.
func (a *analyzer) indexFlag(c evalCtx, n ast.Node, flags map[string][]flagDef) {
	switch n := n.(type) {
	case *ast.CallExpr:
		m, _ := a.matchKinds(c, n, func(k modelKind) bool {
			return k == mFlagValue || k == mFlagVar || k == mKingpinValue || k == mKingpinVar
		})
		if m == nil {
			return
		}
		var nameExpr ast.Expr
		if m.kind == mKingpinValue || m.kind == mKingpinVar {
			ch := a.kingpinChain(c, n)
			if ch == nil {
				return
			}
			nameExpr = ch.flag.Args[0]
		} else {
			nameExpr = m.argOf(n, m.name)
		}
		if name, ok := litString(nameExpr); ok {
			flags[name] = append(flags[name], flagDef{f: c.f, fn: c.fn, call: n, row: m})
		}
	case *ast.CompositeLit:
		if m := a.urfaveFlagRow(c.f, n); m != nil {
			for _, el := range n.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Name") {
					if name, ok := litString(kv.Value); ok {
						flags[name] = append(flags[name], flagDef{f: c.f, fn: c.fn, lit: n, row: m})
					}
				}
			}
		}
	}
}

func litString(e ast.Expr) (string, bool) {
	bl, ok := e.(*ast.BasicLit)
	if !ok || bl.Kind != token.STRING {
		return "", false
	}
	s := strings.Trim(bl.Value, "`\"")
	return s, s != ""
}

// urfaveFlagRow returns the row of an urfave/cli flag struct literal.
func (a *analyzer) urfaveFlagRow(f *file, lit *ast.CompositeLit) *model {
	sel, ok := lit.Type.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	ip := f.pkgOf(sel.X)
	if !hasAny(ip, urfavePkgs) {
		return nil
	}
	for _, m := range rowsByName[sel.Sel.Name] {
		if m.kind == mUrfaveFlag {
			if _, ok := m.matchName(sel.Sel.Name); ok {
				return m
			}
		}
	}
	return nil
}

// urfaveFlagValue is the value of an urfave/cli flag struct: Value with
// EnvVars (v2), EnvVar (v1) or Sources: cli.EnvVars(...) (v3).
func (a *analyzer) urfaveFlagValue(c evalCtx, lit *ast.CompositeLit, depth int) sval {
	var name, env string
	v := sval{}
	src := ""
	hasValue := false
	num := false
	if sel, ok := lit.Type.(*ast.SelectorExpr); ok {
		num, _ = valueTypes[strings.TrimSuffix(sel.Sel.Name, "Flag")]
	}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		k, _ := kv.Key.(*ast.Ident)
		if k == nil {
			continue
		}
		switch k.Name {
		case "Name":
			name, _ = litString(kv.Value)
		case "Value":
			v = a.eval(c, kv.Value, depth)
			src = a.pos(kv.Value.Pos())
			hasValue = true
		case "EnvVar": // v1: "A,B"
			if s, ok := litString(kv.Value); ok {
				env = strings.TrimSpace(strings.Split(s, ",")[0])
			}
		case "EnvVars": // v2: []string{"A", "B"}
			if cl, ok := kv.Value.(*ast.CompositeLit); ok && len(cl.Elts) > 0 {
				env, _ = litString(cl.Elts[0])
			}
		case "Sources": // v3: cli.EnvVars("A", "B")
			if call, ok := kv.Value.(*ast.CallExpr); ok && len(call.Args) > 0 && callName(call) == "EnvVars" {
				env, _ = litString(call.Args[0])
			}
		}
	}
	v.num = num
	if !hasValue { // no default: the setting alone
		p := part{flag: name}
		if validEnvName(env) {
			p.env = env
		}
		if !p.cfg() {
			return unknownAt(c.f, lit)
		}
		return sval{parts: []part{p}, num: num}
	}
	if env != "" && validEnvName(env) {
		v = wrapEnv(env, src, v)
	}
	if name != "" {
		v = wrapFlag(name, src, v)
	}
	return v
}

// urfaveRequired reports an urfave flag struct with Required: true.
func urfaveRequired(lit *ast.CompositeLit) bool {
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Required") && isIdent(kv.Value, "true") {
			return true
		}
	}
	return false
}

// kingpinChainOf returns the kingpin chain of a read site, or nil.
func (a *analyzer) kingpinChainOf(c evalCtx, r readSite) *kingpinChain {
	if r.call == nil || (r.row.kind != mKingpinValue && r.row.kind != mKingpinVar) {
		return nil
	}
	return a.kingpinChain(c, r.call)
}
