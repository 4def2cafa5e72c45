package analysis

import (
	"fmt"
	"go/ast"
	"strings"
)

// Paths the program writes: on the hardened container's read-only root
// (only /tmp is a tmpfs) such a write fails at run time unless the path is
// a volume (P8). A write counts for a main when main reaches it, so a test
// helper (NewTestDB) in a package main imports widens nothing; its path is
// evaluated like a read's, through parameters to the call sites and to
// the defaults of settings. A path from the environment without a default
// is a warning naming the variable: its value decides where the volume
// goes.

// writeFuncs are the package functions that create or open for writing
// the file (or, dir, the directory) at argument arg.
var writeFuncs = map[string]writeArg{
	"os.Create": {}, "os.WriteFile": {}, "os.OpenFile": {}, "io/ioutil.WriteFile": {},
	"os.Mkdir": {dir: true}, "os.MkdirAll": {dir: true},
	// Embedded databases: a file, or a directory of files.
	"go.etcd.io/bbolt.Open": {}, "github.com/boltdb/bolt.Open": {}, "github.com/etcd-io/bbolt.Open": {},
	"github.com/asdine/storm.Open": {}, "github.com/asdine/storm/v3.Open": {},
	"github.com/dgraph-io/badger.DefaultOptions": {dir: true}, "github.com/dgraph-io/badger/v2.DefaultOptions": {dir: true},
	"github.com/dgraph-io/badger/v3.DefaultOptions": {dir: true}, "github.com/dgraph-io/badger/v4.DefaultOptions": {dir: true},
	"github.com/cockroachdb/pebble.Open": {dir: true}, "github.com/syndtr/goleveldb/leveldb.OpenFile": {dir: true},
	"github.com/tidwall/buntdb.Open": {}, "github.com/nutsdb/nutsdb.Open": {dir: true},
	// SQLite through gorm and the non-database/sql drivers.
	"gorm.io/driver/sqlite.Open": {}, "github.com/glebarez/sqlite.Open": {},
	"zombiezen.com/go/sqlite.OpenConn": {}, "zombiezen.com/go/sqlite/sqlitex.NewPool": {},
	"crawshaw.io/sqlite.OpenConn": {}, "crawshaw.io/sqlite/sqlitex.Open": {},
}

// homeFuncs ask for the user's home or a directory under it: the program
// writes there (its data, config or cache), so $HOME must be writable.
var homeFuncs = map[string]bool{
	"os.UserHomeDir": true, "os.UserCacheDir": true, "os.UserConfigDir": true,
	"github.com/mitchellh/go-homedir.Dir": true,
	"github.com/adrg/xdg.DataFile":        true, "github.com/adrg/xdg.ConfigFile": true,
	"github.com/adrg/xdg.CacheFile": true, "github.com/adrg/xdg.StateFile": true,
	"github.com/kirsle/configdir.LocalConfig": true, "github.com/kirsle/configdir.LocalCache": true,
}

// appPathsPkgs are muesli/go-app-paths: NewScope(gap.User, "app") puts
// the app's data, config and cache under $HOME.
var appPathsPkgs = []string{"github.com/muesli/go-app-paths"}

type writeArg struct {
	arg int
	dir bool
}

// writeCall is a call that writes a path, found in a file; the path is
// worked out for each main that reaches it.
type writeCall struct {
	f    *file
	fn   *ast.FuncDecl
	decl ast.Decl
	call *ast.CallExpr
	arg  int
	dir  bool
	home bool     // a write under $HOME
	sql  ast.Expr // sql.Open's driver name: a write only for SQLite
}

// scanWriteCall records a call of a package function that writes.
func (a *analyzer) scanWriteCall(ff *fileFacts, c evalCtx, call *ast.CallExpr, fn string) {
	wc := writeCall{f: c.f, fn: c.fn, decl: c.decl, call: call}
	if w, ok := writeFuncs[fn]; ok {
		wc.arg, wc.dir = w.arg, w.dir
	} else if i, ok := sqlOpeners[fn]; ok && i+1 < len(call.Args) {
		wc.arg, wc.sql = i+1, call.Args[i]
	} else if homeFuncs[fn] {
		wc.home = true
	} else if pkg, name, _ := cutLast(fn); name == "NewScope" && hasAny(pkg, appPathsPkgs) && len(call.Args) > 0 {
		if sel, ok := call.Args[0].(*ast.SelectorExpr); !ok || sel.Sel.Name != "User" {
			return // a system scope: /etc, /usr/share
		}
		wc.home = true
	} else {
		return
	}
	ff.writeCalls = append(ff.writeCalls, wc)
}

// cutLast splits "import/path.Name" at its last dot.
func cutLast(s string) (string, string, bool) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// mainWrites works out the paths the main being analyzed writes.
// learned are env defaults seen in fallback code.
func (a *analyzer) mainWrites(m *pkg, files []*file, learned map[string]string) ([]Write, []Warning) {
	var writes []Write
	var warns []Warning
	add := func(w Write) {
		for _, x := range writes {
			if x.Path == w.Path {
				return
			}
		}
		writes = append(writes, w)
	}
	for _, f := range files {
		for _, wc := range f.facts.writeCalls {
			if !a.reach(m, wc.f, wc.decl, wc.call.Pos()).ok {
				continue
			}
			src := a.pos(wc.call.Pos())
			if wc.home {
				add(Write{Path: "$HOME", Dir: true, Source: src})
				continue
			}
			if wc.arg >= len(wc.call.Args) {
				continue
			}
			rc := readCall{f: wc.f, fn: wc.fn, decl: wc.decl, call: wc.call}
			if wc.sql != nil {
				sqlite := false
				for _, v := range a.readValues(m, rc, wc.sql) {
					d, _ := v.render()
					sqlite = sqlite || strings.HasPrefix(d, "sqlite")
				}
				if !sqlite {
					continue
				}
			}
			for _, v := range a.readValues(m, rc, wc.call.Args[wc.arg]) {
				w, warn, ok := writePath(v, learned)
				if warn != "" {
					warns = append(warns, Warning{Code: "write-path-env", Source: src, Message: warn})
				}
				if ok {
					w.Dir, w.Source = w.Dir || wc.dir, src
					add(w)
				}
			}
		}
	}
	return writes, sortWarnings(warns)
}

// writePath turns an evaluated path into a Write, or the warning for a
// path an env var without a default decides.
func writePath(v sval, learned map[string]string) (Write, string, bool) {
	p, ok := v.known()
	w := Write{}
	// A path that starts with a setting empty by default is where the
	// user points it: the setting decides, as with no default at all.
	if first := v.parts; len(first) > 0 && first[0].cfg() && first[0].hasDef && first[0].def == "" {
		v.parts = append([]part{{env: first[0].env, flag: first[0].flag}}, first[1:]...)
	}
	if !ok && len(v.parts) == 1 && v.parts[0].env != "" {
		// The path is an env var: its default (in the code, or learned
		// from a fallback) is where the write goes.
		pt := v.parts[0]
		w.Env = pt.env
		p, ok = pt.def, pt.hasDef
		if d, found := learned[pt.env]; !ok && found {
			p, ok = d, true
		}
	}
	if !ok {
		p, ok = v.render() // a flag's default, filepath.Join(dataDir, "app.db")
		if ok && len(v.parts) > 0 && v.parts[0].env != "" {
			w.Env = v.parts[0].env
		}
	}
	if !ok {
		// The path starts with an env var: it decides where the writes go.
		if len(v.parts) > 0 && v.parts[0].env != "" && !v.parts[0].hasDef {
			e := v.parts[0].env
			return w, fmt.Sprintf("writes under the path in $%s: under a read-only root it must be a volume or /tmp — set %s to a mounted volume's path in compose", e, e), false
		}
		return w, "", false
	}
	p = strings.TrimPrefix(p, "file:") // sqlite URIs
	p, _, _ = strings.Cut(p, "?")
	if p == "" || strings.Contains(p, ":memory:") || strings.HasPrefix(p, "/tmp/") || p == "/tmp" || strings.HasPrefix(p, "/dev/") ||
		strings.ContainsAny(p, "\x00\n") {
		return w, "", false
	}
	if p == "~" || strings.HasPrefix(p, "~/") { // the program expands it: a write under $HOME
		return Write{Path: "$HOME", Dir: true, Env: w.Env}, "", true
	}
	w.Path = p
	return w, "", true
}
