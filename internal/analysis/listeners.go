package analysis

import (
	"fmt"
	"go/ast"
	"go/types"
	"net"
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

// addListener records a listen address found at node at.
func (a *analyzer) addListener(ff *fileFacts, c evalCtx, addr ast.Expr, at ast.Node, defaultMux bool) {
	v := a.value(c, addr)
	ff.learn(v)
	l := Listener{Source: a.pos(at.Pos()), DefaultMux: defaultMux}
	complete := describeAddr(v, &l)
	ff.listeners = append(ff.listeners, l)
	ff.long = true
	if defaultMux {
		ff.defaultMux = true
	}
	expr := types.ExprString(addr)
	switch {
	case l.Port == 0 && l.PortEnv == "" && complete:
		ff.warn("unknown-port", l.Source, fmt.Sprintf("listen address %q has no usable port: set a fixed port (e.g. \":8080\") so the container can publish it", l.Addr))
	case l.Port == 0 && l.PortEnv == "":
		ff.warn("unknown-port", l.Source, fmt.Sprintf("could not work out the port from %s: use a literal, a constant, a flag default or an env var with a default, or tell dockgen the port", expr))
	}
	if l.Loopback {
		ff.warn("loopback-bind", l.Source, loopbackMessage(v, l, expr))
	}
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
	default:
		fix += ", or read the address from an env var so the container can set it"
	}
	return fmt.Sprintf("listens on %s, a loopback address: inside a container it is unreachable through a published port; %s", shown, fix)
}

// describeAddr fills Addr, Port, PortEnv, EnvIsAddr and Loopback from a
// symbolic address. It reports whether the whole address was resolved.
func describeAddr(v sval, l *Listener) bool {
	l.PortEnv, l.EnvIsAddr = addrEnv(v)
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
		case p.unknown, p.env != "" && !p.hasDef:
			b.WriteByte(0)
		case p.env != "":
			b.WriteString(p.def)
		default:
			b.WriteString(p.lit)
		}
	}
	text := b.String()
	if i := strings.LastIndexByte(text, ':'); i >= 0 && !strings.ContainsRune(text[:i], 0) {
		l.Loopback = isLoopbackHost(strings.Trim(text[:i], "[]"))
	}
	return false
}

// addrEnv names the env var the address comes from: the whole address
// (os.Getenv("ADDR")) or the port after a ':' (":" + os.Getenv("PORT")).
func addrEnv(v sval) (string, bool) {
	if len(v.parts) == 1 && v.parts[0].env != "" {
		return v.parts[0].env, true
	}
	env := ""
	for i, p := range v.parts {
		if p.env == "" {
			if strings.Contains(p.lit, ":") {
				env = "" // a port env must come after the last ':'
			}
			continue
		}
		prev := v.parts[max(i-1, 0)]
		if i > 0 && prev.env == "" && !prev.unknown && strings.HasSuffix(prev.lit, ":") {
			env = p.env
		}
	}
	return env, false
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

// scanMethodCall handles calls on values: framework Run/Start/Listen and
// servers' Serve, which tell a program is long-running.
func (a *analyzer) scanMethodCall(ff *fileFacts, c evalCtx, call *ast.CallExpr, sel *ast.SelectorExpr) {
	name := sel.Sel.Name
	nargs := len(call.Args)
	is := func(prefix string) bool {
		if hasPathPrefix(a.origin(c, sel.X, 0), prefix) {
			return true
		}
		// The receiver's type is unknown: accept the call when the file uses
		// the framework and the argument looks like an address.
		return c.f.imports(prefix) && nargs > 0 && addrLike(a.value(c, call.Args[0]))
	}
	switch name {
	case "Run", "RunTLS":
		if !is(ginPath) {
			return
		}
		if nargs == 0 && name == "Run" {
			// gin's Run() listens on $PORT, else :8080.
			src := a.pos(call.Pos())
			ff.listeners = append(ff.listeners, Listener{Addr: ":8080", Port: 8080, PortEnv: "PORT", Source: src})
			ff.env = append(ff.env, EnvVar{Name: "PORT", Default: "8080", HasDefault: true, Source: src})
			ff.long = true
			return
		}
		if nargs > 0 {
			a.addListener(ff, c, call.Args[0], call, false)
		}
	case "Start", "StartTLS":
		if nargs > 0 && is(echoPath) {
			a.addListener(ff, c, call.Args[0], call, false)
		}
	case "Listen", "ListenTLS":
		// net.ListenConfig.Listen(ctx, "tcp", addr)
		if nargs == 3 {
			if s, ok := a.valueNoParams(c, call.Args[1]).known(); ok && tcpNetwork(litVal(s)) {
				a.addListener(ff, c, call.Args[2], call, false)
			}
			return
		}
		if nargs > 0 && (is(fiberPath) || is(irisPath)) {
			a.addListener(ff, c, call.Args[0], call, false)
		}
	case "Serve", "ServeTLS", "ListenAndServe", "ListenAndServeTLS":
		if c.f.imports("net/http") || c.f.imports(grpcPath) || c.f.imports("net") {
			ff.long = true
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
				if list[i].pos < x.Pos() && list[i].kind == kExpr {
					return a.origin(c, list[i].rhs, depth+1)
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
