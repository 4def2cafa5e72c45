package doctor

import (
	"path"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// goBuild is one `go build` or `go install` a RUN performs.
type goBuild struct {
	stage     *stage
	cmdIdx    int
	line, col int // where "go build" is written
	install   bool
	cwd       string   // absolute; "" unknown
	root      string   // where go.mod is in the stage: the module root; "" unknown
	pkgs      []string // module-relative package dirs ("." or "cmd/api"), patterns as written ("cmd/...")
	rawPkgs   []string // as written, for messages
	names     []string // the binary name of each of pkgs ("" unknown)
	outputs   []string // absolute paths the build writes
	known     bool     // outputs is complete
	env       map[string]setting
	ldflags   string
	vendor    bool
	modCache  bool // the RUN mounts a cache on the module cache
}

// get returns the effective value of an env var for the build.
func (b *goBuild) get(name string) setting { return b.env[name] }

// goValueFlags are `go build` flags that take a value as the next word.
var goValueFlags = map[string]bool{
	"o": true, "ldflags": true, "gcflags": true, "asmflags": true, "gccgoflags": true, "tags": true,
	"mod": true, "modfile": true, "overlay": true, "pgo": true, "C": true, "p": true, "pkgdir": true,
	"buildmode": true, "compiler": true, "installsuffix": true, "toolexec": true, "coverpkg": true,
	"covermode": true, "exec": true,
}

var majorRe = regexp.MustCompile(`^v[0-9]+$`)

var assignRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// runBuilds finds the go builds of one RUN and records them on d.
func (d *dockerfile) runBuilds(s *stage, idx int, run *instructions.RunCommand, st *state) {
	line, end := cmdLines(run)
	var cmds [][]string
	if run.PrependShell {
		cmds = simpleCommands(strings.Join(run.CmdLine, "\n"))
		for _, f := range run.Files { // RUN <<EOF heredocs: the script is the file
			cmds = append(cmds, simpleCommands(f.Data)...)
		}
	} else {
		cmds = [][]string{run.CmdLine}
	}
	runEnv := map[string]setting{}
	for k, v := range st.env {
		runEnv[k] = v
	}
	cwd := st.workdir
	root := ""
	modCache := false
	for _, m := range instructions.GetMounts(run) {
		switch {
		case m.Type == instructions.MountTypeBind && m.From == "" && (m.Source == "" || m.Source == "." || m.Source == "/"):
			root = absDir(cwd, m.Target)
		case m.Type == instructions.MountTypeBind && m.From == "" && path.Base(m.Source) == "go.mod" && root == "":
			root = path.Dir(absDir(cwd, m.Target))
		case m.Type == instructions.MountTypeCache && (m.Target == "/go/pkg/mod" || m.Target == runEnv["GOMODCACHE"].value ||
			runEnv["GOPATH"].set && m.Target == path.Join(runEnv["GOPATH"].value, "pkg/mod")):
			modCache = true
		}
	}
	if root == "" {
		root = contextRoot(st)
	}
	seen := 0
	for _, words := range cmds {
		// VAR=value prefixes, and `env [VAR=value...] prog`.
		local := map[string]setting{}
		for len(words) > 0 {
			if assignRe.MatchString(words[0]) {
				k, v, _ := strings.Cut(words[0], "=")
				l, c := d.loc(line, end, k+"=", 0)
				val, ok := d.expand(v, runEnv)
				local[k] = setting{value: val, set: true, unknown: !ok, line: l, col: c}
				words = words[1:]
				continue
			}
			if words[0] == "env" {
				words = words[1:]
				continue
			}
			break
		}
		if len(words) == 0 {
			for k, v := range local { // bare assignments set shell variables for later commands
				runEnv[k] = v
			}
			continue
		}
		switch prog := path.Base(words[0]); {
		case prog == "export":
			for _, w := range words[1:] {
				if k, v, ok := strings.Cut(w, "="); ok {
					l, c := d.loc(line, end, w, 0)
					val, known := d.expand(v, runEnv)
					runEnv[k] = setting{value: val, set: true, unknown: !known, line: l, col: c}
				}
			}
		case prog == "cd":
			cwd = ""
			if len(words) > 1 && !strings.Contains(words[1], "$") {
				cwd = absDir(st.workdir, words[1])
			}
		case prog == "go" && len(words) > 1 && (words[1] == "build" || words[1] == "install"):
			env := map[string]setting{}
			for k, v := range runEnv {
				env[k] = v
			}
			for k, v := range local {
				env[k] = v
			}
			b := &goBuild{stage: s, cmdIdx: idx, install: words[1] == "install", cwd: cwd, root: root,
				env: env, modCache: modCache}
			b.line, b.col = d.loc(line, end, "go "+words[1], seen)
			seen++
			d.parseGoArgs(b, words[2:])
			d.builds = append(d.builds, b)
		case prog == "go" && len(words) > 2 && words[1] == "mod" && words[2] == "download":
			if !st.modDL {
				st.modDL, st.modLayer = true, line
			}
		}
	}
}

// contextRoot is where the last COPY of the whole context, or of go.mod,
// put it: the module root inside the stage.
func contextRoot(st *state) string {
	for i := len(st.copies) - 1; i >= 0; i-- {
		c := st.copies[i]
		if c.dest == "" {
			continue
		}
		for _, src := range c.srcs {
			switch src = path.Clean(src); {
			case src == "." || src == "/":
				return strings.TrimSuffix(c.dest, "/")
			case src == "go.mod" || src == "go.*" || src == "go.mod*":
				if strings.HasSuffix(c.dest, "/") || len(c.srcs) > 1 {
					return path.Clean(c.dest)
				}
				return path.Dir(c.dest)
			}
		}
	}
	return ""
}

func absDir(cwd, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	if cwd == "" {
		return ""
	}
	return path.Join(cwd, p)
}

// parseGoArgs reads flags and packages and works out what the build writes.
func (d *dockerfile) parseGoArgs(b *goBuild, args []string) {
	out := ""
	var pkgs []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pkgs = append(pkgs, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pkgs = append(pkgs, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if goValueFlags[name] && !hasVal && i+1 < len(args) {
			i++
			val = args[i]
		}
		switch name {
		case "o":
			out = val
		case "ldflags":
			b.ldflags = val
		case "mod":
			b.vendor = val == "vendor"
		case "C":
			b.cwd = absDir(b.cwd, val)
		}
	}
	b.rawPkgs = pkgs
	if len(pkgs) == 0 {
		pkgs = []string{"."}
	}
	known := b.cwd != ""
	var files []string
	for _, p := range pkgs {
		switch {
		case strings.HasSuffix(p, ".go"):
			files = append(files, p)
		case strings.Contains(p, "$"), strings.Contains(p, "@"):
			known = false
			if strings.Contains(p, "@") { // go install tool@version: not the module's
				continue
			}
			b.pkgs, b.names = append(b.pkgs, ""), append(b.names, "")
		default:
			rel := d.moduleRel(b, p)
			b.pkgs = append(b.pkgs, rel)
			b.names = append(b.names, d.execName(rel))
		}
	}
	if len(files) > 0 {
		// go build a.go b.go: one package in the files' directory, named for the first file.
		rel := d.moduleRel(b, path.Dir(files[0]))
		b.pkgs = append(b.pkgs, rel)
		b.names = append(b.names, strings.TrimSuffix(path.Base(files[0]), ".go"))
	}
	for _, n := range b.names {
		if n == "" {
			known = false
		}
	}
	single := len(b.pkgs) == 1 && !strings.Contains(b.pkgs[0], "...")
	if b.install {
		dir := "/go/bin"
		switch gobin := b.env["GOBIN"]; {
		case gobin.set && !gobin.unknown:
			dir = gobin.value
		case b.env["GOPATH"].set:
			dir = path.Join(b.env["GOPATH"].value, "bin")
		}
		if b.env["GOOS"].set || b.env["GOARCH"].set {
			known = false // cross installs go to bin/GOOS_GOARCH, unless GOBIN
		}
		for _, n := range b.names {
			b.outputs = append(b.outputs, path.Join(dir, n))
		}
		b.known = known
		return
	}
	switch {
	case out != "":
		o, ok := d.expand(out, b.env)
		if !ok {
			b.known = false
			return
		}
		abs := absDir(b.cwd, o)
		if abs == "" {
			b.known = false
			return
		}
		if strings.HasSuffix(o, "/") || !single || o == "." || o == ".." || knownBinDirs[abs] {
			for _, n := range b.names {
				b.outputs = append(b.outputs, path.Join(abs, n))
			}
		} else {
			b.outputs = []string{abs}
			known = true // one package, one named file: whatever the package is called
		}
	case single:
		if b.cwd != "" && b.names[0] != "" {
			b.outputs = []string{path.Join(b.cwd, b.names[0])}
		}
	default:
		// Several packages without -o: go build compiles and discards.
	}
	b.known = known
}

// knownBinDirs are directories `-o` surely names as a directory.
var knownBinDirs = map[string]bool{"/usr/local/bin": true, "/usr/bin": true, "/bin": true, "/go/bin": true, "/usr/local/sbin": true}

// moduleRel turns a package argument into a module-relative directory ("."
// or "cmd/api"), "" when it is outside the module or cannot be placed.
func (d *dockerfile) moduleRel(b *goBuild, p string) string {
	if !strings.HasPrefix(p, ".") && !strings.HasPrefix(p, "/") {
		if d.module != "" && (p == d.module || strings.HasPrefix(p, d.module+"/")) {
			if p == d.module {
				return "."
			}
			return strings.TrimPrefix(p, d.module+"/")
		}
		return ""
	}
	abs := absDir(b.cwd, strings.TrimSuffix(p, "/..."))
	root := b.root
	if root == "" {
		root = b.cwd
	}
	if abs == "" || root == "" {
		return ""
	}
	rel := ""
	switch {
	case abs == root:
		rel = "."
	case strings.HasPrefix(abs, strings.TrimSuffix(root, "/")+"/"):
		rel = strings.TrimPrefix(abs, strings.TrimSuffix(root, "/")+"/")
	default:
		return ""
	}
	if strings.HasSuffix(p, "/...") {
		if rel == "." {
			return "..."
		}
		return rel + "/..."
	}
	return rel
}

// execName is the file name `go build` gives a package: the last element of
// its import path, skipping a /vN major-version suffix.
func (d *dockerfile) execName(rel string) string {
	if rel == "" || strings.Contains(rel, "...") {
		return ""
	}
	ip := rel
	if d.module != "" {
		ip = d.module
		if rel != "." {
			ip += "/" + rel
		}
	} else if rel == "." {
		return ""
	}
	elems := strings.Split(ip, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && majorRe.MatchString(name) {
		name = elems[len(elems)-2]
	}
	return name
}

// stripAssignments drops the VAR=value prefixes and `env` of a simple
// command, leaving the program and its arguments.
func stripAssignments(words []string) []string {
	for len(words) > 0 && (assignRe.MatchString(words[0]) || words[0] == "env") {
		words = words[1:]
	}
	return words
}
