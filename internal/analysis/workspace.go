package analysis

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

// Work is the go.work the module builds in, when it needs one: it requires
// modules of the workspace that it does not replace, so `go build` finds
// them only through the workspace. The image then builds in the workspace.
type Work struct {
	// File is go.work's path relative to the module root ("../go.work").
	File string `json:"file"`
	// Uses are the workspace's modules, relative to the module root
	// ("../lib"): the go command reads every one's go.mod.
	Uses []string `json:"uses"`
	// Needs are the workspace modules this one requires, with where.
	Needs []Source `json:"needs"`
	// Sum: go.work.sum exists beside go.work.
	Sum bool `json:"sum,omitempty"`
}

// workspace finds the go.work that the go command would use for the module
// (in its directory or above, within the repository), and returns it when
// the module needs it. A go.work the module does not need is ignored (the
// image builds with GOWORK=off).
func (a *analyzer) workspace(mf *modfile.File) (*Work, *InputError) {
	repo := a.repoRoot()
	for dir := a.root; ; dir = filepath.Dir(dir) {
		name := filepath.Join(dir, "go.work")
		if fi, err := a.lstat(name); err == nil && fi.Mode().IsRegular() {
			return a.readWork(name, mf)
		}
		if dir == repo || repo == "" || filepath.Dir(dir) == dir {
			return nil, nil
		}
	}
}

func (a *analyzer) readWork(name string, mf *modfile.File) (*Work, *InputError) {
	rel := func(p string) string {
		r, err := filepath.Rel(a.root, p)
		if err != nil {
			return filepath.ToSlash(p)
		}
		return filepath.ToSlash(r)
	}
	data, err := a.readFile(name, maxModFile)
	if err != nil {
		return nil, a.fsError("read", err)
	}
	wf, err := modfile.ParseWork(rel(name), data, nil)
	if err != nil {
		return nil, &InputError{Op: "parse", File: rel(name), Err: err, Hint: "fix go.work (`go work sync` reports the same problem)"}
	}
	w := &Work{File: rel(name)}
	if fi, err := a.lstat(filepath.Join(filepath.Dir(name), "go.work.sum")); err == nil && fi.Mode().IsRegular() {
		w.Sum = true
	}
	member := false
	paths := map[string]string{} // module path → its dir, relative to the module root
	for _, u := range wf.Use {
		dir := filepath.Join(filepath.Dir(name), filepath.FromSlash(u.Path))
		if filepath.IsAbs(u.Path) {
			dir = u.Path
		}
		r := rel(dir)
		if r == "." {
			member = true
		}
		w.Uses = append(w.Uses, r)
		b, err := a.readFile(filepath.Join(dir, "go.mod"), maxModFile)
		if err != nil {
			continue // the go command reports a missing member; not the image's concern
		}
		if p := modfile.ModulePath(b); p != "" {
			paths[p] = r
		}
	}
	if !member {
		return nil, nil // not this module's workspace
	}
	replaced := map[string]bool{}
	for _, r := range mf.Replace {
		replaced[r.Old.Path] = true
	}
	for _, r := range mf.Require {
		if dir, ok := paths[r.Mod.Path]; ok && !replaced[r.Mod.Path] && dir != "." {
			w.Needs = append(w.Needs, Source{Name: r.Mod.Path, Source: lineSource("go.mod", r.Syntax)})
		}
	}
	if len(w.Needs) == 0 {
		return nil, nil
	}
	repo := a.repoRoot()
	for _, u := range w.Uses {
		abs := filepath.Join(a.root, filepath.FromSlash(u))
		if rr, err := filepath.Rel(repo, abs); repo == "" || err != nil || outside(rr) {
			return nil, &InputError{Op: "read", File: w.File, Err: fmt.Errorf("workspace module %s is outside the repository", u),
				Hint: "keep every module of the workspace inside the repository, or add a replace (or a published version) for what this module requires: the Docker build context cannot reach it"}
		}
	}
	slices.Sort(w.Uses)
	return w, nil
}

// contextFor is the smallest directory holding the module and every path
// given relative to it (replaced modules, workspace members, go.work),
// relative to the module root ("" for the module root itself).
func contextFor(rels []string) string {
	up := 0
	for _, d := range rels {
		n := 0
		for _, el := range strings.Split(d, "/") {
			if el != ".." {
				break
			}
			n++
		}
		up = max(up, n)
	}
	if up == 0 {
		return ""
	}
	return strings.TrimSuffix(strings.Repeat("../", up), "/")
}
