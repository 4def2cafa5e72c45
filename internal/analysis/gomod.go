package analysis

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// modInfo is what the rest of the analysis needs from go.mod.
type modInfo struct {
	path   string
	file   *modfile.File
	vendor bool // vendor/modules.txt exists
	// vendorWarns explain a vendor/ the build does not use.
	vendorWarns []Warning
	requires    []*modfile.Require // sorted by module path length, longest first
	// inOrder are the modules the build may link, as go.mod lists them:
	// its requires, and before go 1.17 (when go.mod lists only direct
	// dependencies) the modules go.sum has sources for.
	inOrder []listedModule
	sources map[string]string // module path → go.mod:line or go.sum:line
}

// listedModule is a module named by go.mod or go.sum, with where.
type listedModule struct {
	path   string
	source string
}

// readModule fills the go.mod facts and checks what would make the Docker
// build fail before any code is read.
func (a *analyzer) readModule(f *Facts) error {
	data, err := a.readFile(filepath.Join(a.root, "go.mod"), maxModFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if mods := modulesBelow(a.root); len(mods) > 0 {
				return &InputError{Op: "read", File: "go.mod", Err: fmt.Errorf("no go.mod in this directory; modules below with main packages: %s", strings.Join(mods, ", ")),
					Hint: fmt.Sprintf("run dockgen on one of them, e.g. `dockgen init %s`", filepath.Join(a.dirArg, filepath.FromSlash(mods[0])))}
			}
			return &InputError{Op: "read", File: "go.mod", Err: errors.New("no go.mod in this directory"),
				Hint: "run dockgen in the module root (the directory holding go.mod), or create one with `go mod init <module path>`"}
		}
		return a.fsError("read", err)
	}
	mf, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return modError(err)
	}
	if mf.Module == nil {
		return &InputError{Op: "parse", File: "go.mod", Line: 1, Err: errors.New("no module directive"),
			Hint: "start go.mod with `module <path>` (`go mod init <path>` writes it)"}
	}
	if err := module.CheckImportPath(mf.Module.Mod.Path); err != nil {
		return &InputError{Op: "check module path", File: "go.mod", Line: mf.Module.Syntax.Start.Line, Err: err,
			Hint: "use a module path the go command accepts, like example.com/app (ASCII letters, digits and - . _ ~ in slash-separated elements): `go build` rejects this one"}
	}
	a.mod = &modInfo{path: mf.Module.Mod.Path, file: mf}
	f.Module = mf.Module.Mod.Path
	f.ModuleSource = lineSource("go.mod", mf.Module.Syntax)
	if mf.Go != nil {
		f.Go = mf.Go.Version
		f.GoSource = lineSource("go.mod", mf.Go.Syntax)
	}
	if mf.Toolchain != nil {
		f.Toolchain = mf.Toolchain.Name
		f.ToolchainSource = lineSource("go.mod", mf.Toolchain.Syntax)
	}
	// The go command reads these too: a named pipe or device in their place
	// is an error here rather than a read that waits forever.
	var ierr *InputError
	if f.HasGoSum, ierr = a.moduleFile("go.sum"); ierr != nil {
		return ierr
	}
	if f.Vendor, ierr = a.moduleFile(filepath.Join("vendor", "modules.txt")); ierr != nil {
		return ierr
	}
	// vendor/ holds the dependencies' sources either way (cgo reads
	// them); whether the build uses it is vendorUse's question.
	a.mod.vendor = f.Vendor
	if f.Vendor {
		a.mod.vendorWarns = a.vendorUse(f, mf)
	}
	work, ierr := a.moduleFile("go.work")
	if ierr != nil {
		return ierr
	}
	if work {
		f.Workspace = "go.work"
	}

	a.mod.sources = map[string]string{}
	for _, r := range mf.Require {
		src := lineSource("go.mod", r.Syntax)
		a.mod.inOrder = append(a.mod.inOrder, listedModule{r.Mod.Path, src})
		if _, ok := a.mod.sources[r.Mod.Path]; !ok {
			a.mod.sources[r.Mod.Path] = src
		}
	}
	sum, err := a.sumOnly(mf.Require, f.HasGoSum)
	if err != nil {
		return a.fsError("read", err)
	}
	for _, r := range sum {
		a.mod.sources[r.Mod.Path] = lineSource("go.sum", r.Syntax)
		if listsOnlyDirect(mf) {
			a.mod.inOrder = append(a.mod.inOrder, listedModule{r.Mod.Path, lineSource("go.sum", r.Syntax)})
		}
	}
	a.mod.requires = append(a.mod.requires, mf.Require...)
	a.mod.requires = append(a.mod.requires, sum...)
	sort.SliceStable(a.mod.requires, func(i, j int) bool {
		return len(a.mod.requires[i].Mod.Path) > len(a.mod.requires[j].Mod.Path)
	})

	local := map[string]bool{} // modules replaced by a directory: never downloaded
	for _, r := range mf.Replace {
		if r.New.Version != "" {
			continue // replaced by another module version: fetched like any other
		}
		local[r.Old.Path] = true
		_, used := a.mod.sources[r.Old.Path]
		rel, err := a.replaceDir(r, used)
		if err != nil {
			if f.Vendor {
				continue // vendor/ holds a copy: the build does not read the directory
			}
			return err
		}
		if !used && !a.buildIsDir(filepath.Join(a.root, rel)) {
			continue // go build does not read it, and there is nothing to keep
		}
		switch {
		case rel == ".":
			f.ReplaceDirs = append(f.ReplaceDirs, ".")
		case outside(rel):
			f.ReplaceDirs = append(f.ReplaceDirs, filepath.ToSlash(rel))
		default:
			f.ReplaceDirs = append(f.ReplaceDirs, "./"+filepath.ToSlash(rel))
		}
	}
	f.ReplaceDirs = sortedUnique(f.ReplaceDirs)
	ws, werr := a.workspace(mf)
	if werr != nil {
		return werr
	}
	spread := slices.Clone(f.ReplaceDirs)
	if ws != nil {
		f.Work = ws
		spread = append(append(spread, ws.Uses...), ws.File)
	}
	f.Context = contextFor(spread)
	if f.Context != "" {
		// The module's place in the context: the last elements of its path.
		abs := filepath.Join(a.root, filepath.FromSlash(f.Context))
		if rel, err := filepath.Rel(abs, a.root); err == nil {
			f.ModuleDir = filepath.ToSlash(rel)
		}
	}

	a.privateNote(mf, local)
	return nil
}

// privateNote hints at --private when the machine's GOPRIVATE (or
// GONOPROXY, which defaults to it) matches required modules. It is a
// CacheNote, not a fact: facts come from the repository alone.
func (a *analyzer) privateNote(mf *modfile.File, local map[string]bool) {
	for _, key := range []string{"GOPRIVATE", "GONOPROXY"} {
		patterns := a.env.get(key)
		if patterns == "" {
			continue
		}
		var hits []string
		src := ""
		for _, r := range mf.Require {
			if !local[r.Mod.Path] && module.MatchPrefixPatterns(patterns, r.Mod.Path) {
				if src == "" {
					src = lineSource("go.mod", r.Syntax)
				}
				hits = append(hits, fmt.Sprintf("%s (%s)", r.Mod.Path, lineSource("go.mod", r.Syntax)))
			}
		}
		if len(hits) == 0 {
			continue
		}
		them := "it"
		if len(hits) > 1 {
			them = "them"
		}
		if len(hits) > 3 {
			hits = append(hits[:3], fmt.Sprintf("%d more", len(hits)-3))
		}
		a.notes = append(a.notes, Warning{Code: "private-modules", Source: src,
			Message: fmt.Sprintf("%s matches %s: pass --private to build %s in the image", key, strings.Join(hits, ", "), them)})
		return
	}
}

// listsOnlyDirect reports whether go.mod predates go 1.17, when go.mod
// began to list every module the build uses. No go directive means 1.16.
func listsOnlyDirect(mf *modfile.File) bool {
	if mf.Go == nil {
		return true
	}
	major, rest, _ := strings.Cut(mf.Go.Version, ".")
	minor, _, _ := strings.Cut(rest, ".")
	minor = strings.TrimRightFunc(minor, func(r rune) bool { return r < '0' || r > '9' })
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	return err1 == nil && err2 == nil && ma == 1 && mi < 17
}

// replaceDir checks a replacement by a directory and returns the directory
// relative to the module root. The Docker build context is the module
// directory, so the replacement must be inside it, really (not through a
// symlink), and, when the build uses it (used: the module is required),
// exist with a go.mod. This is the one place that decides what the build
// context reaches, so widening it to the repository changes only this.
func (a *analyzer) replaceDir(r *modfile.Replace, used bool) (string, *InputError) {
	fail := func(hint, format string, args ...any) *InputError {
		return &InputError{Op: "check replace", File: "go.mod", Line: r.Syntax.Start.Line,
			Err: fmt.Errorf("%s => %s %s", r.Old.Path, r.New.Path, fmt.Sprintf(format, args...)), Hint: hint}
	}
	const outsideHint = "vendor the dependencies (`go mod vendor`) or move the replaced module inside the directory: the Docker build context cannot reach it"
	if filepath.IsAbs(r.New.Path) || strings.HasPrefix(r.New.Path, "/") {
		return "", fail("use a path relative to go.mod (./third_party/x) to a directory inside the module, or vendor the dependencies (`go mod vendor`): an absolute path is not in the Docker build context and differs between machines",
			"is an absolute path")
	}
	dir := filepath.Join(a.root, filepath.FromSlash(r.New.Path))
	rel, err := filepath.Rel(a.root, dir)
	// Outside the module but inside its repository, the build context
	// widens to hold both; outside the repository nothing can.
	bound, boundName := a.root, "module directory"
	if err == nil && outside(rel) {
		if repo := a.repoRoot(); repo != "" {
			if rr, err := filepath.Rel(repo, dir); err == nil && !outside(rr) {
				bound, boundName = repo, "repository"
			}
		}
		if bound == a.root {
			return "", fail(outsideHint+" (or, in a repository, keep both under its root: dockgen widens the build context to hold them)", "is outside the module directory and not in a repository with it")
		}
	}
	if err != nil {
		return "", fail(outsideHint, "is outside the module directory")
	}
	if used {
		fi, err := a.stat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", fail("fix the path in go.mod: `go build` fails on it too", "names no directory")
		case err != nil:
			ie := a.fsError("read", err)
			return "", ie
		case !fi.IsDir():
			return "", fail("fix the path in go.mod to name the replacement module's directory: `go build` fails on it too", "is not a directory")
		}
		if fi, err := a.stat(filepath.Join(dir, "go.mod")); err != nil || !fi.Mode().IsRegular() {
			return "", fail("add the replacement module's go.mod (`go mod init "+r.Old.Path+"` in that directory) or fix the path: `go build` needs one there", "has no go.mod")
		}
	}
	// A symlink in the path may lead out of the module (or repository):
	// the build context holds the link, not what it points to.
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		if root, err := filepath.EvalSymlinks(bound); err == nil {
			if rr, err := filepath.Rel(root, real); err != nil || outside(rr) {
				return "", fail(outsideHint, "leads outside the %s through a symlink", boundName)
			}
		}
	}
	return rel, nil
}

// outside reports whether a path relative to the module root leaves it.
func outside(rel string) bool {
	return rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel)
}

// modError converts a go.mod parse failure, keeping the line of the first error.
func modError(err error) *InputError {
	ie := &InputError{Op: "parse", File: "go.mod", Err: err,
		Hint: "fix go.mod (`go mod tidy` reports the same problem); the image build reads it too"}
	var list modfile.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		e := list[0]
		ie.Line = e.Pos.Line
		cause := e.Err
		if cause == nil {
			cause = errors.New("invalid go.mod")
		}
		switch {
		case e.ModPath != "":
			cause = fmt.Errorf("%s %s: %w", e.Verb, e.ModPath, cause)
		case e.Verb != "":
			cause = fmt.Errorf("%s: %w", e.Verb, cause)
		}
		ie.Err = cause
	}
	return ie
}

func lineSource(file string, line *modfile.Line) string {
	if line == nil || line.Start.Line < 1 {
		return file + ":1"
	}
	return fmt.Sprintf("%s:%d", file, line.Start.Line)
}

// goEnv reads go command settings the way `go env` does without running it:
// the process environment first, then the file `go env -w` writes.
type goEnv struct {
	a      *analyzer
	loaded bool
	file   map[string]string
}

func (e *goEnv) get(key string) string {
	if v := e.a.getenv(key); v != "" {
		return v
	}
	if !e.loaded {
		e.loaded = true
		e.file = e.a.readGoEnvFile()
	}
	return e.file[key]
}

func (a *analyzer) readGoEnvFile() map[string]string {
	name := a.getenv("GOENV")
	if name == "off" {
		return nil
	}
	if name == "" {
		a.getenv("XDG_CONFIG_HOME") // what os.UserConfigDir reads
		a.getenv("HOME")
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil
		}
		name = filepath.Join(dir, "go", "env")
	}
	data, err := a.readFile(name, maxModFile)
	if err != nil {
		return nil
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// modCache is where the go command keeps downloaded modules.
func (a *analyzer) modCache() string {
	if d := a.env.get("GOMODCACHE"); d != "" {
		return d
	}
	if gp := filepath.SplitList(a.env.get("GOPATH")); len(gp) > 0 && gp[0] != "" {
		return filepath.Join(gp[0], "pkg", "mod")
	}
	a.getenv("HOME")
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, "go", "pkg", "mod")
}

func sortedUnique(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// sumOnly lists the modules go.sum has source hashes for but go.mod does not
// require, at their highest such version. Before go 1.17, go.mod lists only
// direct dependencies; the build still uses these, and go.sum is the
// offline record of which versions (mostly the ones MVS selected).
func (a *analyzer) sumOnly(reqs []*modfile.Require, hasSum bool) ([]*modfile.Require, error) {
	if !hasSum {
		return nil, nil
	}
	b, err := a.readFile(filepath.Join(a.root, "go.sum"), maxModFile)
	if err != nil {
		return nil, err
	}
	required := map[string]bool{}
	for _, r := range reqs {
		required[r.Mod.Path] = true
	}
	best := map[string]string{}
	lines := map[string]int{} // first line naming the module
	for i, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 3 || strings.HasSuffix(fields[1], "/go.mod") || required[fields[0]] {
			continue
		}
		if v := fields[1]; semver.IsValid(v) && semver.Compare(v, best[fields[0]]) > 0 {
			best[fields[0]] = v
			if lines[fields[0]] == 0 {
				lines[fields[0]] = i + 1
			}
		}
	}
	var out []*modfile.Require
	for _, p := range slices.Sorted(maps.Keys(best)) {
		out = append(out, &modfile.Require{Mod: module.Version{Path: p, Version: best[p]},
			Syntax: &modfile.Line{Start: modfile.Position{Line: lines[p]}}})
	}
	return out, nil
}
