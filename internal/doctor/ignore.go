package doctor

import (
	"bytes"
	"errors"
	"fmt"
	goparser "go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"

	"github.com/dockgen/dockgen/internal/lint"
	"github.com/moby/patternmatcher/ignorefile"
)

// ignoreLine is one pattern of a .dockerignore with the line it is on.
type ignoreLine struct {
	line    int
	pattern string // as ignorefile normalises it, "!" kept
	pm      *patternmatcher.PatternMatcher
}

// ignoreError is a pattern the matcher rejects.
type ignoreError struct {
	line    int
	pattern string
	err     error
}

func (e *ignoreError) Error() string { return fmt.Sprintf("line %d: %q: %v", e.line, e.pattern, e.err) }

// ignoreFile is a .dockerignore read with BuildKit's own reader and matcher.
type ignoreFile struct {
	lines []ignoreLine
	pm    *patternmatcher.PatternMatcher
}

// parseIgnore reads content line by line through ignorefile.ReadAll, so each
// pattern is normalised exactly as BuildKit does and keeps its line number.
func parseIgnore(content []byte) (*ignoreFile, error) {
	f := &ignoreFile{}
	var all []string
	for i, raw := range bytes.Split(content, []byte("\n")) {
		if i == 0 {
			raw = bytes.TrimPrefix(raw, []byte{0xEF, 0xBB, 0xBF})
		}
		ps, err := ignorefile.ReadAll(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			pm, err := patternmatcher.New([]string{strings.TrimPrefix(p, "!")})
			if err == nil {
				_, err = pm.MatchesOrParentMatches("x") // compiles the pattern
			}
			if err != nil {
				return nil, &ignoreError{line: i + 1, pattern: p, err: err}
			}
			f.lines = append(f.lines, ignoreLine{line: i + 1, pattern: p, pm: pm})
			all = append(all, p)
		}
	}
	pm, err := patternmatcher.New(all)
	if err != nil {
		return nil, err
	}
	f.pm = pm
	return f, nil
}

// excluded reports whether p (slash-separated, context-relative) stays out
// of the build context, and the line of the pattern that decides it.
func (f *ignoreFile) excluded(p string) (bool, int) {
	ok, err := lint.Excluded(f.pm, p)
	if err != nil || !ok {
		return false, 0
	}
	for i := len(f.lines) - 1; i >= 0; i-- {
		l := f.lines[i]
		if strings.HasPrefix(l.pattern, "!") {
			continue
		}
		if m, _ := l.pm.MatchesOrParentMatches(p); m {
			return true, l.line
		}
	}
	return true, 1
}

// secretClass is one kind of file that must stay out of the context: the
// pattern --fix appends and paths that pattern keeps out.
type secretClass struct {
	pattern string
	what    string
	probes  []string
}

var secretClasses = []secretClass{
	{"**/.env", ".env files", []string{".env", "config/.env"}},
	{"**/.env.*", ".env.* files", []string{".env.local", "config/.env.production"}},
	{"**/*.pem", "*.pem keys", []string{"tls.pem", "certs/tls.pem"}},
	{"**/*.key", "*.key keys", []string{"tls.key", "certs/tls.key"}},
	{"**/id_rsa*", "SSH keys (id_rsa*)", []string{"id_rsa", "deploy/id_rsa"}},
}

// vcsPattern is what --fix appends to keep version control out.
const vcsPattern = ".git"

// missingIgnores returns the patterns a .dockerignore lacks to keep
// secrets and .git out (all of them when there is none), with what leaks.
func missingIgnores(f *ignoreFile) (secrets []secretClass, vcs bool) {
	leaks := func(p string) bool {
		if f == nil {
			return true
		}
		ex, _ := f.excluded(p)
		return !ex
	}
	for _, sc := range secretClasses {
		if slices.ContainsFunc(sc.probes, leaks) {
			secrets = append(secrets, sc)
		}
	}
	return secrets, leaks(".git/config")
}

// dockerignore runs the DG2xx rules.
func (c *checker) dockerignore() {
	name := c.files.Dockerignore
	if name == "" {
		c.add("DG201", ".dockerignore", 1, 1,
			"no .dockerignore: the whole directory goes to the builder, and COPY . . puts .git, .env files and keys into the image", "")
		return
	}
	f, err := parseIgnore(c.ignore)
	if err != nil {
		line := 1
		var ie *ignoreError
		if errors.As(err, &ie) {
			line = ie.line
		}
		c.add("DG200", name, line, 1, "a pattern does not parse: "+err.Error(), "")
		return
	}
	secrets, vcs := missingIgnores(f)
	if len(secrets) > 0 {
		var what, probes []string
		for _, sc := range secrets {
			what = append(what, sc.what)
			probes = append(probes, sc.probes[0])
		}
		msg := fmt.Sprintf("%s reach the build context (e.g. %s)", strings.Join(what, ", "), strings.Join(probes, ", "))
		if real := c.realSecrets(f); len(real) > 0 {
			msg += "; present here: " + strings.Join(real, ", ")
		}
		var pats []string
		for _, sc := range secrets {
			pats = append(pats, sc.pattern)
		}
		c.add("DG202", name, 1, 1, msg, "add "+strings.Join(pats, ", "))
	}
	if vcs {
		c.add("DG203", name, 1, 1, ".git reaches the build context: its size slows every build, any commit busts COPY . ., and history can leak", "")
	}
	c.needed(f)
}

// walkContext calls fn for every file of the build context directory
// (slash-separated, relative), skipping .git; at most limit files.
func (c *checker) walkContext(fn func(rel string)) {
	const limit = 50000
	n := 0
	_ = filepath.WalkDir(c.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, rerr := filepath.Rel(c.dir, p)
		if rerr != nil || rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if e.IsDir() {
			if e.Name() == ".git" || e.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if n++; n > limit {
			return filepath.SkipAll
		}
		fn(rel)
		return nil
	})
}

// realSecrets are files in the directory that look like secrets and are
// not excluded.
func (c *checker) realSecrets(f *ignoreFile) []string {
	var out []string
	c.walkContext(func(rel string) {
		base := path.Base(rel)
		secret := base == ".env" || strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".pem") ||
			strings.HasSuffix(base, ".key") || strings.HasPrefix(base, "id_rsa")
		if secret && len(out) < 5 {
			if ex, _ := f.excluded(rel); !ex {
				out = append(out, rel)
			}
		}
	})
	return out
}

// neededPaths are the context paths the build reads: go.mod and go.sum,
// the Go sources it compiles (vendor/ when vendoring), and the //go:embed
// assets (Expect's; probes stand in for assets not on disk).
func (c *checker) neededPaths() (mods, srcs, assets []string) {
	var files []string
	c.walkContext(func(rel string) { files = append(files, rel) })
	mods = []string{"go.mod"}
	if slices.Contains(files, "go.sum") {
		mods = append(mods, "go.sum")
	}
	vendored := slices.Contains(files, "vendor/modules.txt")
	var nested []string // other modules' directories: not this build's sources
	for _, rel := range files {
		if path.Base(rel) == "go.mod" && rel != "go.mod" {
			nested = append(nested, path.Dir(rel))
		}
	}
	built := c.builtMains()
	for _, rel := range files {
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			continue
		}
		if inSkippedDir(rel) || (!vendored && strings.HasPrefix(rel, "vendor/")) ||
			slices.ContainsFunc(nested, func(d string) bool { return under(rel, d) }) {
			continue
		}
		if built != nil && !built(path.Dir(rel)) && c.isMainDir(path.Dir(rel)) {
			continue // another binary's main package: this Dockerfile does not build it
		}
		srcs = append(srcs, rel)
	}
	if len(srcs) == 0 && c.exp != nil {
		for _, b := range c.exp.Binaries {
			srcs = append(srcs, path.Join(normDir(b.Dir), "main.go"))
		}
	}
	if vendored {
		srcs = append(srcs, "vendor/modules.txt")
	}
	if c.exp == nil {
		return mods, srcs, nil
	}
	for _, pat := range c.exp.Embeds {
		all := strings.HasPrefix(pat, "all:")
		pat = path.Clean(strings.TrimPrefix(pat, "all:"))
		found := false
		matches, _ := filepath.Glob(filepath.Join(c.dir, filepath.FromSlash(pat)))
		for _, m := range matches {
			rel, _ := filepath.Rel(c.dir, m)
			rel = filepath.ToSlash(rel)
			for _, fl := range files {
				if under(fl, rel) && (all || !hiddenBelow(fl, rel)) {
					assets = append(assets, fl)
					found = true
				}
			}
		}
		if !found {
			assets = append(assets, probeFor(pat))
		}
	}
	return mods, srcs, assets
}

// needed: DG204, DG205, DG206 — files the build reads that the
// .dockerignore keeps out, one finding per deciding pattern.
func (c *checker) needed(f *ignoreFile) {
	report := func(id string, paths []string, what string) {
		byLine := map[int][]string{}
		var order []int
		for _, p := range paths {
			if ex, line := f.excluded(p); ex {
				if _, ok := byLine[line]; !ok {
					order = append(order, line)
				}
				byLine[line] = append(byLine[line], p)
			}
		}
		slices.Sort(order)
		for _, line := range order {
			ps := byLine[line]
			more := ""
			if len(ps) > 3 {
				more = fmt.Sprintf(" and %d more", len(ps)-3)
				ps = ps[:3]
			}
			c.add(id, c.files.Dockerignore, line, 1,
				fmt.Sprintf("%q excludes %s the build needs: %s%s", f.patternAt(line), what, strings.Join(ps, ", "), more), "")
		}
	}
	mods, srcs, assets := c.neededPaths()
	report("DG205", mods, "go.mod/go.sum")
	report("DG206", srcs, "Go sources")
	report("DG204", assets, "//go:embed assets")
}

// builtMains returns whether a module-relative directory is a package the
// Dockerfile builds; nil when that is not known (no Dockerfile, or a build
// whose packages doctor cannot place).
func (c *checker) builtMains() func(dir string) bool {
	if c.df == nil || len(c.df.builds) == 0 {
		return nil
	}
	var pkgs []string
	for _, b := range c.df.builds {
		for _, p := range b.pkgs {
			if p == "" {
				return nil
			}
			pkgs = append(pkgs, p)
		}
	}
	return func(dir string) bool {
		return slices.ContainsFunc(pkgs, func(p string) bool {
			if pre, ok := strings.CutSuffix(p, "..."); ok {
				pre = strings.TrimSuffix(pre, "/")
				return pre == "" || under(dir, pre)
			}
			return p == dir
		})
	}
}

// isMainDir reports whether dir holds a main package: from Expect when
// given, else from the package clause of its Go files.
func (c *checker) isMainDir(dir string) bool {
	if c.exp != nil {
		return slices.ContainsFunc(c.exp.Binaries, func(b Binary) bool { return normDir(b.Dir) == dir })
	}
	ents, err := os.ReadDir(filepath.Join(c.dir, filepath.FromSlash(dir)))
	if err != nil {
		return false
	}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := goparser.ParseFile(token.NewFileSet(), filepath.Join(c.dir, filepath.FromSlash(dir), e.Name()), nil, goparser.PackageClauseOnly)
		if err == nil {
			return f.Name.Name == "main"
		}
	}
	return false
}

// patternAt is the pattern written on line.
func (f *ignoreFile) patternAt(line int) string {
	for _, l := range f.lines {
		if l.line == line {
			return l.pattern
		}
	}
	return ""
}

// inSkippedDir reports paths the go command ignores: testdata, and
// directories starting with . or _.
func inSkippedDir(rel string) bool {
	parts := strings.Split(rel, "/")
	for _, p := range parts[:len(parts)-1] {
		if p == "testdata" || strings.HasPrefix(p, ".") || strings.HasPrefix(p, "_") {
			return true
		}
	}
	return false
}

// hiddenBelow reports whether file, inside the embedded directory dir, has
// a path element starting with . or _ (go:embed leaves those out).
func hiddenBelow(file, dir string) bool {
	rest := strings.TrimPrefix(strings.TrimPrefix(file, dir), "/")
	if rest == "" {
		return false
	}
	for _, p := range strings.Split(rest, "/") {
		if strings.HasPrefix(p, ".") || strings.HasPrefix(p, "_") {
			return true
		}
	}
	return false
}

// probeFor turns an embed pattern into a path it matches, for modules whose
// assets are not on disk: glob characters become "x".
func probeFor(pat string) string {
	var b strings.Builder
	inClass := false
	for _, r := range pat {
		switch {
		case inClass:
			if r == ']' {
				inClass = false
			}
		case r == '[':
			inClass = true
			b.WriteByte('x')
		case r == '*' || r == '?':
			b.WriteByte('x')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
