package analysis

import (
	"go/ast"
	"go/token"
	"strings"
)

// Inert declarations. The module index (modindex.go) and the per-file
// scan (scan.go) walk every function of every parsed package, and on a
// large module those walks are most of their time — yet most functions
// read no configuration, listen nowhere and write nothing a lookup asks
// for. A function in which nothing either walk reacts to occurs adds
// nothing they keep, so both skip it. Its body stays parsed: the
// evaluator still reads it on demand (a helper's returns, a caller's
// arguments), exactly as before.
//
// A function declaration is inert when it contains none of:
//   - an identifier in triggerNames (what scan and indexFile match calls,
//     selectors and keys by), or the name of a function or method of the
//     module (call sites, references for reachability, env helpers,
//     pointer stores: all keyed by module functions);
//   - a struct type (env tags), a select statement, or a composite
//     literal of a named type from a package (http.Server, urfave flags,
//     cobra.Command);
//   - a write to a name that is a struct field or package-level variable
//     of the module: an assignment (=) to N or x.N, a composite literal's
//     N: key. The store index keeps every such write, but it is only ever
//     asked for module fields and variables (storesOf), so a write to any
//     other name is never read.
//
// Names a new detector in scan or indexFile reacts to must be added to
// triggerNames; TestShortcutsChangeNothing compares every fixture's facts
// with and without skipping, and TestTriggerNamesCoverDetectors checks
// the call names in scan.go.

// skipInert turns the skipping off (tests compare both).
var skipInert = true

// triggerNames are the identifiers that make a declaration matter to scan
// or indexFile whatever the module declares.
var triggerNames = func() map[string]bool {
	t := map[string]bool{}
	// Library models, except the pure string functions (fmt.Sprintf,
	// strings.TrimSpace, ...): those only matter when a value is
	// evaluated, which starts elsewhere.
	for name, rows := range rowsByName {
		for _, m := range rows {
			if m.kind != mPure {
				t[name] = true
			}
		}
	}
	for name := range routeMethods {
		t[name] = true
	}
	for name := range readMethods {
		t[name] = true
	}
	for key := range readFuncs {
		t[key[strings.LastIndexByte(key, '.')+1:]] = true
	}
	for key := range migrationFuncs {
		t[key[strings.LastIndexByte(key, '.')+1:]] = true
	}
	for _, name := range detectorNames {
		t[name] = true
	}
	return t
}()

// detectorNames are the other names scan and indexFile look for: the
// package functions of scanCall's switch, the methods of scanMethodCall,
// http.DefaultClient, godotenv's Load, cobra's AddCommand and the
// Commands/Subcommands lists of CLI libraries.
var detectorNames = []string{
	"Serve", "ServeTLS", "Get", "Post", "Head", "PostForm", "NewRequest", "NewRequestWithContext",
	"LoadLocation", "Command", "CommandContext", "Notify", "NotifyContext",
	"Create", "WriteFile", "OpenFile", "Open", "Mkdir", "MkdirAll",
	"UserHomeDir", "UserCacheDir", "UserConfigDir",
	"Listen", "ListenAndServe", "ListenAndServeTLS",
	"DefaultClient", "Load", "Overload", "AddCommand", "Commands", "Subcommands",
	"AutoMigrate", "SetBaseFS",
}

// moduleNames are the names the module declares that make a declaration
// using them matter (see above).
type moduleNames struct {
	funcs  map[string]bool // functions and methods
	stores map[string]bool // struct fields and package-level variables
	hot    map[string]bool // funcs and triggerNames: one lookup per identifier
}

// moduleNamesOf collects the names the files declare.
func moduleNamesOf(files []*file) *moduleNames {
	n := &moduleNames{funcs: map[string]bool{}, stores: map[string]bool{}}
	for _, f := range files {
		n.add(f.funcNames, f.storeNames)
	}
	n.identsHot()
	return n
}

// identsHot makes n.hot once the module's names are all added.
func (n *moduleNames) identsHot() {
	n.hot = make(map[string]bool, len(triggerNames)+len(n.funcs))
	for k := range triggerNames {
		n.hot[k] = true
	}
	for k := range n.funcs {
		n.hot[k] = true
	}
}

// collectNames adds what f declares at package level: functions, methods,
// variables, and the fields of every struct type outside function bodies
// (a struct type inside a body makes that function matter anyway).
func (n *moduleNames) collectNames(f *file) {
	funcs, stores := declaredNames(f)
	n.add(funcs, stores)
}

func (n *moduleNames) add(funcs, stores []string) {
	for _, s := range funcs {
		n.funcs[s] = true
	}
	for _, s := range stores {
		if s != "_" { // the store index drops writes to _ (var _ = ...; struct padding)
			n.stores[s] = true
		}
	}
}

// declaredNames lists the names collectNames adds, for one file.
func declaredNames(f *file) (funcs, stores []string) {
	fields := func(node ast.Node) {
		ast.Inspect(node, func(x ast.Node) bool {
			st, ok := x.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fld := range st.Fields.List {
				for _, id := range fld.Names {
					stores = append(stores, id.Name)
				}
				if len(fld.Names) == 0 { // embedded: the field is named for its type
					if name := typeName(fld.Type); name != "" {
						stores = append(stores, name)
					}
				}
			}
			return true
		})
	}
	for _, d := range f.ast.Decls {
		if isImport(d) {
			continue
		}
		switch d := d.(type) {
		case *ast.FuncDecl:
			funcs = append(funcs, d.Name.Name)
			if d.Recv != nil {
				fields(d.Recv)
			}
			fields(d.Type)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if vs, ok := s.(*ast.ValueSpec); ok {
					for _, id := range vs.Names {
						stores = append(stores, id.Name) // vars; consts too, harmlessly
					}
				}
			}
			fields(d)
		}
	}
	return funcs, stores
}

// typeName is the name of a named type expression (T, *T, pkg.T, T[int]).
func typeName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x.Name
		case *ast.SelectorExpr:
			return x.Sel.Name
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		default:
			return ""
		}
	}
}

// inert reports whether scan and indexFile can skip function d (see above).
func (n *moduleNames) inert(d *ast.FuncDecl) bool {
	hot := false
	store := func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.Ident:
			hot = hot || n.stores[e.Name]
		case *ast.SelectorExpr:
			hot = hot || n.stores[e.Sel.Name]
		}
	}
	visit := func(x ast.Node) bool {
		if hot {
			return false
		}
		switch x := x.(type) {
		case *ast.Ident:
			hot = n.hot[x.Name]
		case *ast.StructType, *ast.SelectStmt:
			hot = true
		case *ast.CompositeLit:
			hot = isPkgType(x.Type)
		case *ast.KeyValueExpr:
			store(x.Key)
		case *ast.AssignStmt:
			if x.Tok == token.ASSIGN { // the store index keeps no :=, +=, ...
				for _, l := range x.Lhs {
					store(l)
				}
			}
		}
		return !hot
	}
	// Its own name does not count: every function is named.
	if d.Recv != nil {
		ast.Inspect(d.Recv, visit)
	}
	ast.Inspect(d.Type, visit)
	if d.Body != nil {
		ast.Inspect(d.Body, visit)
	}
	return !hot
}

// isPkgType reports whether a composite literal's type is a package's
// named type: pkg.T, or pkg.T[...] (x.T, a selector, is all syntax tells).
func isPkgType(t ast.Expr) bool {
	switch x := t.(type) {
	case *ast.SelectorExpr:
		return true
	case *ast.IndexExpr:
		return isPkgType(x.X)
	case *ast.IndexListExpr:
		return isPkgType(x.X)
	case *ast.ParenExpr:
		return isPkgType(x.X)
	}
	return false
}

// markInert sets f.inert for the declarations the walks skip: functions
// whose bodies were left blank (lazy.go) or are inert, and the import
// declaration (scanImports reads imports).
func (n *moduleNames) markInert(f *file) {
	if !skipInert {
		return
	}
	for i, d := range f.ast.Decls {
		fd, isFunc := d.(*ast.FuncDecl)
		if f.blank != nil && f.blank[i] || isFunc && n.inert(fd) || isImport(d) {
			if f.inert == nil {
				f.inert = make([]bool, len(f.ast.Decls))
			}
			f.inert[i] = true
		}
	}
}

// isImport reports whether d is an import declaration.
func isImport(d ast.Decl) bool {
	gd, ok := d.(*ast.GenDecl)
	return ok && gd.Tok == token.IMPORT
}

// isInert reports whether the i-th declaration of f is skipped.
func (f *file) isInert(i int) bool {
	return f.inert != nil && f.inert[i]
}
