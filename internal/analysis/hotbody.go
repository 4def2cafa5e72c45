package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Whether a blank function body can matter, read from its tokens (step 2
// of lazy.go). Each rule stands in for a syntax-tree rule of a walk over
// all code and errs towards "it matters"; TestHotBody and FuzzHotBody hold
// them against those rules.

// bodyCheck is what hot needs to know of a file.
type bodyCheck struct {
	flags   *identTable                // the module's names
	own     map[string]bool            // the package's package-level names
	modPkgs map[string]map[string]bool // import name of a module package → its names
	svc     map[string]bool            // import names of backing services' packages
	undef   bool                       // look for names nothing declares (no dot import)
	// Scratch for hot, kept from one body to the next.
	uses, locals []lexTok
	stack        []byte
	headers      []int // stack depths of open if/for/switch headers
}

// Flags of an identifier in a body, in one lookup.
const (
	identHot   = 1 << iota // names.hot: the body matters
	identStore             // names.stores: writing it matters
	identSvc               // a backing service's package (set per file)
)

// identTable maps names to their flags. Most identifiers of a body are
// none of the module's names: a bit per (length, first byte, last byte)
// answers for them before the map is asked.
type identTable struct {
	m     map[string]uint8
	maybe [1 << 15 / 64]uint64
}

func identKey(b []byte) uint {
	return uint(len(b)&31)<<10 | uint(b[0]&31)<<5 | uint(b[len(b)-1]&31)
}

func (t *identTable) add(name string, flag uint8) {
	t.m[name] |= flag
	k := identKey([]byte(name))
	t.maybe[k/64] |= 1 << (k % 64)
}

// of returns the flags of identifier b.
func (t *identTable) of(b []byte) uint8 {
	k := identKey(b)
	if t.maybe[k/64]&(1<<(k%64)) == 0 {
		return 0
	}
	return t.m[string(b)]
}

// identFlags are the flags of the module's names.
func identFlags(names *moduleNames) *identTable {
	t := &identTable{m: make(map[string]uint8, len(names.hot)+len(names.stores))}
	for n := range names.hot {
		t.add(n, identHot)
	}
	for n := range names.stores {
		t.add(n, identStore)
	}
	return t
}

func (a *analyzer) bodyChecker(f *file, flags *identTable, decls map[string]map[string]bool) *bodyCheck {
	c := &bodyCheck{flags: flags, own: decls[f.pkg.path], modPkgs: map[string]map[string]bool{}, svc: map[string]bool{}, undef: true}
	for _, is := range f.ast.Imports {
		if is.Name != nil && is.Name.Name == "." {
			c.undef = false
		}
	}
	for name, ip := range f.names {
		if d, ok := decls[ip]; ok && ip != f.pkg.path {
			c.modPkgs[name] = d
		}
		if !isStdPath(ip) && len(serviceKinds(ip)) > 0 {
			c.svc[name] = true
		}
	}
	return c
}

// lexTok is a token by kind and offsets.
type lexTok struct{ kind, s, e int }

// tokHist holds the last histLen tokens (of hot's scan) in a ring: a
// token is written once, not moved along.
type tokHist struct {
	t [8]lexTok
	n uint
}

const histLen = 5 // at most 8

func (h *tokHist) push(t lexTok) { h.t[h.n&7] = t; h.n++ }

// at is the token k back (0: the last); the zero token before the first.
func (h *tokHist) at(k int) lexTok { return h.t[(h.n-1-uint(k))&7] }

// is reports whether the token's text is w.
func (t lexTok) is(src []byte, w string) bool { return string(src[t.s:t.e]) == w }

// sigHot reports whether the declaration's receiver, type parameters,
// parameters or results make it matter (inert.go), or name a type a
// module package lacks (generate.go), from their tokens.
func (c *bodyCheck) sigHot(f *file, lb lazyBody) bool {
	base := int(f.ast.FileStart)
	src := f.src
	hot := func(from, to token.Pos) bool {
		l := lexer{src: src[:int(to)-base], i: int(from) - base}
		var prev, prev2 lexTok
		for {
			k, s, e := l.next()
			if k == tEOF {
				return l.bad
			}
			if k == tIdent && (c.flags.of(src[s:e])&identHot != 0 || string(src[s:e]) == "struct") {
				return true
			}
			if k == tIdent && c.undef && prev.is(src, ".") && prev2.kind == tIdent {
				if d, ok := c.modPkgs[string(src[prev2.s:prev2.e])]; ok && !d[string(src[s:e])] {
					return true
				}
			}
			prev, prev2 = lexTok{k, s, e}, prev
		}
	}
	if r := lb.fd.Recv; r != nil && hot(r.Opening, r.Closing) {
		return true
	}
	return hot(lb.fd.Name.End(), lb.fd.Body.Lbrace) // its own name does not count
}

// hot reports whether a blank body may hold anything a walk over all code
// reacts to, from its tokens (see the top of this file). It errs towards
// true.
func (c *bodyCheck) hot(src []byte, lb lazyBody) bool {
	var hist tokHist       // hist.at(0) is the previous token
	var prevFlags uint8    // of the previous token, an identifier
	prevKw := false        // the previous token is a keyword
	uses := c.uses[:0]     // called or composite names that must be declared
	locals := c.locals[:0] // names the body declares
	lhs := 0               // identifiers of a possible `a, b :=` list, ending at hist.at(0)
	stack := c.stack[:0]   // open brackets
	headers := c.headers[:0]
	defer func() { c.uses, c.locals, c.stack, c.headers = uses, locals, stack, headers }()
	caseAt := -1    // stack depth of an open case clause's expression list
	declKw := false // the last token was var, const or type
	l := lexer{src: src[:lb.span.close], i: lb.span.open + 1}
	for {
		k, s, e := l.next()
		if k == tEOF {
			break
		}
		if l.bad || l.lineDir {
			return true
		}
		t := lexTok{k, s, e}
		w := src[s:e]
		prev := hist.at(0)
		wasDecl := declKw
		declKw = false
		flags := uint8(0)
		kw := false
		switch k {
		case tIdent:
			flags = c.flags.of(w)
			if flags&identHot != 0 || len(c.svc) > 0 && c.svc[string(w)] {
				return true
			}
			if e-s >= 2 && e-s <= 11 {
				switch string(w) {
				case "struct", "select":
					return true
				case "if", "for", "switch":
					headers = append(headers, len(stack))
					kw = true
				case "case":
					caseAt = len(stack)
					kw = true
				case "var", "const", "type":
					declKw, kw = true, true
				case "break", "chan", "continue", "default", "defer", "else", "fallthrough", "func",
					"go", "goto", "import", "interface", "map", "package", "range", "return":
					kw = true
				}
			}
			if wasDecl {
				locals = append(locals, t)
			}
			if prev.kind == tOp && prev.is(src, ".") && c.undef && hist.at(1).kind == tIdent {
				if d, ok := c.modPkgs[string(src[hist.at(1).s:hist.at(1).e])]; ok && !d[string(w)] {
					return true // pkg.Name a module package lacks
				}
			}
			if prev.kind == tIdent || prev.is(src, ",") {
				lhs++
			} else {
				lhs = 1
			}
		case tOp:
			if prevFlags&identStore != 0 {
				switch string(w) {
				case "=":
					return true // a write to a field or variable of the module
				case ",":
					if len(stack) == 0 || stack[len(stack)-1] == '{' {
						return true // maybe one of the written: a, x.N = ...
					}
				case ":":
					if caseAt != len(stack) && (len(stack) == 0 || stack[len(stack)-1] != '[') {
						return true // a composite literal's key
					}
				}
			}
			if e-s == 1 {
				switch w[0] {
				case ':':
					if caseAt == len(stack) {
						caseAt = -1
					}
				case '(', '[', '{':
					block := false
					if w[0] == '{' && len(headers) > 0 && headers[len(headers)-1] == len(stack) {
						headers, block = headers[:len(headers)-1], true
					}
					if w[0] == '{' && !block && pkgCompositeType(src, &hist) {
						return true
					}
					if w[0] != '[' && !block && c.undef && prev.kind == tIdent && !prevKw && !hist.at(1).is(src, ".") {
						uses = append(uses, prev)
					}
					stack = append(stack, w[0])
				case ')', ']', '}':
					if len(stack) > 0 {
						stack = stack[:len(stack)-1]
					}
					for len(headers) > 0 && headers[len(headers)-1] > len(stack) {
						headers = headers[:len(headers)-1]
					}
				}
			} else if string(w) == ":=" {
				// hist.at(0), hist.at(2), ... back through the list: a, b, c :=
				for j := 0; j < lhs && 2*j < histLen; j++ {
					locals = append(locals, hist.at(2*j))
				}
				if lhs > (histLen+1)/2 {
					return true // a longer list than the history holds
				}
			}
			if !t.is(src, ",") {
				lhs = 0
			}
		default:
			lhs = 0
		}
		prevFlags, prevKw = flags, kw
		hist.push(t)
	}
	return c.undeclared(src, lb, uses, locals)
}

// undeclared reports whether a name a body calls or builds a literal of
// may be declared nowhere: not in the package, not predeclared, not a
// parameter and not declared in the body.
func (c *bodyCheck) undeclared(src []byte, lb lazyBody, uses, locals []lexTok) bool {
	var known map[string]bool
	for _, u := range uses {
		n := string(src[u.s:u.e])
		if c.own[n] || n == "_" || types.Universe.Lookup(n) != nil {
			continue
		}
		if known == nil {
			known = map[string]bool{}
			for _, t := range locals {
				known[string(src[t.s:t.e])] = true
			}
			if lb.fd.Recv != nil {
				ast.Inspect(lb.fd.Recv, func(n ast.Node) bool {
					if id, ok := n.(*ast.Ident); ok {
						known[id.Name] = true
					}
					return true
				})
			}
			// The signature's names, from its tokens (it may be blank):
			// every identifier in it but the keywords is a name of its tree.
			l := lexer{src: src[:lb.span.open], i: lb.span.open - int(lb.fd.Body.Lbrace-lb.fd.Name.End())}
			for k, s, e := l.next(); k != tEOF; k, s, e = l.next() {
				if w := string(src[s:e]); k == tIdent && !token.IsKeyword(w) {
					known[w] = true
				}
			}
		}
		if !known[n] {
			return true
		}
	}
	return false
}

// pkgCompositeType reports whether the tokens before a `{` (hist.at(0) last)
// may be a composite literal type from a package: pkg.T, pkg.T[...]
// (any `]`), or (pkg.T).
func pkgCompositeType(src []byte, hist *tokHist) bool {
	if hist.at(0).is(src, "]") {
		return true
	}
	if hist.at(0).kind == tIdent && hist.at(1).is(src, ".") && hist.at(2).kind == tIdent {
		return true
	}
	return hist.at(0).is(src, ")") && hist.at(1).kind == tIdent && hist.at(2).is(src, ".") && hist.at(3).kind == tIdent && hist.at(4).is(src, "(")
}
