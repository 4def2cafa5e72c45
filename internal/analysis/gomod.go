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
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// modInfo is what the rest of the analysis needs from go.mod.
type modInfo struct {
	path     string
	file     *modfile.File
	vendor   bool
	requires []*modfile.Require // sorted by module path length, longest first
}

// readModule fills the go.mod facts and checks what would make the Docker
// build fail before any code is read.
func (a *analyzer) readModule(f *Facts) error {
	data, err := readFile(filepath.Join(a.root, "go.mod"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
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
	f.HasGoSum = exists(filepath.Join(a.root, "go.sum"))
	f.Vendor = exists(filepath.Join(a.root, "vendor", "modules.txt"))
	a.mod.vendor = f.Vendor
	if exists(filepath.Join(a.root, "go.work")) {
		f.Workspace = "go.work"
	}

	a.mod.requires = append(a.mod.requires, mf.Require...)
	a.mod.requires = append(a.mod.requires, a.sumOnly(mf.Require)...)
	sort.SliceStable(a.mod.requires, func(i, j int) bool {
		return len(a.mod.requires[i].Mod.Path) > len(a.mod.requires[j].Mod.Path)
	})

	local := map[string]bool{} // modules replaced by a directory: never downloaded
	for _, r := range mf.Replace {
		if r.New.Version != "" {
			continue // replaced by another module version: fetched like any other
		}
		local[r.Old.Path] = true
		dir := filepath.FromSlash(r.New.Path)
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(a.root, dir)
		}
		rel, err := filepath.Rel(a.root, dir)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			if f.Vendor {
				continue // vendor/ holds a copy, so the build context has everything
			}
			return &InputError{Op: "check replace", File: "go.mod", Line: r.Syntax.Start.Line,
				Err:  fmt.Errorf("%s => %s is outside the module directory", r.Old.Path, r.New.Path),
				Hint: "vendor the dependencies (`go mod vendor`) or move the replaced module inside the directory: the Docker build context cannot reach it"}
		}
		if rel == "." {
			f.ReplaceDirs = append(f.ReplaceDirs, ".")
		} else {
			f.ReplaceDirs = append(f.ReplaceDirs, "./"+filepath.ToSlash(rel))
		}
	}
	f.ReplaceDirs = sortedUnique(f.ReplaceDirs)

	// GONOPROXY defaults to GOPRIVATE in the go command; either marks a module
	// the builder must fetch with credentials.
	patterns := strings.Trim(a.env.get("GOPRIVATE")+","+a.env.get("GONOPROXY"), ",")
	if patterns != "" {
		for _, r := range mf.Require {
			if !local[r.Mod.Path] && module.MatchPrefixPatterns(patterns, r.Mod.Path) {
				f.PrivateModules = append(f.PrivateModules, r.Mod.Path)
			}
		}
	}
	f.PrivateModules = sortedUnique(f.PrivateModules)
	return nil
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
	loaded bool
	file   map[string]string
}

func (e *goEnv) get(key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	if !e.loaded {
		e.loaded = true
		e.file = readGoEnvFile()
	}
	return e.file[key]
}

func readGoEnvFile() map[string]string {
	name := os.Getenv("GOENV")
	if name == "off" {
		return nil
	}
	if name == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil
		}
		name = filepath.Join(dir, "go", "env")
	}
	data, err := os.ReadFile(name)
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
func (a *analyzer) sumOnly(reqs []*modfile.Require) []*modfile.Require {
	b, err := readFile(filepath.Join(a.root, "go.sum"))
	if err != nil {
		return nil
	}
	required := map[string]bool{}
	for _, r := range reqs {
		required[r.Mod.Path] = true
	}
	best := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 3 || strings.HasSuffix(fields[1], "/go.mod") || required[fields[0]] {
			continue
		}
		if v := fields[1]; semver.IsValid(v) && semver.Compare(v, best[fields[0]]) > 0 {
			best[fields[0]] = v
		}
	}
	var out []*modfile.Require
	for _, p := range slices.Sorted(maps.Keys(best)) {
		out = append(out, &modfile.Require{Mod: module.Version{Path: p, Version: best[p]}})
	}
	return out
}
