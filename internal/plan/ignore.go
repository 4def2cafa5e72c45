package plan

import (
	"path"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/dockgen/dockgen/templates"
)

// ignoreGroups are the fixed .dockerignore patterns. None may match a Go
// source file, go.mod or go.sum (so no "**/coverage.*", which would match
// coverage.go, and no "id_rsa*", which would match id_rsa_helper.go);
// the root-level output dirs are dropped when a binary is built from
// inside one.
var ignoreGroups = []IgnoreGroup{
	{"Version control", []string{".git", ".hg", ".svn"}},
	{"Secrets: never in the context, so never in a layer", []string{"**/.env", "**/.env.*", "**/*.pem", "**/*.key", "**/*.p12", "**/*.pfx",
		"**/id_rsa", "**/id_rsa.pub", "**/id_ed25519", "**/id_ed25519.pub", "**/id_ecdsa", "**/id_ecdsa.pub", "**/.netrc", "**/.aws", "**/.ssh"}},
	{"Build output and test artifacts (Go sources in them stay: a package may live there)", []string{"bin/", "dist/", "tmp/",
		"!bin/**/*.go", "!dist/**/*.go", "!tmp/**/*.go", "**/*.test", "**/*.out", "**/coverage.html", "**/coverage.txt", "**/*.coverprofile", "**/node_modules"}},
	{"Editors and OS files", []string{".idea/", ".vscode/", "**/*.swp", "**/.DS_Store"}},
}

// setupGroup keeps the container setup itself out of the context: editing
// it should not invalidate the build cache.
func setupGroup(p *Plan) IgnoreGroup {
	return IgnoreGroup{"Container setup itself: editing it should not invalidate the build cache",
		[]string{DockerfileName, p.IgnoreFile, p.ComposeFile, BakeName, ".dockgen.yaml", ".dockgen/"}}
}

// ignore decides the .dockerignore: the fixed groups, minus any pattern
// that would hide a binary's package, plus the embedded assets re-included
// after everything (later lines win in .dockerignore).
func (m *maker) ignore() error {
	m.p.IgnoreFile = DockerignoreName
	mod := m.p.Builder.ModDir
	if mod != "" {
		// The context is wider than the module: take only the module and
		// the modules it replaces from it.
		m.p.IgnoreFile = DockerfileIgnoreName
		g := IgnoreGroup{Comment: "The context is wider than the module: only the module and what it replaces go in", Patterns: []string{"*", "!" + mod}}
		outside := slices.Clone(m.f.ReplaceDirs)
		if w := m.f.Work; w != nil {
			outside = append(append(outside, w.Uses...), w.File)
			if w.Sum {
				outside = append(outside, w.File+".sum")
			}
		}
		for _, d := range outside {
			dir := path.Join(mod, d)
			if p := "!" + dir; d != "." && !strings.HasPrefix(d, "./") && plainPath.MatchString(dir) && !slices.Contains(g.Patterns, p) && dir != mod {
				g.Patterns = append(g.Patterns, p)
			}
		}
		m.p.Ignore = append(m.p.Ignore, g)
	}
	// Patterns anchored at the context root move under the module.
	at := func(p string) string {
		body, neg := strings.CutPrefix(p, "!")
		if mod == "" || strings.HasPrefix(body, "**/") {
			return p
		}
		moved := mod + "/" + body
		if neg {
			return "!" + moved
		}
		return moved
	}
	var keep []string // paths the build must see
	for _, b := range m.p.Binaries {
		keep = append(keep, strings.TrimPrefix(b.Main, "./"))
	}
	groups := append(slices.Clone(ignoreGroups), setupGroup(m.p))
	if m.f.VendorIgnored {
		// go build would not use it (go < 1.14) or refuse it (inconsistent):
		// left out, the build downloads the modules instead.
		groups = append(groups, IgnoreGroup{"vendor/ the go command does not build from (see the analysis warning)", []string{"vendor/"}})
	}
	for _, g := range groups {
		dropped := map[string]bool{}
		var kept []string
		for _, p := range g.Patterns {
			if base, ok := strings.CutPrefix(p, "!"); ok {
				// A re-include goes with the pattern it qualifies.
				if dropped[strings.SplitN(base, "**", 2)[0]] {
					continue
				}
			} else if k := slices.IndexFunc(keep, func(k string) bool { return k != "." && hides(p, k) }); k >= 0 {
				dropped[p] = true
				m.note("", ".dockerignore leaves out %s: %s is built from there", p, keep[k])
				continue
			}
			kept = append(kept, at(p))
		}
		m.p.Ignore = append(m.p.Ignore, IgnoreGroup{Comment: g.Comment, Patterns: kept})
	}
	g := IgnoreGroup{Comment: "Embedded assets (//go:embed) the build needs"}
	for _, e := range m.f.Embed {
		p := strings.TrimPrefix(e, "all:")
		if !ignorePattern(p) {
			continue
		}
		g.Patterns = append(g.Patterns, reinclude(p, at)...)
	}
	if len(g.Patterns) > 0 {
		m.p.Ignore = append(m.p.Ignore, g)
	}
	rg := IgnoreGroup{Comment: "Files the program reads at run time (copied into the image)"}
	for _, b := range m.p.Binaries {
		for _, f := range b.Files {
			if !slices.Contains(rg.Patterns, at("!"+f.Src)) && ignorePattern(f.Src) {
				rg.Patterns = append(rg.Patterns, reinclude(f.Src, at)...)
			}
		}
	}
	if len(rg.Patterns) > 0 {
		m.p.Ignore = append(m.p.Ignore, rg)
	}
	return nil
}

// reinclude brings a path back into the context after the patterns above:
// "!dir" and "!dir/**". BuildKit walks the context evaluating an exception
// only where something is already excluded, so "!certs" alone does not
// bring back certs/ca.pem that "**/*.pem" excluded: "!certs/**" does.
func reinclude(p string, at func(string) string) []string {
	out := []string{at("!" + p)}
	if !strings.ContainsAny(p, "*?[") {
		out = append(out, at("!"+strings.TrimSuffix(p, "/")+"/**"))
	}
	return out
}

// hides reports whether an ignore pattern excludes rel or anything in it.
func hides(pattern, rel string) bool {
	pm, err := patternmatcher.New([]string{pattern})
	if err != nil {
		return false
	}
	for p := rel; p != "." && p != "/" && p != ""; p = parentDir(p) {
		if ok, _ := pm.MatchesOrParentMatches(p); ok {
			return true
		}
	}
	ok, _ := pm.MatchesOrParentMatches(rel + "/main.go")
	return ok
}

func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// ignorePattern reports whether "!"+p is a .dockerignore line BuildKit
// accepts, checked with the same parser and matcher Docker uses: an empty or
// malformed pattern would make it refuse the whole build context.
func ignorePattern(p string) bool {
	line := "!" + templates.OneLine(p)
	ps, err := ignorefile.ReadAll(strings.NewReader(line))
	if err != nil || len(ps) != 1 || ps[0] == "!" {
		return false
	}
	_, err = patternmatcher.New(ps)
	return err == nil
}
