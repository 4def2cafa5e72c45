package analysis

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// lazyPrelude is the package the body tests put a function into: a module
// package q beside it, a backing service's client, fields, a variable and
// module functions.
const lazyPrelude = `package p

import (
	fmt "fmt"
	os "os"
	strings "strings"
	redis "github.com/redis/go-redis/v9"
	q "example.com/m/q"
)

type Config struct {
	Port  int
	Inner struct{ Addr string }
}

var global string

const limit = 3

func helper() string { return "" }

func (c *Config) Method() {}

var _, _, _, _, _ = fmt.Sprint, os.Getpid, strings.TrimSpace, redis.Nil, q.Known
`

// bodyWorld is one parsed prelude plus a function: the analyzer state both
// the token scan and the syntax-tree rules it stands in for need.
type bodyWorld struct {
	a      *analyzer
	f      *file
	fd     *ast.FuncDecl
	src    []byte
	names  *moduleNames
	decls  map[*pkg]map[string]bool
	byPath map[string]map[string]bool
}

func newBodyWorld(t testing.TB, fn string) (*bodyWorld, bool) {
	src := []byte(lazyPrelude + fn + "\n")
	a := &analyzer{fset: token.NewFileSet(), mod: &modInfo{path: "example.com/m"}, root: "/m", pkgs: map[string]*pkg{}}
	qp := &pkg{dir: "/m/q", rel: "q", path: "example.com/m/q", parsed: true}
	qp.files = []*file{{pkg: qp, ast: &ast.File{Name: ast.NewIdent("q")}}}
	a.pkgs[qp.dir] = qp
	p := &pkg{dir: "/m/p", rel: "p", path: "example.com/m/p", parsed: true}
	a.pkgs[p.dir] = p
	af, err := parser.ParseFile(a.fset, "p/p.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, false
	}
	fd, ok := af.Decls[len(af.Decls)-1].(*ast.FuncDecl)
	if !ok || fd.Body == nil {
		return nil, false
	}
	f := a.newFile(p, "p/p.go", af)
	p.files = []*file{f}
	w := &bodyWorld{a: a, f: f, fd: fd, src: src}
	w.names = &moduleNames{funcs: map[string]bool{}, stores: map[string]bool{}}
	w.names.collectNames(f)
	w.names.identsHot()
	own := a.pkgDecls(p)
	qDecls := map[string]bool{"Known": true, "Other": true}
	w.decls = map[*pkg]map[string]bool{p: own, qp: qDecls}
	w.byPath = map[string]map[string]bool{p.path: own, qp.path: qDecls}
	return w, true
}

// astHot is what the token scan stands in for, from the syntax tree: the
// function is not inert, or uses a backing service's package, or uses a
// name nothing declares.
func (w *bodyWorld) astHot() bool {
	if !w.names.inert(w.fd) {
		return true
	}
	svc := false
	ast.Inspect(w.fd, func(n ast.Node) bool {
		if sel := usedSelector(n); sel != nil && isIdent(sel.X, "redis") {
			svc = true
		}
		return true
	})
	if svc {
		return true
	}
	for _, u := range w.a.undefinedNames(w.f.pkg, w.f, w.decls) {
		if w.fd.Pos() <= u.pos && u.pos < w.fd.End() {
			return true
		}
	}
	return false
}

// textHot is fillBodies' decision for the function, from its tokens.
func (w *bodyWorld) textHot(t testing.TB) bool {
	spans, ok := skim(w.src)
	if !ok {
		return true // parsed whole
	}
	off := w.a.fset.Position(w.fd.Body.Lbrace).Offset
	for _, sp := range spans {
		if sp.open != off {
			continue
		}
		sig := *w.fd
		sig.Body = &ast.BlockStmt{Lbrace: w.fd.Body.Lbrace, Rbrace: w.fd.Body.Rbrace}
		chk := w.a.bodyChecker(w.f, identFlags(w.names), w.byPath)
		lb := lazyBody{fd: &sig, span: sp}
		w.f.src = w.src
		if !w.names.inert(&sig) && !chk.sigHot(w.f, lb) {
			t.Errorf("sigHot clears a signature the inert rule does not")
		}
		return alwaysParsed(&sig) || chk.sigHot(w.f, lb) || chk.hot(w.src, lb)
	}
	return true // not blanked: parsed in place
}

// The token scan never clears a body the syntax-tree rules would walk, and
// clears the ordinary ones.
func TestHotBody(t *testing.T) {
	for _, tc := range []struct {
		fn  string
		hot bool
	}{
		{"func f(s []string) int { n := 0; for _, x := range s { n += len(strings.TrimSpace(x)) }; return n }", false},
		{"func f() string { return fmt.Sprintf(\"%d\", 1) }", false},
		{"func f(m map[string]int) { m[\"a\"] = 1; x := 2; x = 3; _ = x }", false},
		{"func f(c *Config) int { return c.Port }", false},
		{"func f(c *Config) bool { if c.Inner.Addr != \"\" { return true }; return false }", false},
		{"func f(n int) int { switch n { case limit: return 1 }; return 0 }", false},
		{"func f(xs []int) (out []int) { for i := range xs { if xs[i] > limit { out = append(out, xs[i]) } }; return }", false},
		{"func f() func() int { g := func() int { return 1 }; return g }", false},
		{"func f(x any) string { switch v := x.(type) { case string: return v }; return \"\" }", false},
		{"func f() []string { return []string{\"a\", \"b\"}[0:1] }", false},
		{"func f() (err error) { defer func() { _ = recover() }(); return nil }", false},
		{"func f() string { return q.Known }", false},
		{"func f() { os.Getenv(\"X\") }", true},
		{"func f() string { return helper() }", true},
		{"func f(g func() int) int { return g() }", false},        // a parameter, from the signature's tokens
		{"func f(n int) Config { return Config{Port: n} }", true}, // a package composite literal
		{"func f(n int) []T { return []T{} }", false},             // T is named in the signature
		{"func f(c *Config) { c.Method() }", true},
		{"func f(c *Config) { c.Port = 1 }", true},
		{"func f(c *Config) { c.Inner.Addr = \"\" }", true},
		{"func f() { global = \"x\" }", true},
		{"func f() { global += \"x\" }", false}, // the store index keeps no +=
		{"func f() int { global := 1; return global }", false},
		{"func f() string { return fmt.Sprint(global, 1) }", false},
		{"func f() (a, b int) { a, global = 1, \"\"; return }", true},
		{"func f() Config { return Config{Port: 1} }", true},
		{"func f() any { return &strings.Builder{} }", true},
		{"func f() { type T struct{ A string } }", true},
		{"func f() { select {} }", true},
		{"func f() { redis.NewClient(nil) }", true},
		{"func f() { zzGenerated() }", true},
		{"func f() any { return zzType{} }", true},
		{"func f() string { return q.Missing }", true},
		{"func f() { x := 1\n//line other.go:1\n_ = x }", true},
		{"func main() {}", true},
		{"func f(x struct{ A int }) int { return x.A }", true},
		{"func f(x q.Missing) int { return 0 }", true},
		{"func f(x *q.Known) int { return 0 }", false},
		{"func f(c *Config, d []Config) (int, error) { return len(d), nil }", false},
		{"func (c *Config) ServeHTTP() {}", true},
	} {
		w, ok := newBodyWorld(t, tc.fn)
		if !ok {
			t.Fatalf("%s: does not parse", tc.fn)
		}
		if w.astHot() && !w.textHot(t) {
			t.Errorf("%s: the token scan clears a body the walks react to", tc.fn)
		}
		if got := w.textHot(t); got != tc.hot {
			t.Errorf("%s: hot = %v, want %v", tc.fn, got, tc.hot)
		}
	}
}

// No body is cleared that the syntax-tree rules would walk, whatever it
// holds.
func FuzzHotBody(f *testing.F) {
	for _, s := range []string{
		"n := 0; for _, x := range s { n += len(strings.TrimSpace(x)) }",
		"if a > limit { return }",
		"var c Config; c.Port = a",
		"x := Config{}; _ = x",
		"switch a { case limit: }",
		"for i := range s { if s[i] == \"\" { continue } }",
		"g := func() { zz() }; g()",
		"_ = q.Known; _ = q.Other",
		"_ = []q.Known{}",
		"v := struct{}{}; _ = v",
		"a, b := 1, 2; _, _ = a, b",
		"L: for { break L }",
		"_ = map[string]Config{\"a\": {Port: 1}}",
		"_ = `raw { string`; _ = '{'; _ = \"}\"",
		"/* { */ _ = a // }",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		w, ok := newBodyWorld(t, "func f(a int, s []string) {\n"+body+"\n}")
		if !ok {
			return
		}
		if w.astHot() && !w.textHot(t) {
			t.Errorf("the token scan clears a body the walks react to:\n%s", body)
		}
	})
}

// skim finds exactly the bodies the parser finds, through signatures with
// struct, interface and func types, literals and comments holding braces.
func TestSkim(t *testing.T) {
	src := "package p\n\n" +
		"import \"fmt\"\n\n" +
		"type T struct{ a int }\n\n" +
		"func a() {}\n" +
		"func (t *T) b(x struct{ y int }) interface{ M() } { return nil }\n" +
		"func c() struct{ z int } { return struct{ z int }{} }\n" +
		"func d() func() int { return func() int { return 1 } }\n" +
		"func e[P interface{ ~int }](p P) P { return p }\n" +
		"func g() map[string]struct{} { return map[string]struct{}{\"{\": {}} }\n" +
		"func h() string { return `}` + \"{\" + string('}') /* } */ } // {\n" +
		"func asm()\n" +
		"var v = func() int { return 1 }()\n" +
		"func k() { _ = fmt.Sprint() \n//line x.go:1\n}\n" +
		"func asm2(x int)\n" +
		"func m(y int) error { return nil }\n" +
		"func n(\n\ta int,\n\tb string,\n) (\n\tint,\n\terror,\n) {\n\treturn 0, nil\n}\n" +
		"func (t T) o(a int /* ) */) (r func() int) { return nil }\n" +
		"func q(a int) (r func() int) { return nil }\n" +
		"func s(a int) func() int { return nil }\n"
	spans, ok := skim([]byte(src))
	if !ok {
		t.Fatal("skim failed")
	}
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, "p.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	// Signatures left blank: plain names and parameters, no struct or
	// interface, no type parameters, no func keyword in the results
	// outside parentheses.
	blankSig := map[string]bool{"a": true, "h": true, "m": true, "n": true, "o": true, "q": true}
	var want []bodySpan
	for _, d := range af.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && fd.Name.Name != "k" {
			sp := bodySpan{fset.Position(fd.Body.Lbrace).Offset, fset.Position(fd.Body.Rbrace).Offset, -1, -1}
			if blankSig[fd.Name.Name] {
				sp.lp, sp.rp = fset.Position(fd.Type.Params.Opening).Offset, fset.Position(fd.Type.Params.Closing).Offset
			}
			want = append(want, sp)
		}
	}
	if !reflect.DeepEqual(spans, want) {
		t.Errorf("spans = %v, want %v (k's //line directive keeps it whole)", spans, want)
	}
	a := &analyzer{fset: token.NewFileSet()}
	if _, lazy, ok := a.parseLazy("p.go", []byte(src)); !ok || len(lazy) != len(want) {
		t.Errorf("parseLazy: ok %v, %d blank bodies, want %d", ok, len(lazy), len(want))
	}
	for _, bad := range []string{
		"package p\nfunc f() { x := \"unterminated\n}\n",
		"package p\nfunc f() { /* unterminated }\n",
		"package p\nfunc f() { g( }\n",
		"package p\nfunc f() { ] }\n",
		"package p\nfunc f() {\n",
	} {
		if _, ok := skim([]byte(bad)); ok {
			t.Errorf("skim accepted %q", bad)
		}
	}
}

// A file parsed with blank bodies and then its bodies is the file parsed
// whole: the same nodes at the same positions.
func FuzzLazyParse(f *testing.F) {
	f.Add("package p\n\nfunc f(a int) int {\n\tif a > 1 {\n\t\treturn a\n\t}\n\treturn 0\n}\n\nfunc (t *T) g() struct{ x int } { return struct{ x int }{1} }\n")
	f.Add("package p\nvar x = 1\nfunc h() { go func() { select {} }() }\nfunc i()\ntype T struct{}\n")
	f.Add("package p\nfunc f() { s := `{` + \"}\"; _ = s; _ = '}' }\n")
	f.Add("package p\nfunc f(\n\ta int,\n) (x int, err error) { return }\nfunc (T) g(b ...string) func() { return nil }\nfunc h(c map[string]int) error {\n\treturn nil\n}\n")
	f.Fuzz(func(t *testing.T, src string) {
		whole := token.NewFileSet()
		whole.AddFile("before.go", -1, 100) // the file is not the set's first
		want, err := parser.ParseFile(whole, "p.go", src, parser.SkipObjectResolution)
		if err != nil {
			return
		}
		a := &analyzer{fset: token.NewFileSet()}
		a.fset.AddFile("before.go", -1, 100)
		af, lazy, ok := a.parseLazy("p.go", []byte(src))
		if !ok {
			return
		}
		fl := &file{rel: "p.go", ast: af, src: []byte(src)}
		// Every other blank signature is filled the way the type checker
		// has it done (fillSigs), before its body is parsed alone.
		for i, lb := range lazy {
			if sp := lb.span; i%2 == 1 && sp.lp >= 0 {
				fl.sigs = append(fl.sigs, blankSig{lb.fd, sp.lp, []byte(src[sp.lp:sp.open])})
				lazy[i].span.lp = -1
			}
		}
		fillSigs(fl)
		for _, lb := range lazy {
			if err := a.parseBody(fl, lb); err != nil {
				t.Fatalf("body at %d: %v (the whole file parses)", lb.span.open, err)
			}
		}
		if got, exp := nodeList(af), nodeList(want); got != exp {
			t.Errorf("lazy parse differs:\n%s\nwhole:\n%s", got, exp)
		}
	})
}

// nodeList lists a tree's nodes with their positions.
func nodeList(n ast.Node) string {
	var b strings.Builder
	ast.Inspect(n, func(x ast.Node) bool {
		if x != nil {
			fmt.Fprintf(&b, "%T %d %d", x, x.Pos(), x.End())
			// and every position it holds, not only its first and last
			for _, p := range positionsOf(x) {
				fmt.Fprintf(&b, " %s=%d", p.field, p.pos)
			}
			b.WriteByte('\n')
		}
		return true
	})
	return b.String()
}

// A syntax error inside a body parsed on its own is reported where it is
// in the file.
func TestLazyBodySyntaxError(t *testing.T) {
	src := "package p\n\nfunc helper() {}\n\nfunc f() {\n\thelper()\n\tx := \n}\n"
	a := &analyzer{fset: token.NewFileSet()}
	af, lazy, ok := a.parseLazy("p.go", []byte(src))
	if !ok || len(lazy) != 2 {
		t.Fatalf("parseLazy: ok %v, %d lazy bodies", ok, len(lazy))
	}
	err := a.parseBody(&file{rel: "p.go", ast: af, src: []byte(src)}, lazy[1])
	ie := asInputError(err)
	if ie == nil || ie.File != "p.go" || ie.Line != 8 {
		t.Fatalf("error = %#v, want p.go:8", ie)
	}
}

// shiftNode moves every position a tree holds: checked field by field
// over Go's own sources, which use every kind of node.
func TestShiftPositionsEveryField(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", "go", "*", "*.go"))
	more, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", "slices", "*.go"))
	files = append(files, more...)
	if len(files) < 50 {
		t.Fatalf("only %d Go sources found in GOROOT", len(files))
	}
	kinds := map[string]bool{}
	for _, name := range files {
		fs := token.NewFileSet()
		af, err := parser.ParseFile(fs, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		before := posFields(af)
		shiftNode(af, 1000)
		after := posFields(af)
		for i := range before {
			if before[i].pos.IsValid() && after[i].pos != before[i].pos+1000 {
				t.Fatalf("%s: %s not moved: %d → %d", name, before[i].field, before[i].pos, after[i].pos)
			}
			kinds[before[i].field] = true
		}
	}
	if len(kinds) < 60 {
		t.Errorf("only %d position fields seen: the sources do not cover the syntax", len(kinds))
	}
}

type posField struct {
	field string
	pos   token.Pos
}

// posFields lists every position field in the tree but the file's bounds.
func posFields(root ast.Node) []posField {
	var out []posField
	ast.Inspect(root, func(x ast.Node) bool {
		if x == nil {
			return false
		}
		for _, p := range positionsOf(x) {
			if _, isFile := x.(*ast.File); !isFile || p.field != "FileStart" && p.field != "FileEnd" {
				p.field = fmt.Sprintf("%T.%s", x, p.field)
				out = append(out, p)
			}
		}
		return true
	})
	return out
}

// positionsOf lists a node's position fields by name.
func positionsOf(x ast.Node) []posField {
	var out []posField
	v := reflect.ValueOf(x).Elem()
	for i := range v.NumField() {
		if p, ok := v.Field(i).Interface().(token.Pos); ok {
			out = append(out, posField{v.Type().Field(i).Name, p})
		}
	}
	return out
}

// A blank function's signature is parsed when its package is type-checked:
// the types and positions are those of a whole parse.
func TestBlankSignaturesTypeCheck(t *testing.T) {
	src := []byte("package p\n\nfunc unused(a int, b ...string) (n int, err error) { return 0, nil }\n\ntype T struct{}\n\nfunc (T) M(\n\tx map[string]int,\n) bool {\n\treturn true\n}\n")
	a := &analyzer{fset: token.NewFileSet(), mod: &modInfo{path: "example.com/m"}, root: "/m", pkgs: map[string]*pkg{}}
	p := &pkg{dir: "/m/p", rel: "p", path: "example.com/m/p", parsed: true}
	af, lazy, ok := a.parseLazy("p/p.go", src)
	if !ok || len(lazy) != 2 {
		t.Fatalf("parseLazy: ok %v, %d blank bodies", ok, len(lazy))
	}
	f := a.newFile(p, "p/p.go", af)
	p.files = []*file{f}
	for _, lb := range lazy {
		if lb.span.lp < 0 || len(lb.fd.Type.Params.List) != 0 {
			t.Fatalf("%s: signature parsed in place", lb.fd.Name.Name)
		}
		f.sigs = append(f.sigs, blankSig{lb.fd, lb.span.lp, src[lb.span.lp:lb.span.open]})
	}
	tp := a.typesOf(p)
	if got, want := types.ObjectString(tp.Scope().Lookup("unused"), nil), "func example.com/m/p.unused(a int, b ...string) (n int, err error)"; got != want {
		t.Errorf("unused: %s, want %s", got, want)
	}
	m, _, _ := types.LookupFieldOrMethod(tp.Scope().Lookup("T").Type(), false, tp, "M")
	if got, want := types.ObjectString(m, nil), "func (example.com/m/p.T).M(x map[string]int) bool"; got != want {
		t.Errorf("M: %s, want %s", got, want)
	}
	x := lazy[1].fd.Type.Params.List[0].Names[0]
	if pos := a.fset.Position(x.Pos()); pos.Line != 8 || pos.Column != 2 {
		t.Errorf("parameter x at %s, want p/p.go:8:2", pos)
	}
}
