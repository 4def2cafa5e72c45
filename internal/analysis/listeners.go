package analysis

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Web frameworks whose own methods listen, by import path prefix.
const (
	ginPath   = "github.com/gin-gonic/gin"
	echoPath  = "github.com/labstack/echo"
	fiberPath = "github.com/gofiber/fiber"
	irisPath  = "github.com/kataras/iris"
	grpcPath  = "google.golang.org/grpc"
)

// listenSite is a listen call found in a file. Its address is worked out
// for each main that reaches it (evalListener), since the writes and calls
// that count depend on the binary.
type listenSite struct {
	f          *file
	decl       ast.Decl
	fn         *ast.FuncDecl
	at         ast.Node // the call or the Addr field
	addr       ast.Expr // nil: the library's own default (noDef, noEnv)
	noDef      string
	noEnv      string
	toolkit    bool // exporter-toolkit: the address is its --web.listen-address flag
	defaultMux bool
	tls        bool
	handler    ast.Expr
	kindHint   string
	via        *callSite // a call of the function around the listen call: evaluate with its arguments
}

// siteRef is a place in the code that makes a main long-running.
type siteRef struct {
	f     *file
	decl  ast.Decl
	pos   token.Pos
	serve bool // a Serve call: the program serves on some listener
}

// addListener records a listen address found at node at.
func (a *analyzer) addListener(ff *fileFacts, c evalCtx, addr ast.Expr, at ast.Node, defaultMux bool) {
	ff.listens = append(ff.listens, listenSite{f: c.f, decl: c.decl, fn: c.fn, at: at, addr: addr, defaultMux: defaultMux})
}

// evalListener works out one listener for the main being analyzed.
func (a *analyzer) evalListener(s listenSite, st reachState) (Listener, sval, []Warning) {
	c := evalCtx{f: s.f, fn: s.fn, decl: s.decl}
	at := s.at
	if s.via != nil {
		c.args, c.argCtx = s.via.call.Args, &evalCtx{f: s.via.f, fn: s.via.fn}
		at = s.via.call
	}
	var v sval
	expr := ""
	switch {
	case s.addr != nil:
		v = a.value(c, s.addr)
		expr = types.ExprString(s.addr)
	case s.toolkit:
		a.top(func() { v = a.toolkitAddr() })
		expr = "--web.listen-address"
	default: // gin's r.Run(): $PORT, else :8080
		v = litVal(":").concat(envWithDefault(s.noEnv, s.noDef, false))
	}
	l := Listener{Source: a.pos(at.Pos()), DefaultMux: s.defaultMux, Conditional: st.cond, Subcommand: st.sub, bg: st.bg}
	complete := describeAddr(v, &l)
	l.Kind = a.listenerKind(s, v, l)
	var warns []Warning
	switch {
	case l.Port == 0 && l.PortEnv == "" && l.Flag == "" && complete:
		warns = append(warns, Warning{Code: "unknown-port", Source: l.Source, Message: fmt.Sprintf("listen address %q has no usable port: set a fixed port (e.g. \":8080\") so the container can publish it, or give dockgen the port (--port)", l.Addr)})
	case l.Port == 0 && l.PortEnv == "" && l.Flag == "":
		why := expr
		if wf, we := v.whyUnknown(); we != nil {
			why = types.ExprString(we) + " at " + a.pos(we.Pos())
			_ = wf
		} else if s.addr != nil {
			why = expr + " at " + a.pos(s.addr.Pos())
		}
		l.Unresolved = why
		setting := ""
		switch {
		case l.PortEnv != "":
			setting = fmt.Sprintf(" (it is set by $%s, which has no default)", l.PortEnv)
		case l.Flag != "":
			setting = fmt.Sprintf(" (it is set by --%s, which has no default)", l.Flag)
		}
		warns = append(warns, Warning{Code: "unknown-port", Source: l.Source, Message: fmt.Sprintf("could not work out the port of this listener from %s%s: dockgen would have to guess it; tell it with --port, or use a literal, a constant, a flag default or an env var with a default", why, setting)})
	}
	if l.Loopback {
		warns = append(warns, Warning{Code: "loopback-bind", Source: l.Source, Message: loopbackMessage(v, l, expr)})
	}
	return l, v, warns
}

// toolkitAddr is the default of exporter-toolkit's --web.listen-address
// flag, added by kingpinflag.AddFlags(app, ":9100") / web.AddFlags.
func (a *analyzer) toolkitAddr() sval {
	for _, lc := range a.calls(mToolkitFlags) {
		e := lc.row.argOf(lc.call, lc.row.def)
		if e == nil {
			continue
		}
		v := a.eval(evalCtx{f: lc.f, fn: lc.fn}, e, 0)
		return wrapFlag(lc.row.flag, a.pos(e.Pos()), v)
	}
	return sval{parts: []part{{flag: "web.listen-address"}}}
}

// listenerKind tells a secondary listener from the service's own: TLS,
// gRPC, metrics, pprof, admin, SSH, an HTTP→HTTPS redirect.
func (a *analyzer) listenerKind(s listenSite, v sval, l Listener) string {
	var hint strings.Builder
	if s.addr != nil {
		hint.WriteString(types.ExprString(s.addr))
	}
	for _, p := range v.parts {
		hint.WriteString(" " + p.env + " " + p.flag)
	}
	hint.WriteString(" " + s.kindHint)
	h := strings.ToLower(hint.String())
	handler := ""
	if s.handler != nil {
		handler = strings.ToLower(types.ExprString(s.handler))
	}
	switch {
	case strings.Contains(handler, "redirect") || strings.Contains(handler, "httphandler(") || strings.Contains(h, "redirect"):
		return "redirect"
	case s.tls || strings.Contains(h, "tls") || strings.Contains(h, "https"):
		return "tls"
	case strings.Contains(h, "pprof") || strings.Contains(h, "debug") || strings.Contains(h, "profil") || l.Port == 6060:
		return "pprof"
	case strings.Contains(h, "metric") || strings.Contains(h, "prom") || strings.Contains(handler, "promhttp"):
		return "metrics"
	case strings.Contains(h, "admin") || strings.Contains(h, "internal") || strings.Contains(h, "mgmt") || strings.Contains(h, "management"):
		return "admin"
	case s.kindHint == "grpc" || strings.Contains(h, "grpc"):
		return "grpc"
	case strings.Contains(h, "ssh"):
		return "ssh" // a git service's SSH server beside its web UI (opengist's OG_SSH_PORT)
	}
	return ""
}

// serveWords are the subcommands that usually start a service.
var serveWords = map[string]bool{"serve": true, "server": true, "run": true, "start": true, "web": true,
	"api": true, "daemon": true, "http": true, "agent": true, "listen": true}

// rankListeners orders a main's listeners, the primary first: the
// service's own over TLS, metrics, pprof, admin, SSH and redirect servers
// (even when the service's own is behind a condition dockgen cannot
// decide, like opengist's unix-socket check), an unconditional one over a
// conditional one, a known port over an
// unknown one, a serve-like subcommand's over another's, the one main
// blocks on over those started with go, HTTP over gRPC, then source order.
func rankListeners(ls []Listener) []Listener {
	rank := func(l Listener) [7]int {
		secondary, grpc := 0, 0
		switch l.Kind {
		case "":
		case "grpc":
			grpc = 1
		default:
			secondary = 1
		}
		unknown := 0
		switch {
		case l.Port != 0:
		case l.PortEnv != "" || l.Flag != "":
			unknown = 1 // settable, no usable default
		default:
			unknown = 2
		}
		return [7]int{secondary, btoi(l.Conditional), unknown, btoi(l.Subcommand != "" && !serveWords[l.Subcommand]), btoi(l.bg), grpc, btoi(l.Loopback)}
	}
	ls = sortListeners(ls)
	sort.SliceStable(ls, func(i, j int) bool {
		ri, rj := rank(ls[i]), rank(ls[j])
		for k := range ri {
			if ri[k] != rj[k] {
				return ri[k] < rj[k]
			}
		}
		return false
	})
	for i := range ls {
		ls[i].Primary = i == 0
		ls[i].bg = false // ranking only: not a fact
	}
	return ls
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func loopbackMessage(v sval, l Listener, expr string) string {
	shown := l.Addr
	if shown == "" {
		shown = expr
	}
	port := "PORT"
	if l.Port > 0 {
		port = strconv.Itoa(l.Port)
	}
	fix := fmt.Sprintf("bind \":%s\" or \"0.0.0.0:%s\"", port, port)
	switch {
	case l.EnvIsAddr:
		fix += fmt.Sprintf(", or set %s=:%s in the container", l.PortEnv, port)
	case len(v.parts) > 1 && v.parts[0].env != "":
		fix += fmt.Sprintf(", or set %s=0.0.0.0 in the container", v.parts[0].env)
	case l.FlagIsAddr:
		fix += fmt.Sprintf(", or start it with --%s=:%s", l.Flag, port)
	case len(v.parts) > 1 && v.parts[0].flag != "":
		fix += fmt.Sprintf(", or start it with --%s=0.0.0.0", v.parts[0].flag)
	default:
		fix += ", or read the address from an env var so the container can set it"
	}
	where := ""
	if len(v.parts) > 0 && v.parts[0].src != "" && (v.parts[0].cfg() || v.parts[0].isLit()) {
		where = fmt.Sprintf(" (the loopback default is set at %s)", v.parts[0].src)
	} else if l.AddrSource != "" && l.EnvIsAddr || l.FlagIsAddr {
		where = fmt.Sprintf(" (the loopback default is set at %s)", l.AddrSource)
	}
	return fmt.Sprintf("listens on %s, a loopback address%s: inside a container it is unreachable through a published port; %s", shown, where, fix)
}

// describeAddr fills Addr, Port, PortEnv, EnvIsAddr and Loopback from a
// symbolic address. It reports whether the whole address was resolved.
func describeAddr(v sval, l *Listener) bool {
	l.PortEnv, l.EnvIsAddr = addrEnv(v)
	l.Flag, l.FlagIsAddr = addrFlag(v)
	for _, p := range v.parts {
		if p.src != "" && (p.cfg() || p.isLit()) && l.AddrSource == "" {
			l.AddrSource = p.src
		}
		if p.src != "" && p.cfg() && (p.env == l.PortEnv && p.env != "" || p.flag == l.Flag && p.flag != "") {
			l.AddrSource = p.src // where the port is set wins
			break
		}
	}
	if s, ok := v.render(); ok {
		l.Addr = s
		if host, port, err := net.SplitHostPort(s); err == nil {
			l.Port = portNumber(port)
			l.Loopback = isLoopbackHost(host)
		}
		return true
	}
	// Partly known, like "127.0.0.1:" + port: the host may still be known.
	var b strings.Builder
	for _, p := range v.parts {
		switch {
		case p.unknown, p.cfg() && !p.hasDef:
			b.WriteByte(0)
		case p.cfg():
			b.WriteString(p.def)
		default:
			b.WriteString(p.lit)
		}
	}
	text := b.String()
	if i := strings.LastIndexByte(text, ':'); i >= 0 {
		if !strings.ContainsRune(text[:i], 0) {
			l.Loopback = isLoopbackHost(strings.Trim(text[:i], "[]"))
		}
		if !strings.ContainsRune(text[i+1:], 0) { // "$HOST:8080": the port is known
			l.Port = portNumber(text[i+1:])
		}
	}
	return false
}

// addrEnv names the env var the address comes from: the whole address
// (os.Getenv("ADDR")) or the port after a ':' (":" + os.Getenv("PORT")).
func addrEnv(v sval) (string, bool) {
	return addrSetting(v, func(p part) string { return p.env })
}

// addrFlag names the flag the address or its port comes from.
func addrFlag(v sval) (string, bool) {
	return addrSetting(v, func(p part) string { return p.flag })
}

func addrSetting(v sval, name func(part) string) (string, bool) {
	if len(v.parts) == 1 && name(v.parts[0]) != "" {
		return name(v.parts[0]), true
	}
	setting := ""
	for i, p := range v.parts {
		if name(p) == "" {
			if strings.Contains(p.lit, ":") || p.cfg() {
				setting = "" // a port setting must come after the last ':'
			}
			continue
		}
		prev := v.parts[max(i-1, 0)]
		if i > 0 && (prev.isLit() && strings.HasSuffix(prev.lit, ":") || prev.cfg() && prev.hasDef && strings.HasSuffix(prev.def, ":")) {
			setting = name(p)
		}
	}
	return setting, false
}

func portNumber(s string) int {
	switch s {
	case "http":
		return 80
	case "https":
		return 443
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0
	}
	return n
}

func isLoopbackHost(h string) bool {
	if i := strings.IndexByte(h, '%'); i >= 0 { // zone: ::1%lo
		h = h[:i]
	}
	if strings.EqualFold(h, "localhost") || strings.HasSuffix(strings.ToLower(h), ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// tcpNetwork reports whether a net.Listen network can be a published port.
func tcpNetwork(v sval) bool {
	s, ok := v.known()
	if !ok {
		return true // unknown: assume tcp, the common case
	}
	return s == "tcp" || s == "tcp4" || s == "tcp6"
}

// scanMethodCall handles calls on values the table does not model:
// net.ListenConfig's Listen, and servers' Serve, which tell a program is
// long-running.
func (a *analyzer) scanMethodCall(ff *fileFacts, c evalCtx, call *ast.CallExpr, sel *ast.SelectorExpr) {
	switch sel.Sel.Name {
	case "Listen":
		// net.ListenConfig.Listen(ctx, "tcp", addr)
		if len(call.Args) == 3 && tcpNetwork(a.valueNoParams(c, call.Args[1])) {
			a.addListener(ff, c, call.Args[2], call, false)
		}
	case "Serve", "ServeTLS", "ListenAndServe", "ListenAndServeTLS":
		if c.f.imports("net/http") || c.f.imports(grpcPath) || c.f.imports("net") {
			ff.longAt = append(ff.longAt, siteRef{c.f, c.decl, call.Pos(), true})
		}
	case "AutoMigrate":
		// db.AutoMigrate(&User{}) on a *gorm.DB
		if c.f.imports("gorm.io/gorm") {
			ff.migrations = append(ff.migrations, migrationSite{siteRef{c.f, c.decl, call.Pos(), false}, "gorm.io/gorm"})
		}
	}
}

func addrLike(v sval) bool {
	for _, p := range v.parts {
		if p.env != "" || strings.Contains(p.lit, ":") {
			return true
		}
	}
	return false
}

// origin returns the import path of the package that produced a value:
// gin for r := gin.Default(), for a parameter r *gin.Engine, or for a
// module function declared to return *gin.Engine. "" when unknown.
func (a *analyzer) origin(c evalCtx, x ast.Expr, depth int) string {
	if depth > 8 {
		return ""
	}
	switch x := x.(type) {
	case *ast.ParenExpr:
		return a.origin(c, x.X, depth+1)
	case *ast.UnaryExpr:
		return a.origin(c, x.X, depth+1)
	case *ast.CompositeLit:
		return typePkg(c.f, x.Type)
	case *ast.CallExpr:
		switch fun := x.Fun.(type) {
		case *ast.SelectorExpr:
			if ip := c.f.pkgOf(fun.X); ip != "" {
				if p := a.localPkg(ip); p != nil {
					if r, ok := a.index(p).funcs[fun.Sel.Name]; ok {
						return resultPkg(r)
					}
				}
				return ip
			}
			return a.origin(c, fun.X, depth+1) // method chain
		case *ast.Ident:
			if r, ok := a.index(c.f.pkg).funcs[fun.Name]; ok {
				return resultPkg(r)
			}
		}
	case *ast.Ident:
		if c.fn != nil {
			fi := a.funcIndex(c.f, c.fn)
			list := fi.assigns[x.Name]
			for i := len(list) - 1; i >= 0; i-- {
				// v := f(), or v, err := f(): what f returns first.
				if as := list[i]; as.pos < x.Pos() && (as.kind == kExpr || as.kind == kUnknown && as.tuple == 1 && as.rhs != nil) {
					return a.origin(c, as.rhs, depth+1)
				}
			}
			for _, fld := range c.fn.Type.Params.List {
				for _, n := range fld.Names {
					if n.Name == x.Name {
						return typePkg(c.f, fld.Type)
					}
				}
			}
		}
		if r, ok := a.index(c.f.pkg).values[x.Name]; ok && r.kind == kExpr {
			return a.origin(evalCtx{f: r.f}, r.expr, depth+1)
		}
	}
	return ""
}

func resultPkg(r funcRef) string {
	res := r.decl.Type.Results
	if res == nil || len(res.List) == 0 {
		return ""
	}
	return typePkg(r.f, res.List[0].Type)
}

func typePkg(f *file, t ast.Expr) string {
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if sel, ok := t.(*ast.SelectorExpr); ok {
		return f.pkgOf(sel.X)
	}
	return ""
}

// expandWrapper turns a listen call inside a function whose address
// depends on its parameters (func listen(addr string) {...}, gotify's
// startListening(name, host, port)) into one listener per call of that
// function when the calls give different addresses, each worked out with
// the call's arguments and reported at the call.
func (a *analyzer) expandWrapper(s listenSite) []listenSite {
	if s.fn == nil || s.addr == nil || s.fn.Type.Params.NumFields() == 0 {
		return []listenSite{s}
	}
	var calls []callSite
	for _, cs := range a.callSitesOf(s.f, s.fn) {
		if a.inScope(cs.f) && cs.fn != nil {
			calls = append(calls, cs)
		}
	}
	if len(calls) < 2 || len(calls) > 8 {
		return []listenSite{s}
	}
	c := evalCtx{f: s.f, fn: s.fn, decl: s.decl}
	if _, ok := a.valueNoParams(c, s.addr).render(); ok {
		return []listenSite{s} // the parameters do not matter
	}
	first, same := "", true
	for n := range calls {
		cs := calls[n]
		var v sval
		a.top(func() {
			v = a.eval(evalCtx{f: s.f, fn: s.fn, args: cs.call.Args, argCtx: &evalCtx{f: cs.f, fn: cs.fn}}, s.addr, 0)
		})
		var l Listener
		describeAddr(v, &l)
		r := fmt.Sprint(l.Addr, l.Port, l.PortEnv, l.Flag)
		if n == 0 {
			first = r
		} else if r != first {
			same = false
		}
	}
	if same {
		return []listenSite{s}
	}
	hi := -1
	if h, ok := s.handler.(*ast.Ident); ok {
		if j, ok := a.funcIndex(s.f, s.fn).params[h.Name]; ok {
			hi = j
		}
	}
	// The kind hint is the call's function and the arguments the address
	// comes from: a TLS certificate passed beside the address
	// (a.Run(ctx, addr, port, tlsCert, tlsKey)) does not make it a TLS
	// listener.
	fi := a.funcIndex(s.f, s.fn)
	var addrArgs []int
	seen := map[string]bool{}
	var from func(e ast.Expr, depth int)
	from = func(e ast.Expr, depth int) { // the parameters e is computed from, through locals
		ast.Inspect(e, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok || seen[id.Name] {
				return true
			}
			seen[id.Name] = true
			if j, ok := fi.params[id.Name]; ok {
				addrArgs = append(addrArgs, j)
			}
			for _, as := range fi.assigns[id.Name] {
				if as.kind == kExpr && depth < 4 {
					from(as.rhs, depth+1)
				}
			}
			return true
		})
	}
	from(s.addr, 0)
	out := make([]listenSite, 0, len(calls))
	for n := range calls {
		w := s
		w.via = &calls[n]
		hint := []string{types.ExprString(calls[n].call.Fun)}
		for j, arg := range calls[n].call.Args {
			// and literal labels: startListening("TLS", addr, port)
			if _, isLit := arg.(*ast.BasicLit); isLit || slices.Contains(addrArgs, j) {
				hint = append(hint, types.ExprString(arg))
			}
		}
		w.kindHint += " " + strings.Join(hint, " ")
		if hi >= 0 && hi < len(calls[n].call.Args) {
			w.handler = calls[n].call.Args[hi]
			w.defaultMux = isNil(calls[n].call.Args[hi])
		}
		out = append(out, w)
	}
	return out
}
