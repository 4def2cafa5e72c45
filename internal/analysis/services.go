package analysis

import (
	"go/ast"
	"go/token"
	"sort"
)

// Backing services from the configuration actually used. A driver
// imported is not a driver used: gotify and shiori import the MySQL and
// Postgres drivers but run on SQLite unless configured otherwise. For each
// main, every use of a driver — a call into its package (pq.Array,
// redis.NewClient, mysql.Open), or sql.Open("postgres", dsn) for a driver
// registered by a blank import — is followed from main: the conditions
// around it and around each call on the way (switch cfg.Driver { case
// "postgres": }, if cfg.RedisURL != "" {}) are evaluated with the
// program's defaults, the way listeners are. The use is
//   - "always" when nothing a setting decides stands in its way,
//   - "default" when a setting selects it and its default does,
//   - "optional" when only a value other than the default selects it,
//   - "unused" when no main reaches any use of it.
// A condition that cannot be evaluated does not exclude the use.

// Selections, weakest first.
const (
	selNone = iota
	selOptional
	selDefault
	selAlways
)

var selNames = [...]string{"unused", "optional", "default", "always"}

// svcImport is an import of a service's client or driver.
type svcImport struct {
	kind, path, src string
}

// svcSite is a use of a service's package in a file: a call or a literal
// of the imported package.
type svcSite struct {
	f          *file
	kind, path string
	decl       ast.Decl
	pos        token.Pos
}

// sqlDriverNames are the database/sql driver names a service's drivers
// register, as sql.Open and its wrappers take them.
var sqlDriverNames = map[string][]string{
	"postgres": {"postgres", "pgx", "pgx/v4", "pgx/v5", "postgresql", "cloudsqlpostgres"},
	"mysql":    {"mysql"},
}

// sqlOpeners take a database/sql driver name, at the given argument.
var sqlOpeners = map[string]int{
	"database/sql.Open": 0, "github.com/jmoiron/sqlx.Open": 0, "github.com/jmoiron/sqlx.Connect": 0,
	"github.com/jmoiron/sqlx.MustOpen": 0, "github.com/jmoiron/sqlx.MustConnect": 0,
	"github.com/jmoiron/sqlx.ConnectContext": 1, "github.com/jinzhu/gorm.Open": 0,
	"xorm.io/xorm.NewEngine": 0, "github.com/go-xorm/xorm.NewEngine": 0,
}

func sqlKind(name string) string {
	for k, names := range sqlDriverNames {
		for _, n := range names {
			if n == name {
				return k
			}
		}
	}
	return ""
}

// scanServiceUses records the calls and literals of a file that use an
// imported service package (not its types alone: a `*redis.Client`
// parameter or a `redis.Nil` check connects to nothing).
func (a *analyzer) scanServiceUses(ff *fileFacts, f *file) {
	kinds := map[string]svcImport{}
	for _, im := range ff.svcImports {
		kinds[im.path] = im
	}
	if len(kinds) == 0 {
		return
	}
	for i, d := range f.ast.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok != token.VAR {
			continue
		}
		if f.blank != nil && f.blank[i] {
			// an empty body, and a signature (which holds types, not
			// calls or literals) the type checker may be filling in
			continue
		}
		ast.Inspect(d, func(n ast.Node) bool {
			if sel := usedSelector(n); sel != nil {
				if im, ok := kinds[f.pkgOf(sel.X)]; ok {
					ff.svcUses = append(ff.svcUses, svcSite{f: f, kind: im.kind, path: im.path, decl: d, pos: n.Pos()})
				}
			}
			return true
		})
	}
}

// usedSelector is the x.Name a call or composite literal uses: x.F(...),
// x.F[T](...), x.T{...}; else nil.
func usedSelector(n ast.Node) *ast.SelectorExpr {
	var x ast.Expr
	switch n := n.(type) {
	case *ast.CallExpr:
		x = n.Fun
	case *ast.CompositeLit:
		x = n.Type
	default:
		return nil
	}
	if ix, ok := x.(*ast.IndexExpr); ok { // generic: pkg.F[T](...)
		x = ix.X
	}
	sel, _ := x.(*ast.SelectorExpr)
	return sel
}

// selResult is how a use is selected, and by which setting.
type selResult struct {
	sel        int
	setting    part
	settingPos token.Pos
	settingF   *file
}

func (r selResult) hasSetting() bool { return r.setting.env != "" || r.setting.flag != "" }

// weaker is the selection of a use that needs both: the weaker wins, and
// its setting (or, when equal, the first with one).
func weaker(x, y selResult) selResult {
	if y.sel < x.sel || y.sel == x.sel && !x.hasSetting() && y.hasSetting() {
		return y
	}
	return x
}

// stronger is the selection of a use reached either way.
func stronger(x, y selResult) selResult {
	if y.sel > x.sel || y.sel == x.sel && !x.hasSetting() && y.hasSetting() {
		return y
	}
	return x
}

// mainServices works out, for the main being analyzed (a.within), how it
// uses each backing service its code imports a client or driver of, and
// the env vars that select among them (settings of the program too).
func (a *analyzer) mainServices(m *pkg, files []*file, env []EnvVar) (map[string]ServiceSource, []EnvVar) {
	imports := map[string][]svcImport{}
	var kinds []string
	sites := map[string][]svcSite{}
	for _, f := range files {
		for _, im := range f.facts.svcImports {
			if imports[im.kind] == nil {
				kinds = append(kinds, im.kind)
			}
			imports[im.kind] = append(imports[im.kind], im)
		}
		for _, s := range f.facts.svcUses {
			sites[s.kind] = append(sites[s.kind], s)
		}
	}
	if len(kinds) == 0 {
		return nil, nil
	}
	paths := map[ast.Decl]selResult{}
	best := map[string]selResult{}
	from := map[string]string{} // the import path of the deciding use
	consider := func(kind, path string, r selResult) {
		if cur, ok := best[kind]; !ok || stronger(cur, r) != cur {
			best[kind], from[kind] = r, path
		}
	}
	for _, k := range kinds {
		for _, s := range sites[k] {
			consider(k, s.path, a.useSelection(m, s.f, s.decl, s.pos, paths))
		}
	}
	// sql.Open(name, dsn): a use of the service whose driver registers name.
	for _, cs := range a.openerCalls() {
		if !a.inScope(cs.f) {
			continue
		}
		arg := cs.call.Args[sqlOpeners[cs.key]]
		decl := declAt(cs.f, cs.call.Pos())
		var v sval
		a.top(func() { v = a.value(evalCtx{f: cs.f, fn: cs.fn, decl: decl}, arg) })
		if s, ok := v.known(); ok {
			if k := sqlKind(s); k != "" && imports[k] != nil {
				consider(k, imports[k][0].path, a.useSelection(m, cs.f, decl, cs.call.Pos(), paths))
			}
			continue
		}
		p, ok := v.single()
		if !ok {
			continue
		}
		for _, k := range kinds {
			if sqlDriverNames[k] == nil {
				continue
			}
			r := selResult{sel: selOptional, setting: p, settingPos: arg.Pos(), settingF: cs.f}
			if p.hasDef && sqlKind(p.def) == k {
				r.sel = selDefault
			}
			consider(k, imports[k][0].path, weaker(a.useSelection(m, cs.f, decl, cs.call.Pos(), paths), r))
		}
	}
	out := map[string]ServiceSource{}
	var settings []EnvVar
	for _, k := range kinds {
		im := imports[k][0]
		ss := ServiceSource{Name: k, Source: im.src, Import: im.path, Selection: selNames[selAlways]}
		r, found := best[k]
		switch {
		case found:
			for _, x := range imports[k] {
				if x.path == from[k] {
					im = x
					break
				}
			}
			ss.Source, ss.Import, ss.Selection = im.src, im.path, selNames[r.sel]
			if r.sel == selOptional || r.sel == selDefault {
				ss.Setting, ss.SettingSource = a.settingOf(r, env)
				if p := r.setting; p.env != "" && validEnvName(p.env) && ss.SettingSource != "" {
					settings = append(settings, EnvVar{Name: p.env, Default: p.def, HasDefault: p.hasDef, Source: ss.SettingSource})
				}
			}
		case a.usedInModule(k):
			// Other mains use it; this one only imports it (its types, its
			// errors): it does not connect.
			ss.Selection = selNames[selNone]
		}
		// Else no use could be found at all: the import is all there is.
		out[k] = ss
	}
	return out, settings
}

// openerCall is a call of a sql.Open-like function with a driver name.
type openerCall struct {
	callSite
	key string
}

// openerCalls are the calls of sqlOpeners in the parsed code, in a fixed
// order.
func (a *analyzer) openerCalls() []openerCall {
	keys := make([]string, 0, len(sqlOpeners))
	for k := range sqlOpeners {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []openerCall
	for _, k := range keys {
		for _, cs := range a.callSites(k) {
			if sqlOpeners[k] < len(cs.call.Args) {
				out = append(out, openerCall{cs, k})
			}
		}
	}
	return out
}

// usedInModule reports whether any parsed code uses a service of kind
// (a call into its package, or sql.Open with its driver name or a
// variable one), whichever main it belongs to: read syntactically, so the
// answer is the same for every main.
func (a *analyzer) usedInModule(kind string) bool {
	for _, p := range a.all {
		for _, f := range p.files {
			if f.facts == nil {
				continue
			}
			for _, s := range f.facts.svcUses {
				if s.kind == kind {
					return true
				}
			}
		}
	}
	if sqlDriverNames[kind] == nil {
		return false
	}
	for _, cs := range a.openerCalls() {
		arg := cs.call.Args[sqlOpeners[cs.key]]
		if s, ok := litString(arg); !ok || sqlKind(s) == kind {
			return true
		}
	}
	return false
}

// declAt is the top-level declaration of f holding pos.
func declAt(f *file, pos token.Pos) ast.Decl {
	for _, d := range f.ast.Decls {
		if d.Pos() <= pos && pos < d.End() {
			return d
		}
	}
	return nil
}

// settingOf names a selection's setting ("DB_DRIVER", or "--driver" for a
// flag) and where it is read or defaulted.
func (a *analyzer) settingOf(r selResult, env []EnvVar) (string, string) {
	p := r.setting
	name := p.env
	if name == "" && p.flag != "" {
		name = "--" + p.flag
	}
	if name == "" {
		return "", ""
	}
	src := p.src
	if src == "" && p.env != "" {
		for _, e := range env {
			if e.Name == p.env {
				src = e.Source
			}
		}
	}
	if src == "" && r.settingPos.IsValid() {
		src = a.pos(r.settingPos)
	}
	return name, src
}

// useSelection is how the code at pos in decl is selected for the main m:
// the conditions around it in decl, and the best way a caller gets there.
func (a *analyzer) useSelection(m *pkg, f *file, decl ast.Decl, pos token.Pos, paths map[ast.Decl]selResult) selResult {
	if f == nil || decl == nil || !a.reachable(m, f, decl) {
		return selResult{sel: selNone}
	}
	return weaker(a.localSelection(f, decl, pos), a.pathSelection(m, f, decl, paths, 0))
}

// pathSelection is the best selection over the calls of decl that main
// reaches (always for main, an init or a package-level initializer).
func (a *analyzer) pathSelection(m *pkg, f *file, decl ast.Decl, paths map[ast.Decl]selResult, depth int) selResult {
	fd, ok := decl.(*ast.FuncDecl)
	if !ok || a.isRoot(m, f, decl) {
		return selResult{sel: selAlways}
	}
	if r, ok := paths[decl]; ok {
		return r
	}
	if depth > 8 {
		return selResult{sel: selAlways} // too deep to tell: do not exclude
	}
	paths[decl] = selResult{sel: selNone} // a cycle adds nothing
	best := selResult{sel: selNone}
	for _, r := range a.callers(f, fd) {
		if !a.inScope(r.f) || !a.reachable(m, r.f, r.decl) {
			continue
		}
		s := weaker(a.localSelection(r.f, r.decl, r.pos), a.pathSelection(m, r.f, r.decl, paths, depth+1))
		best = stronger(best, s)
	}
	if best.sel == selNone {
		best.sel = selAlways // reached some other way (kong, a reference): do not exclude
	}
	paths[decl] = best
	return best
}

// localSelection evaluates the ifs and switch cases around pos in decl
// with the program's defaults.
func (a *analyzer) localSelection(f *file, decl ast.Decl, pos token.Pos) selResult {
	fd, _ := decl.(*ast.FuncDecl)
	c := evalCtx{f: f, fn: fd, decl: decl}
	out := selResult{sel: selAlways}
	note := func(holds, known bool, setting part, at token.Pos) {
		r := selResult{sel: selAlways}
		hasSetting := setting.env != "" || setting.flag != ""
		switch {
		case known && !holds:
			r.sel = selOptional
		case known && hasSetting:
			r.sel = selDefault
		}
		if hasSetting {
			r.setting, r.settingPos, r.settingF = setting, at, f
		}
		if r.sel != selAlways {
			out = weaker(out, r)
		}
	}
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		ast.Inspect(n, func(ch ast.Node) bool {
			if ch == nil || pos < ch.Pos() || pos >= ch.End() {
				return false
			}
			switch s := ch.(type) {
			case *ast.IfStmt:
				inBody := s.Body.Pos() <= pos && pos < s.Body.End()
				inElse := s.Else != nil && s.Else.Pos() <= pos && pos < s.Else.End()
				if inBody || inElse {
					var v, known bool
					var setting part
					a.top(func() {
						v, known = a.evalCond(c, s.Cond, 0)
						setting = a.condSetting(c, s.Cond, 0)
					})
					note(v == inBody, known, setting, s.Cond.Pos())
				}
			case *ast.SwitchStmt:
				a.switchSelection(c, s, pos, note)
			}
			return true
		})
	}
	walk(decl)
	return out
}

// switchSelection evaluates the case of a switch that holds pos.
func (a *analyzer) switchSelection(c evalCtx, s *ast.SwitchStmt, pos token.Pos, note func(holds, known bool, setting part, at token.Pos)) {
	var clause *ast.CaseClause
	idx := -1
	for i, st := range s.Body.List {
		cc, ok := st.(*ast.CaseClause)
		if ok && len(cc.Body) > 0 && cc.Body[0].Pos() <= pos && pos < cc.End() {
			clause, idx = cc, i
		}
	}
	if clause == nil {
		return
	}
	if s.Tag == nil { // switch { case cond: }: the first case that holds runs
		var setting part
		var at token.Pos
		holds, known := true, true
		a.top(func() {
			for i, st := range s.Body.List {
				cc := st.(*ast.CaseClause)
				if cc.List == nil && i != idx {
					continue
				}
				v, k := true, true // default: it runs when no case does
				if cc.List != nil {
					v, k = false, true
					for _, e := range cc.List {
						ev, ek := a.evalCond(c, e, 0)
						v, k = v || ev && ek, k && (ek || v)
						if p := a.condSetting(c, e, 0); !setting.cfg() && p.cfg() {
							setting, at = p, e.Pos()
						}
					}
				}
				if i == idx {
					holds, known = holds && v, known && k
					break
				}
				switch {
				case k && v: // an earlier case wins
					holds, known = false, true
					return
				case !k:
					known = false
				}
			}
			if cc := clause; cc.List == nil { // default: after every case
				for _, st := range s.Body.List[idx+1:] {
					for _, e := range st.(*ast.CaseClause).List {
						ev, ek := a.evalCond(c, e, 0)
						if ek && ev {
							holds = false
							return
						}
						known = known && ek
					}
				}
			}
		})
		note(holds, known, setting, at)
		return
	}
	var tag string
	var known bool
	var v sval
	a.top(func() {
		tag, known = a.condString(c, s.Tag)
		v = a.value(c, s.Tag)
	})
	var setting part
	for _, p := range v.parts {
		if p.cfg() {
			setting = p
			break
		}
	}
	if !known {
		return
	}
	match := func(cc *ast.CaseClause) (bool, bool) {
		for _, e := range cc.List {
			s, ok := a.condString(c, e)
			if !ok {
				return false, false
			}
			if s == tag {
				return true, true
			}
		}
		return false, true
	}
	holds, ok := false, true
	if clause.List != nil {
		a.top(func() { holds, ok = match(clause) })
	} else { // default: no other case matches
		holds = true
		a.top(func() {
			for _, st := range s.Body.List {
				if cc := st.(*ast.CaseClause); cc.List != nil {
					m, k := match(cc)
					ok = ok && k
					holds = holds && !m
				}
			}
		})
	}
	note(holds, ok, setting, s.Tag.Pos())
}

// condSetting finds the setting a condition compares (cfg.Driver ==
// "postgres", *redisURL != "", strings.HasPrefix(dsn, "postgres://")).
func (a *analyzer) condSetting(c evalCtx, e ast.Expr, depth int) part {
	if depth > 8 || e == nil {
		return part{}
	}
	switch x := e.(type) {
	case *ast.ParenExpr:
		return a.condSetting(c, x.X, depth+1)
	case *ast.UnaryExpr:
		return a.condSetting(c, x.X, depth+1)
	case *ast.BinaryExpr:
		if p := a.condSetting(c, x.X, depth+1); p.cfg() {
			return p
		}
		return a.condSetting(c, x.Y, depth+1)
	case *ast.BasicLit:
		return part{}
	case *ast.CallExpr:
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok && c.f.pkgOf(sel.X) == "strings" {
			for _, arg := range x.Args {
				if p := a.condSetting(c, arg, depth+1); p.cfg() {
					return p
				}
			}
			return part{}
		}
	}
	for _, p := range a.value(c, e).parts {
		if p.cfg() {
			return p
		}
	}
	return part{}
}

// serviceSummary is the module's view of a service: the strongest
// selection over its mains.
func mergeService(cur ServiceSource, ok bool, s ServiceSource) ServiceSource {
	if !ok {
		return s
	}
	rank := func(x ServiceSource) int {
		for i, n := range selNames {
			if n == x.Selection {
				return i
			}
		}
		return selAlways
	}
	if rank(s) > rank(cur) {
		return s
	}
	return cur
}

// usesService reports whether a selection makes the main use the service
// in its default configuration.
func usesService(sel string) bool {
	return sel == selNames[selAlways] || sel == selNames[selDefault]
}
