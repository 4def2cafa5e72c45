package analysis

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"sync"
)

// Function bodies parsed only where they can matter. Parsing is much of a
// cold analysis, and much of what it parses can be the bodies of functions
// no fact depends on. So the module's files are parsed in three steps
// (parseAll):
//
//  1. each file with every function body blank, and the signatures of
//     most functions too (`Name(params) results {` reads `Name(){`): the
//     parser is given the text without those bytes, and what it parsed is
//     moved to where it is in the file (shift.go); the line table is made
//     from the source;
//  2. the bodies a scan of their tokens (lex.go, hotbody.go) cannot clear
//     are parsed on their own and put in place. The scan clears a body
//     only when it has none of what the walks over all code react to: the
//     inert rule's names, structs, selects, package composite literals and
//     writes (inert.go), a backing service's package (services.go), a
//     call of a name nothing declares (generate.go);
//  3. the bodies of functions that parsed code names are parsed too: the
//     evaluator reads a helper's returns. A body left out names no module
//     function (that would have made it hot), so one round is enough.
//
// A parsed body is parsed with its signature. A body left blank is never
// read: nothing names its function, and every walk over all code skips it
// as inert; its signature is parsed only when the type checker needs its
// package (fillSigs). The scan errs only towards parsing. What is lost: a
// syntax error that keeps the brackets balanced inside such a body or
// signature is left to go build (an unbalanced bracket or an unterminated
// literal still makes the file parse whole, and report it).
// TestShortcutsChangeNothing compares every fixture's facts with and
// without the skipping. How much is skipped depends on the code: most
// bodies of real services call a module function, and are parsed.

// lazyBodies turns the skipping off (tests compare both).
var lazyBodies = true

// bodySpan is a top-level function's body in a file: the offsets of its
// braces, and of its parameters' parentheses when the signature is left
// blank too (lp is -1 when it is parsed in place).
type bodySpan struct{ open, close, lp, rp int }

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

// compactBufs holds buffers for compacted: the parser copies what it
// keeps, so a buffer is free again once its file is parsed.
var compactBufs sync.Pool

// compacted is src with the inside of every span left out, in buf, and
// where it was cut: the parser never scans the bodies' bytes, nor those of
// blank signatures (`Name(params) results {` becomes `Name(){`), and
// shiftPositions puts what it parsed where it is in src.
func compacted(buf, src []byte, spans []bodySpan) ([]byte, []cut) {
	out := buf[:0]
	cuts := make([]cut, 0, len(spans))
	from := 0
	keep := func(to int) { out, from = append(out, src[from:to]...), to }
	skip := func(to int) {
		if to > from {
			cuts = append(cuts, cut{len(out), to - from})
		}
		from = to
	}
	for _, sp := range spans {
		if sp.lp >= 0 {
			keep(sp.lp + 1)
			skip(sp.rp)
			keep(sp.rp + 1)
			skip(sp.open)
		}
		keep(sp.open + 1)
		skip(sp.close)
	}
	keep(len(src))
	return out, cuts
}

// parseLazy parses a file with every top-level function body left blank,
// and lists the functions whose bodies are blank. ok is false when the
// file is to be parsed whole instead.
func (a *analyzer) parseLazy(rel string, src []byte) (af *ast.File, lazy []lazyBody, ok bool) {
	spans, ok := skim(src)
	if !ok || len(spans) == 0 {
		return nil, nil, false
	}
	// The file's line table is made from the source in one go; the parse
	// of the compacted text, at the same base, adds nothing to it.
	tf := a.fset.AddFile(rel, -1, len(src))
	tf.SetLines(lineStarts(src))
	buf, _ := compactBufs.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	text, cuts := compacted(*buf, src, spans)
	af, err := parseAt(tf.Base(), rel, text)
	*buf = text
	compactBufs.Put(buf)
	if err != nil {
		return nil, nil, false // parsed whole, for the precise error
	}
	shiftPositions(af, tf.Base(), cuts)
	af.FileEnd = token.Pos(tf.Base() + len(src))
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
		if int(fd.Body.Rbrace)-base != spans[i].close || !blankSigAt(fd, base, spans[i]) {
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

// blankSigAt reports whether fd's signature is as the span has it: left
// blank at its parentheses, or parsed in place.
func blankSigAt(fd *ast.FuncDecl, base int, sp bodySpan) bool {
	if sp.lp < 0 {
		return true
	}
	t := fd.Type
	return t.TypeParams == nil && t.Results == nil && len(t.Params.List) == 0 &&
		int(t.Params.Opening)-base == sp.lp && int(t.Params.Closing)-base == sp.rp
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

// sigPrefix makes a signature a file: the signature from its parameters'
// parenthesis on follows it; bodyPrefix does the same for a body.
const (
	sigPrefix  = "package p;func _"
	bodyPrefix = sigPrefix + "()"
)

// parseBody parses one blank body of f from its source, with its
// signature when that is blank too, and puts them in place.
func (a *analyzer) parseBody(f *file, lb lazyBody) error {
	from, prefix := lb.span.open, bodyPrefix
	if lb.span.lp >= 0 {
		from, prefix = lb.span.lp, sigPrefix
	}
	fd, err := parseFragment(f, prefix, from, f.src[from:lb.span.close+1], nil)
	if err != nil {
		return syntaxError(f.rel, f.src, err)
	}
	if fd.Body.Lbrace != lb.fd.Body.Lbrace || fd.Body.Rbrace != lb.fd.Body.Rbrace {
		return syntaxError(f.rel, f.src, errors.New("function body misplaced")) // cannot happen: the parse put it there
	}
	if lb.span.lp >= 0 {
		setSig(lb.fd, fd.Type)
	}
	lb.fd.Body = fd.Body
	return nil
}

// parseFragment parses text, which is at offset from of f's source, after
// prefix and followed by tail, as one function declaration. Its positions
// are the ones a whole parse gives: the fragment is parsed at the base
// that puts its bytes where they are in the file; so are a syntax error's.
func parseFragment(f *file, prefix string, from int, text []byte, tail []byte) (*ast.FuncDecl, error) {
	frag := make([]byte, 0, len(prefix)+len(text)+len(tail))
	frag = append(append(append(frag, prefix...), text...), tail...)
	af, err := parseAt(int(f.ast.FileStart)+from-len(prefix), f.rel, frag)
	if err != nil {
		var list scanner.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				e.Pos.Offset += from - len(prefix)
			}
		}
		return nil, err
	}
	return af.Decls[0].(*ast.FuncDecl), nil
}

// setSig puts a parsed signature in place of a blank one. Only the
// fields are written: a reader of fd.Type itself never races the fill.
func setSig(fd *ast.FuncDecl, t *ast.FuncType) {
	fd.Type.Params, fd.Type.Results = t.Params, t.Results
}

// blankSig is a function whose body stays blank and whose signature is
// not parsed yet: its text, from the parameters' parenthesis to the body's
// brace, kept once the file's source is dropped.
type blankSig struct {
	fd   *ast.FuncDecl
	at   int // offset of the parenthesis in the file
	text []byte
}

// fillSigs parses the blank signatures of f's functions. The type checker
// needs them (typecheck.go); nothing else reads a blank function's
// signature. A syntax error in one leaves it empty, as a syntax error in
// a blank body is left to go build (see the top of this file): the
// error is the same whichever goroutine asks first.
func fillSigs(f *file) {
	for _, bs := range f.sigs {
		if fd, err := parseFragment(f, sigPrefix, bs.at, bs.text, []byte("{}")); err == nil && fd.Type.Params.Opening == bs.fd.Type.Params.Opening {
			setSig(bs.fd, fd.Type)
		}
	}
	f.sigs = nil
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
			chk := a.bodyChecker(f, flags, decls)
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
				} else {
					// Still blank: nothing in it, signature included, is
					// walked (inert.go, generate.go).
					if f.blank == nil {
						f.blank = make([]bool, len(f.ast.Decls))
					}
					f.blank[lb.i] = true
					if sp := lb.span; sp.lp >= 0 {
						f.sigs = append(f.sigs, blankSig{lb.fd, sp.lp, bytes.Clone(f.src[sp.lp:sp.open])})
					}
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
