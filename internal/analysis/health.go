package analysis

import (
	"go/ast"
	"strings"
)

// healthPaths are the health routes dockgen can probe, most preferred first.
var healthPaths = []string{"/healthz", "/health", "/healthcheck", "/livez", "/readyz", "/ready", "/live", "/-/healthy", "/-/ready", "/ping", "/status", "/_health", "/api/health", "/api/healthz", "/health.html"}

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
	p, ok := a.valueNoParams(c, call.Args[0]).renderZero()                                                      // a route prefix flag counts with its default
	if _, isList := call.Args[0].(*ast.CompositeLit); (isList || ok && isHTTPMethod(p)) && len(call.Args) > 1 { // Handle("GET", "/healthz", h), Match([]string{...}, "/health", h)
		p, ok = a.valueNoParams(c, call.Args[1]).renderZero()
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
	prefix, known := a.groupPrefix(c, sel.X, 0)
	if !known {
		return // mounted under a prefix dockgen cannot tell: the path is not known
	}
	full := prefix + enclosingRoute(stack) + p
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
	// Any other prefix names a feature (navidrome's Jellyfin API has
	// /audiomuseai/health for a plugin, under a mount prefix besides): not
	// the service's own health.
	for rank, h := range healthPaths {
		if pre, ok := strings.CutSuffix(full, h); ok && strings.Count(full, "/") <= 3 && versionPrefix(pre) {
			ff.health = append(ff.health, healthHit{path: full, source: a.pos(call.Pos()), rank: len(healthPaths) + rank})
			return
		}
	}
}

// versionPrefix reports a route prefix made of API and version segments
// only: /api, /v1, /api/v2.
func versionPrefix(p string) bool {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for _, s := range segs {
		if s != "api" && !(len(s) > 1 && s[0] == 'v' && strings.Trim(s[1:], "0123456789") == "") {
			return false
		}
	}
	return p != ""
}

// groupPrefix follows route groups: api := r.Group("/api") (gin, echo,
// fiber), s := r.PathPrefix("/api").Subrouter() (gorilla/mux),
// r.WithPrefix("/api") (prometheus route), and a router handed to a
// function (func register(r *Router)) back to what its callers pass. ok is
// false when the prefix cannot be known: then the route's real path is not
// known either.
func (a *analyzer) groupPrefix(c evalCtx, x ast.Expr, depth int) (string, bool) {
	if depth > 8 {
		return "", false
	}
	switch x := x.(type) {
	case *ast.ParenExpr:
		return a.groupPrefix(c, x.X, depth+1)
	case *ast.UnaryExpr:
		return a.groupPrefix(c, x.X, depth+1)
	case *ast.CallExpr:
		sel, ok := x.Fun.(*ast.SelectorExpr)
		if !ok || c.f.pkgOf(sel.X) != "" {
			return "", true // a constructor: a new router
		}
		switch sel.Sel.Name {
		case "Group", "PathPrefix", "WithPrefix", "Route", "Mount":
			if len(x.Args) > 0 {
				if s, ok := a.valueNoParams(c, x.Args[0]).render(); ok && (s == "" || strings.HasPrefix(s, "/")) {
					outer, ok := a.groupPrefix(c, sel.X, depth+1)
					return outer + strings.TrimRight(s, "/"), ok
				}
			}
			return "", false
		case "Subrouter", "Methods", "Use", "With":
			return a.groupPrefix(c, sel.X, depth+1)
		}
		return "", true
	case *ast.Ident:
		if c.fn == nil {
			return "", true
		}
		fi := a.funcIndex(c.f, c.fn)
		list := fi.assigns[x.Name]
		for i := len(list) - 1; i >= 0; i-- {
			// the router it always is; a conditional switch to another
			// (a sub-router when a prefix is configured) is not the default
			if list[i].pos < x.Pos() && list[i].kind == kExpr && !list[i].cond {
				if mountedElsewhere(c.fn, x.Name) {
					return "", false // mux.Handle("/api/", http.StripPrefix("/api", sub))
				}
				return a.groupPrefix(c, list[i].rhs, depth+1)
			}
		}
		i, isParam := fi.params[x.Name]
		if !isParam {
			return "", true
		}
		// A router parameter: the prefix is what every caller's router has.
		sites := a.callSitesOf(c.f, c.fn)
		if len(sites) == 0 {
			return "", true
		}
		prefix := ""
		for n, cs := range sites {
			if i >= len(cs.call.Args) {
				return "", false
			}
			p, ok := a.groupPrefix(evalCtx{f: cs.f, fn: cs.fn}, cs.call.Args[i], depth+1)
			if !ok || (n > 0 && p != prefix) {
				return "", false
			}
			prefix = p
		}
		return prefix, true
	}
	return "", true
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

// mountedElsewhere reports whether the router in variable name is handed
// to another router (Handle, Mount, StripPrefix): its routes then live
// under that mount point.
func mountedElsewhere(fn *ast.FuncDecl, name string) bool {
	if fn.Body == nil {
		return false
	}
	found := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		switch callName(call) {
		case "Handle", "Mount", "StripPrefix", "Handler", "Any":
			if len(call.Args) < 2 {
				break
			}
			for _, arg := range call.Args[1:] {
				ast.Inspect(arg, func(m ast.Node) bool {
					if id, ok := m.(*ast.Ident); ok && id.Name == name {
						found = true
					}
					return !found
				})
			}
		}
		return !found
	})
	return found
}
