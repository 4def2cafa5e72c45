package analysis

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Code and assets that a build step generates, which a fresh checkout —
// the Docker build context — lacks: `*.ego.go` templates a Makefile's
// default target writes (and .gitignore keeps out), mocks and protobuf
// code from //go:generate, a frontend's dist/ that holds only a .gitkeep
// until `npm run build`. go build fails on them in the image.

// Generate says the build needs code generated first.
type Generate struct {
	// Missing are names the code uses that no file of the module declares
	// ("html.DialIndexTemplate", "newRouter"); Source is where the first
	// is used.
	Missing []string `json:"missing"`
	Source  string   `json:"source"`
	// Command is how the repository generates code, when it shows it:
	// "go generate ./..." for //go:generate directives, or the recipe
	// line of the Makefile's default target; CommandSource is its
	// file:line.
	Command       string `json:"command,omitempty"`
	CommandSource string `json:"command_source,omitempty"`
	// GoOnly is true when that step needs nothing but the go command and
	// modules go.mod provides (directives and recipes that only `go run`
	// or `go tool`): a builder stage can run it before go build.
	GoOnly bool `json:"go_only,omitempty"`
}

// generated works out Facts.Generate and its warning from the packages
// of the mains that build.
func (a *analyzer) generated(facts *Facts) (*Generate, []Warning) {
	decls := map[*pkg]map[string]bool{}
	type job struct {
		p *pkg
		f *file
	}
	var jobs []job
	for _, p := range a.pkgs {
		if p != nil && p.parsed && p.parseErr == nil {
			decls[p] = a.declsOf(p)
		}
	}
	for _, p := range a.all {
		if a.analyzed[p] {
			for _, f := range p.files {
				jobs = append(jobs, job{p, f})
			}
		}
	}
	found := make([][]undefined, len(jobs))
	forEach(len(jobs), func() func(int) {
		return func(i int) { found[i] = a.undefinedNames(jobs[i].p, jobs[i].f, decls) }
	})
	var missing []string
	src := ""
	for _, us := range found {
		for _, u := range us {
			at := a.pos(u.pos)
			if src == "" || sourceLess(at, src) {
				src = at
			}
			missing = append(missing, u.name)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	missing = sortedUnique(missing)
	g := &Generate{Missing: missing, Source: src}
	g.Command, g.CommandSource, g.GoOnly = a.generateStep()
	shown := strings.Join(missing[:min(len(missing), 3)], ", ")
	if len(missing) > 3 {
		shown += fmt.Sprintf(" and %d more", len(missing)-3)
	}
	msg := fmt.Sprintf("the code uses %s, which no file of the module declares: go build (and the image build) fails until it is generated", shown)
	if g.Command != "" {
		msg += fmt.Sprintf("; the repository generates code with `%s` (%s): run it before `docker build`", g.Command, g.CommandSource)
		if g.GoOnly {
			msg += ", or run it in the Dockerfile's build stage before go build"
		}
	} else {
		msg += "; generate it (or commit it) before `docker build`"
	}
	return g, []Warning{{Code: "generate-needed", Source: src, Message: msg}}
}

// undefined is a name the code uses that nothing declares.
type undefined struct {
	name string
	pos  token.Pos
}

// undefinedNames are the names file f of package p uses that nothing
// declares: pkg.Name of a module package that lacks Name, and calls or
// composite literals of an unqualified name that is neither declared in
// p, nor local, nor predeclared. Read from the syntax alone, in one walk
// per declaration (uses are kept until the declaration's own names are
// known). decls holds the package-level names of every parsed package.
func (a *analyzer) undefinedNames(p *pkg, f *file, decls map[*pkg]map[string]bool) []undefined {
	for _, is := range f.ast.Imports {
		if is.Name != nil && is.Name.Name == "." {
			return nil // any unqualified name may come from that package
		}
	}
	own := decls[p]
	var out []undefined
	type use struct {
		x    string // the identifier that must not be local
		name string
		pos  token.Pos
	}
	var uses []use
	local := map[string]bool{}
	for i, d := range f.ast.Decls {
		if isImport(d) || f.blank != nil && f.blank[i] {
			continue // a blank function's signature was checked from its tokens (hotbody.go)
		}
		uses = uses[:0]
		clear(local)
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
			ast.Inspect(fd.Recv, func(n ast.Node) bool { // func (l *List[T]) ...: T
				if id, ok := n.(*ast.Ident); ok {
					local[id.Name] = true
				}
				return true
			})
		}
		ast.Inspect(d, func(n ast.Node) bool {
			var id *ast.Ident
			switch n := n.(type) {
			case *ast.SelectorExpr:
				x, ok := n.X.(*ast.Ident)
				if !ok {
					return true
				}
				q := a.localPkg(f.pkgOf(x))
				if q == nil || q == p || len(q.files) == 0 {
					return true
				}
				if qd, ok := decls[q]; ok && !qd[n.Sel.Name] {
					uses = append(uses, use{x.Name, x.Name + "." + n.Sel.Name, n.Pos()})
				}
				return true
			case *ast.CallExpr:
				id, _ = n.Fun.(*ast.Ident)
			case *ast.CompositeLit:
				id, _ = n.Type.(*ast.Ident)
			case *ast.Field:
				for _, id := range n.Names {
					local[id.Name] = true
				}
			case *ast.AssignStmt:
				if n.Tok == token.DEFINE {
					for _, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							local[id.Name] = true
						}
					}
				}
			case *ast.ValueSpec:
				for _, id := range n.Names {
					local[id.Name] = true
				}
			case *ast.TypeSpec:
				local[n.Name.Name] = true
			case *ast.RangeStmt:
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						local[id.Name] = true
					}
				}
			}
			if id == nil || own[id.Name] || id.Name == "_" || types.Universe.Lookup(id.Name) != nil {
				return true
			}
			uses = append(uses, use{id.Name, id.Name, id.Pos()})
			return true
		})
		for _, u := range uses {
			if !local[u.x] {
				out = append(out, undefined{u.name, u.pos})
			}
		}
	}
	return out
}

// declsOf is pkgDecls(p), made once: for a package that parses, by
// parseAll's worker; else by the first (single-threaded) caller.
func (a *analyzer) declsOf(p *pkg) map[string]bool {
	if p.decls == nil {
		p.decls = a.pkgDecls(p)
	}
	return p.decls
}

// pkgDecls are the names declared at package level in p.
func (a *analyzer) pkgDecls(p *pkg) map[string]bool {
	out := map[string]bool{}
	for _, f := range p.files {
		for _, d := range f.ast.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					out[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							out[n.Name] = true
						}
					case *ast.TypeSpec:
						out[s.Name.Name] = true
					}
				}
			}
		}
	}
	return out
}

// generateStep finds how the repository generates code: //go:generate
// directives in the mains' packages (`go generate ./...`), else the
// Makefile's default target running `go generate` or `go run`.
func (a *analyzer) generateStep() (cmd, src string, goOnly bool) {
	goOnly = true
	for _, p := range a.all {
		if !a.analyzed[p] {
			continue
		}
		for _, f := range p.files {
			data, err := a.readFile(filepath.Join(a.root, filepath.FromSlash(f.rel)), maxGoFile)
			if err != nil {
				continue
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for n := 1; sc.Scan(); n++ {
				d, ok := strings.CutPrefix(sc.Text(), "//go:generate ")
				if !ok {
					continue
				}
				if src == "" {
					cmd, src = "go generate ./...", fmt.Sprintf("%s:%d", f.rel, n)
				}
				goOnly = goOnly && a.goCommand(strings.TrimSpace(d))
			}
		}
	}
	if src != "" {
		return cmd, src, goOnly
	}
	for _, name := range []string{"GNUmakefile", "makefile", "Makefile"} {
		data, err := a.readFile(filepath.Join(a.root, name), maxModFile)
		if err != nil {
			continue
		}
		if line, n := makeDefaultGenerate(data); line != "" {
			return line, fmt.Sprintf("%s:%d", name, n), a.goCommand(line)
		}
	}
	return "", "", false
}

// goCommand reports whether a command needs only the go command and
// modules the build already has: `go generate`, `go tool x`, `go run`
// of a file or package of the module, of a package go.mod requires, or
// of one pinned @version.
func (a *analyzer) goCommand(line string) bool {
	f := strings.Fields(line)
	if len(f) < 2 || f[0] != "go" {
		return false
	}
	switch f[1] {
	case "generate", "tool":
		return true
	case "run":
		for _, arg := range f[2:] {
			if strings.HasPrefix(arg, "-") {
				continue
			}
			if strings.HasPrefix(arg, ".") || strings.HasSuffix(arg, ".go") || strings.Contains(arg, "@") {
				return true
			}
			for _, r := range a.mod.requires {
				if hasPathPrefix(arg, r.Mod.Path) {
					return true
				}
			}
			return hasPathPrefix(arg, a.mod.path)
		}
	}
	return false
}

// makeDefaultGenerate finds, in the recipes of a Makefile's default goal
// and the targets it depends on, a line running `go generate` or `go
// run`; it returns the command (without make's @ or -) and its line.
func makeDefaultGenerate(data []byte) (string, int) {
	type target struct {
		line    int
		prereqs []string
		recipe  []string
		lines   []int
	}
	targets := map[string]*target{}
	first := ""
	var cur *target
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "\t"):
			if cur != nil {
				cur.recipe = append(cur.recipe, strings.TrimSpace(l))
				cur.lines = append(cur.lines, i+1)
			}
			continue
		case strings.HasPrefix(l, ".DEFAULT_GOAL"):
			if _, v, ok := strings.Cut(l, "="); ok {
				first = strings.TrimSpace(v)
			}
		}
		cur = nil
		name, rest, ok := strings.Cut(l, ":")
		if !ok || strings.ContainsAny(name, "=$#\t ") || name == "" || strings.HasPrefix(rest, "=") {
			continue
		}
		t := &target{line: i + 1, prereqs: strings.Fields(strings.Split(rest, ";")[0])}
		targets[name] = t
		cur = t
		if first == "" && !strings.HasPrefix(name, ".") {
			first = name
		}
	}
	seen := map[string]bool{}
	var visit func(name string, depth int) (string, int)
	visit = func(name string, depth int) (string, int) {
		t := targets[name]
		if t == nil || seen[name] || depth > 4 {
			return "", 0
		}
		seen[name] = true
		for i, r := range t.recipe {
			r = strings.TrimLeft(r, "@-+ ")
			if strings.HasPrefix(r, "go generate") || strings.HasPrefix(r, "go run ") {
				return r, t.lines[i]
			}
		}
		for _, p := range t.prereqs {
			if l, n := visit(p, depth+1); l != "" {
				return l, n
			}
		}
		return "", 0
	}
	return visit(first, 0)
}

// embedPlaceholders warns about //go:embed patterns whose directories hold
// nothing but dotfiles (a .gitkeep keeping an empty dist/ in git): a
// plain pattern fails go build ("contains no embeddable files"), an all:
// one embeds only the placeholder, so the program serves nothing.
func (a *analyzer) embedPlaceholders() []Warning {
	var out []Warning
	for _, p := range a.all {
		if p.bp == nil || !a.analyzed[p] {
			continue
		}
		for _, pat := range p.bp.EmbedPatterns {
			glob, all := strings.CutPrefix(pat, "all:")
			src := path.Join(p.rel, glob)
			if pos := p.bp.EmbedPatternPos[pat]; len(pos) > 0 {
				src = fmt.Sprintf("%s:%d", a.rel(pos[0].Filename), pos[0].Line)
			}
			m, err := a.glob(filepath.Join(p.dir, filepath.FromSlash(glob)))
			if err != nil || len(m) == 0 {
				continue // embed-missing says so
			}
			var hidden []string
			real, direct := false, false
			for _, name := range m {
				fi, err := a.stat(name)
				if err != nil {
					continue
				}
				if !fi.IsDir() {
					if placeholderFiles[filepath.Base(name)] { // dist/* matching dist/.gitkeep: embedded
						hidden, direct = append(hidden, a.rel(name)), true
						continue
					}
					real = true
					break
				}
				h, r := a.embeddable(name, all, 0)
				hidden = append(hidden, h...)
				if r {
					real = true
					break
				}
			}
			if real {
				continue
			}
			sort.Strings(hidden)
			what := "nothing"
			if len(hidden) > 0 {
				what = "only " + strings.Join(hidden[:min(len(hidden), 3)], ", ")
			}
			fails := "go build fails on it (\"contains no embeddable files\")"
			if all || direct {
				fails = "the binary embeds only that placeholder, so it serves no assets"
			}
			step := "a build step fills (a frontend build)"
			if s := a.npmBuild(filepath.Join(p.dir, filepath.FromSlash(glob))); s != "" {
				step = "a build step fills (" + s + ")"
			}
			out = append(out, Warning{Code: "embed-placeholder", Source: src,
				Message: fmt.Sprintf("//go:embed %s matches %s: the directory is a placeholder that %s; %s — build the assets before `docker build`, or add a stage that builds them", pat, what, step, fails)})
		}
	}
	return out
}

// placeholderFiles keep an empty directory in git.
var placeholderFiles = map[string]bool{".gitkeep": true, ".keep": true, ".gitignore": true, ".DS_Store": true}

// embeddable walks a directory for real content: files go:embed takes
// (not starting with . or _), or with all: any file but a placeholder
// (.gitkeep, .keep, .gitignore). It returns the module-relative names of
// the others.
func (a *analyzer) embeddable(dir string, all bool, depth int) ([]string, bool) {
	if depth > 8 {
		return nil, true
	}
	ents, err := a.readDir(dir)
	if err != nil {
		return nil, true // unreadable: not ours to judge
	}
	var hidden []string
	for _, e := range ents {
		full := filepath.Join(dir, e.Name())
		skipped := strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_")
		if all {
			skipped = placeholderFiles[e.Name()]
		}
		if skipped {
			hidden = append(hidden, a.rel(full))
			continue
		}
		if !e.IsDir() {
			return nil, true
		}
		h, real := a.embeddable(full, all, depth+1)
		if real {
			return nil, true
		}
		hidden = append(hidden, h...)
	}
	return hidden, false
}

// npmBuild names the frontend build that fills an embedded directory:
// the nearest package.json above it, inside the module, with a build
// script.
func (a *analyzer) npmBuild(pattern string) string {
	dir := filepath.Dir(pattern)
	for i := 0; i < 8 && strings.HasPrefix(dir, a.root); i++ {
		data, err := a.readFile(filepath.Join(dir, "package.json"), maxModFile)
		if err == nil {
			var pj struct {
				Scripts map[string]string `json:"scripts"`
			}
			if json.Unmarshal(data, &pj) == nil && pj.Scripts["build"] != "" {
				rel := a.rel(dir)
				return fmt.Sprintf("`npm run build` in %s/, %s/package.json", rel, rel)
			}
		}
		if dir == a.root {
			break
		}
		dir = filepath.Dir(dir)
	}
	return ""
}
