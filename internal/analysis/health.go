package analysis

import (
	"go/ast"
	"strings"
)

// healthPaths are the health routes dockgen can probe, most preferred first.
var healthPaths = []string{"/healthz", "/health", "/healthcheck", "/livez", "/readyz", "/ready", "/live", "/-/healthy", "/-/ready", "/ping", "/status", "/_health", "/api/health", "/api/healthz"}

// routeMethods are the route registration methods of net/http and the
// common routers (chi, gorilla/mux, gin, echo, fiber, httprouter).
var routeMethods = map[string]bool{
	"Handle": true, "HandleFunc": true, "Get": true, "GET": true, "Head": true, "HEAD": true,
	"Any": true, "Route": true, "Path": true, "All": true, "Add": true, "Method": true, "MethodFunc": true,
	"Match": true, // gin: g.Match([]string{"GET", "HEAD"}, "/health", h)
}

func isHTTPMethod(s string) bool {
	switch s {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE":
		return true
	}
	return false
}

// scanRoute records a registration of one of the health paths.
func (a *analyzer) scanRoute(ff *fileFacts, c evalCtx, call *ast.CallExpr, sel *ast.SelectorExpr, stack []ast.Node) {
	if len(call.Args) == 0 {
		return
	}
	p, ok := a.valueNoParams(c, call.Args[0]).known()
	if _, isList := call.Args[0].(*ast.CompositeLit); (isList || ok && isHTTPMethod(p)) && len(call.Args) > 1 { // Handle("GET", "/healthz", h), Match([]string{...}, "/health", h)
		p, ok = a.valueNoParams(c, call.Args[1]).known()
	}
	if !ok {
		return
	}
	if i := strings.IndexByte(p, ' '); i >= 0 { // Go 1.22 patterns: "GET /healthz"
		p = strings.TrimSpace(p[i+1:])
	}
	if !strings.HasPrefix(p, "/") {
		return
	}
	full := a.groupPrefix(c, sel.X, 0) + enclosingRoute(stack) + p
	full = strings.TrimSuffix(full, "{$}")
	if len(full) > 1 {
		full = strings.TrimRight(full, "/")
	}
	for rank, h := range healthPaths {
		if full == h {
			ff.health = append(ff.health, healthHit{path: h, source: a.pos(call.Pos()), rank: rank})
			return
		}
	}
	// Under a version or API prefix (/v1/healthz, /api/v2/health): after
	// every plain one.
	for rank, h := range healthPaths {
		if strings.HasSuffix(full, h) && strings.Count(full, "/") <= 3 {
			ff.health = append(ff.health, healthHit{path: full, source: a.pos(call.Pos()), rank: len(healthPaths) + rank})
			return
		}
	}
}

// groupPrefix follows route groups: api := r.Group("/api") (gin, echo,
// fiber) and s := r.PathPrefix("/api").Subrouter() (gorilla/mux).
func (a *analyzer) groupPrefix(c evalCtx, x ast.Expr, depth int) string {
	if depth > 8 {
		return ""
	}
	switch x := x.(type) {
	case *ast.CallExpr:
		sel, ok := x.Fun.(*ast.SelectorExpr)
		if !ok || c.f.pkgOf(sel.X) != "" {
			return ""
		}
		switch sel.Sel.Name {
		case "Group", "PathPrefix":
			if len(x.Args) > 0 {
				if s, ok := a.valueNoParams(c, x.Args[0]).known(); ok && strings.HasPrefix(s, "/") {
					return a.groupPrefix(c, sel.X, depth+1) + strings.TrimRight(s, "/")
				}
			}
		case "Subrouter":
			return a.groupPrefix(c, sel.X, depth+1)
		}
	case *ast.Ident:
		if c.fn == nil {
			return ""
		}
		list := a.funcIndex(c.f, c.fn).assigns[x.Name]
		for i := len(list) - 1; i >= 0; i-- {
			if list[i].pos < x.Pos() && list[i].kind == kExpr {
				return a.groupPrefix(c, list[i].rhs, depth+1)
			}
		}
	}
	return ""
}

// enclosingRoute follows chi's r.Route("/api", func(r chi.Router) {...}).
func enclosingRoute(stack []ast.Node) string {
	prefix := ""
	for i := len(stack) - 1; i > 0; i-- {
		if _, ok := stack[i].(*ast.FuncLit); !ok {
			continue
		}
		call, ok := stack[i-1].(*ast.CallExpr)
		if !ok || len(call.Args) < 2 {
			continue
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Route" {
			if bl, ok := call.Args[0].(*ast.BasicLit); ok {
				if s := strings.Trim(bl.Value, "\"`"); strings.HasPrefix(s, "/") {
					prefix = strings.TrimRight(s, "/") + prefix
				}
			}
		}
	}
	return prefix
}
