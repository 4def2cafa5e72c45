package analysis

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// Skipping inert declarations and leaving bodies unparsed (lazy.go) are
// shortcuts only, and so is analyzing the mains in parallel: every fixture
// (and every real checkout under $DOCKGEN_REALREPOS, when set) gives the
// same facts, warnings and errors with them and without them, and with one
// worker or eight.
func TestShortcutsChangeNothing(t *testing.T) {
	t.Setenv("DOCKGEN_CACHE", "off")
	defer func() { skipInert, lazyBodies = true, true }()
	analyze := func(t *testing.T, dir string, skip, lazy bool) string {
		skipInert, lazyBodies = skip, lazy
		f, err := analyzeWithin(t, dir)
		if err != nil {
			return "error: " + err.Error()
		}
		out := mustJSON(t, f)
		for _, m := range f.Mains {
			if m.Err != nil {
				out += "\n" + mustJSON(t, m.Err)
			}
		}
		return out
	}
	check := func(t *testing.T, dir string) {
		without := analyze(t, dir, false, false)
		if with := analyze(t, dir, true, false); with != without {
			t.Errorf("facts differ when inert declarations are skipped:\n%s\nwithout skipping:\n%s", with, without)
		}
		if with := analyze(t, dir, true, true); with != without {
			t.Errorf("facts differ when bodies are parsed lazily:\n%s\nwith every body parsed:\n%s", with, without)
		}
		// Mains are analyzed in parallel by workers with caches of their
		// own: how they are shared out must not matter.
		for _, procs := range []int{1, 8} {
			old := runtime.GOMAXPROCS(procs)
			with := analyze(t, dir, true, true)
			runtime.GOMAXPROCS(old)
			if with != without {
				t.Errorf("facts differ with %d workers:\n%s\nwith %d:\n%s", procs, with, old, without)
			}
		}
	}
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(p)
			if err != nil {
				t.Fatal(err)
			}
			dir, _ := writeFixture(t, ar)
			check(t, dir)
		})
	}
	t.Run("large", func(t *testing.T) { check(t, genLarge(t)) })
	// Public checkouts only when asked for: what happens to be on the
	// machine must not change what the tests run.
	root := os.Getenv("DOCKGEN_REALREPOS")
	if root == "" {
		return
	}
	mods, _ := filepath.Glob(filepath.Join(root, "*", "go.mod"))
	for _, gm := range mods {
		t.Run("real/"+filepath.Base(filepath.Dir(gm)), func(t *testing.T) { check(t, filepath.Dir(gm)) })
	}
}

// The call names scanCall and scanMethodCall switch on are trigger names:
// a declaration calling one is never skipped.
func TestTriggerNamesCoverDetectors(t *testing.T) {
	fset := token.NewFileSet()
	for _, name := range []string{"scan.go", "listeners.go"} {
		af, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || (fd.Name.Name != "scanCall" && fd.Name.Name != "scanMethodCall") {
				continue
			}
			n := 0
			ast.Inspect(fd.Body, func(x ast.Node) bool {
				cc, ok := x.(*ast.CaseClause)
				if !ok {
					return true
				}
				for _, e := range cc.List {
					s, err := strconv.Unquote(valueOf(e))
					if err != nil {
						continue
					}
					name := s[strings.LastIndexByte(s, '.')+1:]
					n++
					if !triggerNames[name] {
						t.Errorf("%s: case %q: %s is not in triggerNames (inert.go)", fd.Name.Name, s, name)
					}
				}
				return true
			})
			if n == 0 {
				t.Errorf("%s: no case names found", fd.Name.Name)
			}
		}
	}
}

func valueOf(e ast.Expr) string {
	if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
		return bl.Value
	}
	return ""
}

// A declaration is inert exactly when none of the things the walks react
// to occurs in it.
func TestInert(t *testing.T) {
	const decls = `package p

type Config struct {
	Port int
	Inner struct{ Addr string }
	Embedded
}

var global string

func helper() string { return "" }

func (c *Config) Method() {}
`
	for _, tc := range []struct {
		fn    string
		inert bool
	}{
		{"func f(s []string) int { n := 0; for _, x := range s { n += len(strings.TrimSpace(x)) }; return n }", true},
		{"func f() string { return fmt.Sprintf(\"%d\", 1) }", true},
		{"func f(m map[string]int) { m[\"a\"] = 1; x := 2; x = 3; _ = x }", true},
		{"func f(c *Config) int { return c.Port }", true}, // reads are not writes
		{"func f() { os.Getenv(\"X\") }", false},
		{"func f() { http.ListenAndServe(\":80\", nil) }", false},
		{"func f() string { return helper() }", false},
		{"func f(c *Config) { c.Method() }", false},
		{"func f() { g := helper; _ = g }", false},
		{"func f(c *Config) { c.Port = 1 }", false},
		{"func f(c *Config) { c.Inner.Addr = \"\" }", false},
		{"func f(c *Config) { c.Embedded = Embedded{} }", false},
		{"func f() { global = \"x\" }", false},
		{"func f() { global := \"x\"; _ = global }", true}, // a local: the store index keeps no :=
		{"func f(c *Config) { c.Port += 1 }", true},        // nor +=
		{"func f() { _ = Config{Port: 1} }", false},
		{"func f() { _ = &http.Server{} }", false},
		{"func f() { type T struct{ A string } }", false},
		{"func f() { select {} }", false},
		{"func f() { defer log.Fatal(godotenv.Load()) }", false},
		{"func f(r chi.Router) { r.Get(\"/healthz\", nil) }", false},
		{"func f() { root.AddCommand(serve) }", false},
	} {
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, "p.go", decls+tc.fn+"\n", parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("%s: %v", tc.fn, err)
		}
		names := &moduleNames{funcs: map[string]bool{}, stores: map[string]bool{}}
		names.collectNames(&file{ast: af})
		names.identsHot()
		fd := af.Decls[len(af.Decls)-1].(*ast.FuncDecl)
		if got := names.inert(fd); got != tc.inert {
			t.Errorf("inert(%s) = %v, want %v", tc.fn, got, tc.inert)
		}
	}
}
