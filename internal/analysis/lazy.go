package analysis

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"sync"
)

// Function bodies parsed only where they can matter. Parsing is most of a
// cold analysis, and most of what it parses is the bodies of functions no
// fact depends on. So the module's files are parsed in three steps
// (parseAll):
//
//  1. each file with every function body blanked (its bytes spaced out,
//     so every position is the original's; the line table is made from
//     the source);
//  2. the bodies a text scan of their tokens cannot clear (hotBody) are
//     parsed on their own and put in place. The scan clears a body only
//     when it has none of what the walks over all code react to: the
//     inert rule's names, structs, selects, package composite literals and
//     writes (inert.go), a backing service's package (services.go), a
//     call of a name nothing declares (generate.go);
//  3. the bodies of functions that parsed code names are parsed too: the
//     evaluator reads a helper's returns. A body left out names no module
//     function (that would have made it hot), so one round is enough.
//
// A body left blank is never read: nothing names its function, and every
// walk over all code skips it as inert. The text scan errs only towards
// parsing. What is lost: a syntax error that keeps the brackets balanced
// inside such a body is left to go build (an unbalanced bracket or an
// unterminated literal still makes the file parse whole, and report it).
// TestShortcutsChangeNothing compares every fixture's facts with and
// without the skipping.

// lazyBodies turns the skipping off (tests compare both).
var lazyBodies = true

// bodySpan is a top-level function's body in a file: the offsets of its
// braces.
type bodySpan struct{ open, close int }

// lazyBody is a function whose body is still blank.
type lazyBody struct {
	fd   *ast.FuncDecl
	i    int // its index in the file's declarations
	span bodySpan
}

// alwaysParsed are functions whose bodies are parsed whatever their tokens:
// the entry points a program or a library calls without the code naming
// them.
func alwaysParsed(fd *ast.FuncDecl) bool {
	if fd.Recv == nil {
		return fd.Name.Name == "main" || fd.Name.Name == "init" || fd.Name.Name == probeFunc
	}
	switch fd.Name.Name {
	case "Run", "Execute", "ServeHTTP":
		return true
	}
	return false
}

// lexer splits Go source into the tokens the text scans need: identifiers
// (keywords included), literals and operators. It does not interpret them.
type lexer struct {
	src     []byte
	i       int
	bad     bool // an unterminated literal or comment
	lineDir bool // a //line or /*line directive was passed
}

const (
	tEOF = iota
	tIdent
	tLit
	tOp
)

// Byte classes for the lexer: identifiers take letters, digits, _ and any
// byte of a multi-byte UTF-8 sequence.
const (
	cOther = iota
	cSpace
	cDigit
	cLetter
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			t[c] = cSpace
		case '0' <= c && c <= '9':
			t[c] = cDigit
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80:
			t[c] = cLetter
		}
	}
	return t
}()

// next returns the next token's kind and its offsets [s, e).
func (l *lexer) next() (kind, s, e int) {
	src := l.src
	n := len(src)
	i := l.i
	for i < n {
		c := src[i]
		switch byteClass[c] {
		case cSpace:
			i++
			continue
		case cLetter:
			s = i
			for i++; i < n && byteClass[src[i]] >= cDigit; i++ {
			}
			l.i = i
			return tIdent, s, i
		case cDigit:
			s = i
			l.i = l.number(i)
			return tLit, s, l.i
		}
		s = i
		switch c {
		case '/':
			if i+1 < n && src[i+1] == '/' {
				if hasPrefixAt(src, i+2, "line ") {
					l.lineDir = true
				}
				j := bytes.IndexByte(src[i:], '\n')
				if j < 0 {
					i = n
				} else {
					i += j
				}
				continue
			}
			if i+1 < n && src[i+1] == '*' {
				if hasPrefixAt(src, i+2, "line ") {
					l.lineDir = true
				}
				j := bytes.Index(src[i+2:], []byte("*/"))
				if j < 0 {
					l.bad, l.i = true, n
					return tEOF, n, n
				}
				i += 2 + j + 2
				continue
			}
		case '"', '\'':
			for i++; ; i++ {
				if i >= n || src[i] == '\n' {
					l.bad, l.i = true, n
					return tEOF, n, n
				}
				if src[i] == '\\' {
					i++
					continue
				}
				if src[i] == c {
					l.i = i + 1
					return tLit, s, l.i
				}
			}
		case '`':
			j := bytes.IndexByte(src[i+1:], '`')
			if j < 0 {
				l.bad, l.i = true, n
				return tEOF, n, n
			}
			l.i = i + 1 + j + 1
			return tLit, s, l.i
		case '.':
			if i+1 < n && byteClass[src[i+1]] == cDigit {
				l.i = l.number(i)
				return tLit, s, l.i
			}
		}
		l.i = i + opLen(src, i)
		return tOp, s, l.i
	}
	l.i = n
	return tEOF, n, n
}

// number passes a numeric literal starting at i.
func (l *lexer) number(i int) int {
	src := l.src
	for i++; i < len(src); i++ {
		d := src[i]
		if byteClass[d] >= cDigit || d == '.' {
			continue
		}
		if (d == '+' || d == '-') && strchr("eEpP", src[i-1]) {
			continue
		}
		break
	}
	return i
}

// opLen is the length of the operator at src[i]: Go's longest match.
func opLen(src []byte, i int) int {
	at := func(j int) byte {
		if i+j < len(src) {
			return src[i+j]
		}
		return 0
	}
	c, d := src[i], at(1)
	switch c {
	case '<', '>':
		if d == c {
			if at(2) == '=' {
				return 3
			}
			return 2
		}
		if d == '=' || c == '<' && d == '-' {
			return 2
		}
	case '&':
		if d == '^' {
			if at(2) == '=' {
				return 3
			}
			return 2
		}
		if d == '&' || d == '=' {
			return 2
		}
	case '.':
		if d == '.' && at(2) == '.' {
			return 3
		}
	case '|', '+', '-':
		if d == c || d == '=' {
			return 2
		}
	case '=', '!', ':', '*', '/', '%', '^':
		if d == '=' {
			return 2
		}
	}
	return 1
}

func hasPrefixAt(b []byte, i int, p string) bool {
	return i+len(p) <= len(b) && string(b[i:i+len(p)]) == p
}

func strchr(set string, c byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

func closerOf(c byte) byte {
	switch c {
	case ')':
		return '('
	case ']':
		return '['
	}
	return '{'
}

// skim finds the bodies of the top-level functions of src. ok is false when
// the file is not lexically sound (an unterminated literal or comment, an
// unbalanced bracket): it is then parsed whole, which reports the error.
// A body holding a //line directive is not listed: the directive must
// reach the file's line table.
func skim(src []byte) (spans []bodySpan, ok bool) {
	l := lexer{src: src}
	var stack []byte
	inFunc := false // after a top-level func keyword, before its body
	typeKw := false // the last token was struct or interface
	inExpr := false // the last token was an operator that continues an expression
	for {
		k, s, e := l.next()
		if l.bad {
			return nil, false
		}
		if k == tEOF {
			break
		}
		wasType, wasExpr := typeKw, inExpr
		typeKw = false
		inExpr = k == tOp && !strchr(")]};", src[s])
		switch k {
		case tIdent:
			w := src[s:e]
			if len(stack) == 0 {
				switch string(w) {
				case "func":
					inFunc = !wasExpr // var f = func() {...}: a literal, not a declaration
				case "type", "var", "const", "import":
					inFunc = false
				}
			}
			typeKw = string(w) == "struct" || string(w) == "interface"
		case tOp:
			if e-s != 1 {
				continue
			}
			switch c := src[s]; c {
			case '(', '[', '{':
				if c == '{' && len(stack) == 0 && inFunc && !wasType {
					inFunc = false
					l.lineDir = false
					end := l.passBody()
					if end < 0 {
						return nil, false
					}
					if !l.lineDir {
						spans = append(spans, bodySpan{s, end})
					}
					inExpr = false // the body's } ends the declaration
					continue
				}
				stack = append(stack, c)
			case ')', ']', '}':
				if len(stack) == 0 || stack[len(stack)-1] != closerOf(c) {
					return nil, false
				}
				stack = stack[:len(stack)-1]
			}
		}
	}
	return spans, len(stack) == 0
}

// bodyBytes are the bytes passBody looks at.
var bodyBytes = func() (t [256]bool) {
	for _, c := range []byte("{}()[]\"'`/") {
		t[c] = true
	}
	return t
}()

// passBody moves past a body whose `{` was just read, looking only at
// brackets, literals and comments. It returns the offset of the closing
// brace, or -1 when there is none or a bracket or literal is unbalanced.
func (l *lexer) passBody() int {
	src := l.src
	n := len(src)
	stack := make([]byte, 1, 16)
	stack[0] = '{'
	for i := l.i; i < n; i++ {
		c := src[i]
		if !bodyBytes[c] {
			continue
		}
		switch c {
		case '{', '(', '[':
			stack = append(stack, c)
		case '}', ')', ']':
			if stack[len(stack)-1] != closerOf(c) {
				return -1
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				l.i = i + 1
				return i
			}
		case '"', '\'':
			for i++; ; i++ {
				if i >= n || src[i] == '\n' {
					return -1
				}
				if src[i] == '\\' {
					i++
				} else if src[i] == c {
					break
				}
			}
		case '`':
			j := bytes.IndexByte(src[i+1:], '`')
			if j < 0 {
				return -1
			}
			i += 1 + j
		case '/':
			if i+1 < n && (src[i+1] == '/' || src[i+1] == '*') {
				if hasPrefixAt(src, i+2, "line ") {
					l.lineDir = true
				}
				if src[i+1] == '/' {
					j := bytes.IndexByte(src[i:], '\n')
					if j < 0 {
						return -1 // the body is not closed
					}
					i += j
				} else {
					j := bytes.Index(src[i+2:], []byte("*/"))
					if j < 0 {
						return -1
					}
					i += 2 + j + 1
				}
			}
		}
	}
	return -1
}

// blankBufs holds buffers for blanked: the parser copies what it keeps,
// so a buffer is free again once its file is parsed.
var blankBufs sync.Pool

// blanked is src with the inside of every span spaced out, in buf.
func blanked(buf, src []byte, spans []bodySpan) []byte {
	out := append(buf[:0], src...)
	for _, sp := range spans {
		b := out[sp.open+1 : sp.close]
		for i := range b {
			b[i] = ' '
		}
	}
	return out
}

// parseLazy parses a file with every top-level function body blanked, and
// lists the functions whose bodies are blank. ok is false when the file is
// to be parsed whole instead.
func (a *analyzer) parseLazy(rel string, src []byte) (af *ast.File, lazy []lazyBody, ok bool) {
	spans, ok := skim(src)
	if !ok || len(spans) == 0 {
		return nil, nil, false
	}
	// The file's line table is made from the source in one go; the parse
	// of the blanked text, at the same base, adds nothing to it.
	tf := a.fset.AddFile(rel, -1, len(src))
	tf.SetLines(lineStarts(src))
	buf, _ := blankBufs.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	*buf = blanked(*buf, src, spans)
	af, err := parseAt(tf.Base(), rel, *buf)
	blankBufs.Put(buf)
	if err != nil {
		return nil, nil, false // parsed whole, for the precise error
	}
	// Every span must be the body of a declaration the parser saw there.
	base := int(af.FileStart)
	at := make(map[int]int, len(spans))
	for i, sp := range spans {
		at[sp.open] = i
	}
	for di, d := range af.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		i, found := at[int(fd.Body.Lbrace)-base]
		if !found {
			continue // a body with a //line directive: parsed in place
		}
		if int(fd.Body.Rbrace)-base != spans[i].close {
			return nil, nil, false
		}
		lazy = append(lazy, lazyBody{fd, di, spans[i]})
		delete(at, spans[i].open)
	}
	if len(at) != 0 {
		return nil, nil, false
	}
	return af, lazy, true
}

// parseAt parses src as a file whose positions start at base: a set of
// its own is padded up to it. The positions are those of the analyzer's
// file at that base; the set is dropped.
func parseAt(base int, name string, src []byte) (*ast.File, error) {
	fs := token.NewFileSet()
	if base > fs.Base() {
		fs.AddFile("", fs.Base(), base-fs.Base()-1) // padding up to base
	}
	return parser.ParseFile(fs, name, src, parser.SkipObjectResolution)
}

// lineStarts are the offsets at which src's lines start, as a token.File
// holds them.
func lineStarts(src []byte) []int {
	lines := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 || i+j+1 >= len(src) {
			return lines
		}
		i += j + 1
		lines = append(lines, i)
	}
}

// bodyPrefix makes a body a file: the body follows it.
const bodyPrefix = "package p;func _()"

// parseBody parses one blank body of f from its source and puts it in
// place. Its positions are the ones a whole parse gives: the fragment is
// parsed at the base that puts its bytes where they are in the file.
func (a *analyzer) parseBody(f *file, lb lazyBody) error {
	src := f.src
	frag := make([]byte, 0, len(bodyPrefix)+lb.span.close+1-lb.span.open)
	frag = append(append(frag, bodyPrefix...), src[lb.span.open:lb.span.close+1]...)
	af, err := parseAt(int(f.ast.FileStart)+lb.span.open-len(bodyPrefix), f.rel, frag)
	if err != nil {
		var list scanner.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				e.Pos.Offset += lb.span.open - len(bodyPrefix)
			}
		}
		return syntaxError(f.rel, src, err)
	}
	body := af.Decls[0].(*ast.FuncDecl).Body
	if body.Lbrace != lb.fd.Body.Lbrace || body.Rbrace != lb.fd.Body.Rbrace {
		return syntaxError(f.rel, src, errors.New("function body misplaced")) // cannot happen: the parse above put it there
	}
	lb.fd.Body = body
	return nil
}

// fillBodies is steps 2 and 3 for the parsed packages ps.
func (a *analyzer) fillBodies(ps []*pkg) {
	var files []*file
	decls := map[string]map[string]bool{} // import path → package-level names
	for _, p := range ps {
		if p.parseErr != nil {
			continue
		}
		decls[p.path] = a.declsOf(p)
		files = append(files, p.files...)
	}
	names := moduleNamesOf(files)
	flags := identFlags(names)
	errs := make([]error, len(files))
	refs := make([]map[string]bool, len(files))
	forEach(len(files), func() func(int) {
		return func(i int) {
			f := files[i]
			chk := a.bodyChecker(f, names, flags, decls)
			cold := f.lazy[:0]
			for _, lb := range f.lazy {
				if errs[i] != nil || !alwaysParsed(lb.fd) && !chk.sigHot(f, lb) && !chk.hot(f.src, lb) {
					cold = append(cold, lb)
					continue
				}
				errs[i] = a.parseBody(f, lb)
			}
			f.lazy = cold
			refs[i] = funcRefs(f, names.funcs)
		}
	})
	named := map[string]bool{}
	for i, f := range files {
		if errs[i] != nil && f.pkg.parseErr == nil {
			f.pkg.parseErr = errs[i]
		}
		for n := range refs[i] {
			named[n] = true
		}
	}
	forEach(len(files), func() func(int) {
		return func(i int) {
			f := files[i]
			for _, lb := range f.lazy {
				if named[lb.fd.Name.Name] && errs[i] == nil {
					errs[i] = a.parseBody(f, lb)
				} else if skipInert {
					// Still blank: nothing in it is walked (inert.go).
					if f.inert == nil {
						f.inert = make([]bool, len(f.ast.Decls))
					}
					f.inert[lb.i] = true
				}
			}
			f.lazy, f.src = nil, nil
		}
	})
	failed := false
	for i, f := range files {
		if errs[i] != nil && f.pkg.parseErr == nil {
			f.pkg.parseErr = errs[i]
		}
		failed = failed || errs[i] != nil
	}
	if !failed {
		a.names = names // the module's names, as indexModule would collect them
	}
}

// funcRefs are the module function names f's parsed code uses, the names
// its own declarations introduce left out.
func funcRefs(f *file, funcs map[string]bool) map[string]bool {
	out := map[string]bool{}
	if f.src == nil {
		return out
	}
	base := int(f.ast.FileStart) // a position less its offset
	declared := map[int]bool{}
	for _, d := range f.ast.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			declared[int(fd.Name.Pos())-base] = true
		}
	}
	from := 0
	lex := func(to int) {
		l := lexer{src: f.src[:to], i: from}
		for {
			k, s, e := l.next()
			if k == tEOF {
				return
			}
			if k == tIdent && funcs[string(f.src[s:e])] && !declared[s] {
				out[string(f.src[s:e])] = true
			}
		}
	}
	for _, lb := range f.lazy {
		lex(lb.span.open)
		from = lb.span.close + 1
	}
	lex(len(f.src))
	return out
}

// bodyCheck is what hot needs to know of a file.
type bodyCheck struct {
	names   *moduleNames
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

func (a *analyzer) bodyChecker(f *file, names *moduleNames, flags *identTable, decls map[string]map[string]bool) *bodyCheck {
	c := &bodyCheck{names: names, flags: flags, own: decls[f.pkg.path], modPkgs: map[string]map[string]bool{}, svc: map[string]bool{}, undef: true}
	for _, is := range f.ast.Imports {
		if is.Name != nil && is.Name.Name == "." {
			c.undef = false
		}
	}
	for name, ip := range f.names {
		if d, ok := decls[ip]; ok && ip != f.pkg.path {
			c.modPkgs[name] = d
		}
		if isStdPath(ip) {
			continue
		}
		for _, s := range serviceDrivers {
			if matchAny(ip, s.prefixes) {
				c.svc[name] = true
			}
		}
	}
	return c
}

// lexTok is a token by kind and offsets.
type lexTok struct{ kind, s, e int }

// is reports whether the token's text is w.
func (t lexTok) is(src []byte, w string) bool { return string(src[t.s:t.e]) == w }

// sigHot reports whether the declaration's receiver, type parameters,
// parameters or results make it matter (inert.go), from their tokens.
func (c *bodyCheck) sigHot(f *file, lb lazyBody) bool {
	base := int(f.ast.FileStart)
	hot := func(from, to token.Pos) bool {
		l := lexer{src: f.src[:int(to)-base], i: int(from) - base}
		for {
			k, s, e := l.next()
			if k == tEOF {
				return l.bad
			}
			if k == tIdent && (c.flags.of(f.src[s:e])&identHot != 0 || string(f.src[s:e]) == "struct") {
				return true
			}
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
	var hist [5]lexTok     // hist[0] is the previous token
	var prevFlags uint8    // of the previous token, an identifier
	prevKw := false        // the previous token is a keyword
	uses := c.uses[:0]     // called or composite names that must be declared
	locals := c.locals[:0] // names the body declares
	lhs := 0               // identifiers of a possible `a, b :=` list, ending at hist[0]
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
		prev := hist[0]
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
			if prev.kind == tOp && prev.is(src, ".") && c.undef && hist[1].kind == tIdent {
				if d, ok := c.modPkgs[string(src[hist[1].s:hist[1].e])]; ok && !d[string(w)] {
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
				case "=", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^=", ",":
					return true // a write to a field or variable of the module
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
					if w[0] != '[' && !block && c.undef && prev.kind == tIdent && !prevKw && !hist[1].is(src, ".") {
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
				// hist[0], hist[2], ... back through the list: a, b, c :=
				for j := 0; j < lhs && 2*j < len(hist); j++ {
					locals = append(locals, hist[2*j])
				}
				if lhs > (len(hist)+1)/2 {
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
		hist[4], hist[3], hist[2], hist[1], hist[0] = hist[3], hist[2], hist[1], hist[0], t
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
			for _, list := range []*ast.FieldList{lb.fd.Recv, lb.fd.Type.TypeParams, lb.fd.Type.Params, lb.fd.Type.Results} {
				if list == nil {
					continue
				}
				ast.Inspect(list, func(n ast.Node) bool {
					if id, ok := n.(*ast.Ident); ok {
						known[id.Name] = true
					}
					return true
				})
			}
		}
		if !known[n] {
			return true
		}
	}
	return false
}

// pkgCompositeType reports whether the tokens before a `{` (hist[0] last)
// may be a composite literal type from a package: pkg.T, pkg.T[...]
// (any `]`), or (pkg.T).
func pkgCompositeType(src []byte, hist *[5]lexTok) bool {
	if hist[0].is(src, "]") {
		return true
	}
	if hist[0].kind == tIdent && hist[1].is(src, ".") && hist[2].kind == tIdent {
		return true
	}
	return hist[0].is(src, ")") && hist[1].kind == tIdent && hist[2].is(src, ".") && hist[3].kind == tIdent && hist[4].is(src, "(")
}
