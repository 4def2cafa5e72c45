package analysis

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// BuildTags are the build tags the repository itself builds with, and
// where that was read: `.goreleaser.yaml` builds, a Makefile's `go build`,
// or a hand-written Dockerfile's. The analysis reads the code with them, and
// the image builds with them (a file excluded without a tag, a driver
// feature like sqlite_fts5).
type BuildTags struct {
	Tags   []string `json:"tags"`
	Source string   `json:"source"`
}

var (
	// tagsFlagRE is -tags in a go build command line: -tags=a,b, -tags "a b".
	tagsFlagRE = regexp.MustCompile(`-tags[= ]+(?:"([^"]*)"|'([^']*)'|([^\s"']+))`)
	tagRE      = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)
)

// buildTags finds the tags the repository builds with, first found wins in
// this order: .goreleaser.yaml/.yml, Makefile, a hand-written Dockerfile.
func (a *analyzer) buildTags() (*BuildTags, []Warning) {
	for _, name := range []string{".goreleaser.yaml", ".goreleaser.yml"} {
		b, err := a.readFile(filepath.Join(a.root, name), maxModFile)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, []Warning{{Code: "buildtags-unreadable", Source: name, Message: fmt.Sprintf("cannot read %s (%v): its build tags are not used", name, unwrapPath(err))}}
		}
		if t := goreleaserTags(b, name); t != nil {
			return t, nil
		}
	}
	for _, name := range []string{"Makefile", "makefile", "GNUmakefile", "Dockerfile"} {
		b, err := a.readFile(filepath.Join(a.root, name), maxModFile)
		if err != nil {
			continue
		}
		if name == "Dockerfile" && bytes.Contains(bytes.ToLower(b[:min(len(b), 512)]), []byte(generatedHeader)) {
			continue // dockgen's own output is not evidence
		}
		if t := commandLineTags(b, name); t != nil {
			return t, nil
		}
	}
	return nil, nil
}

// goreleaserTags reads the tags (builds[].tags and -tags in flags) of the
// first build that targets linux (no goos list, or one naming linux): the
// build an image is. Other builds may leave things out (ntfy's Windows
// and macOS builds use `noserver`).
func goreleaserTags(b []byte, name string) *BuildTags {
	var root yaml.Node
	if yaml.Unmarshal(b, &root) != nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	top := root.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		if top[i].Value != "builds" || top[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for _, item := range top[i+1].Content {
			var bl struct {
				Tags  []string `yaml:"tags"`
				Flags []string `yaml:"flags"`
				Goos  []string `yaml:"goos"`
				Skip  any      `yaml:"skip"`
			}
			if item.Decode(&bl) != nil || (len(bl.Goos) > 0 && !slices.Contains(bl.Goos, "linux")) || bl.Skip == true {
				continue
			}
			tags := slices.Clone(bl.Tags)
			for _, f := range bl.Flags {
				tags = append(tags, flagTags(f)...)
			}
			return tagsAt(tags, fmt.Sprintf("%s:%d", name, item.Line))
		}
	}
	return nil
}

// commandLineTags reads -tags from the first `go build`/`go install` line.
func commandLineTags(b []byte, name string) *BuildTags {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if !strings.Contains(l, "go build") && !strings.Contains(l, "go install") {
			continue
		}
		if t := tagsAt(flagTags(l), fmt.Sprintf("%s:%d", name, n)); t != nil {
			return t
		}
	}
	return nil
}

func flagTags(s string) []string {
	m := tagsFlagRE.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	v := m[1] + m[2] + m[3]
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
}

// tagsAt keeps the valid tags, sorted and unique; nil when none.
func tagsAt(tags []string, src string) *BuildTags {
	var out []string
	for _, t := range tags {
		if tagRE.MatchString(t) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.Sort(out)
	return &BuildTags{Tags: out, Source: src}
}

// mainConstraintTags finds a main whose func main only a build tag builds
// (`//go:build prod` on main.go): the first signal of the repository's
// tags, ahead of the files buildTags reads. It returns the tags to read the
// module with (repo's, if any, plus the constraint's) and the constraint's
// file:line as the source; nil when every main builds without one. Only
// a file that declares func main in a package that otherwise lacks it
// counts: `//go:build dev` beside `//go:build !dev` builds either way and
// adds nothing.
func (a *analyzer) mainConstraintTags(repo *BuildTags) *BuildTags {
	var have []string
	if repo != nil {
		have = repo.Tags
	}
	var add []string
	src := ""
	for _, bp := range a.excluded {
		if bp.Name == "main" && a.declaresMain(bp.Dir, bp.GoFiles) {
			continue
		}
		for _, name := range bp.IgnoredGoFiles {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			tags, line := a.constraintNeeds(filepath.Join(bp.Dir, name), have)
			if len(tags) == 0 {
				continue
			}
			add = append(add, tags...)
			if src == "" {
				src = fmt.Sprintf("%s:%d", a.rel(filepath.Join(bp.Dir, name)), line)
			}
			break // one file with func main is enough for this package
		}
	}
	if len(add) == 0 {
		return nil
	}
	return tagsAt(append(append([]string{}, have...), add...), src)
}

// declaresMain reports whether one of the files declares func main.
func (a *analyzer) declaresMain(dir string, files []string) bool {
	for _, name := range files {
		if _, _, ok := a.mainFileConstraint(filepath.Join(dir, name)); ok {
			return true
		}
	}
	return false
}

// mainFileConstraint parses a file and returns its //go:build line and
// that line's number ("" when none), and whether it is package main
// declaring func main.
func (a *analyzer) mainFileConstraint(abs string) (string, int, bool) {
	var src []byte
	if b, ok := a.src.Load(abs); ok { // what go/build read for the header
		src = b.([]byte)
	} else if b, err := a.readFile(abs, maxGoFile); err == nil {
		src = b
	} else {
		return "", 0, false
	}
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, abs, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil || af.Name.Name != "main" {
		return "", 0, false
	}
	has := false
	for _, d := range af.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			has = true
		}
	}
	for _, cg := range af.Comments {
		if cg.Pos() > af.Package {
			break
		}
		for _, c := range cg.List {
			if constraint.IsGoBuild(c.Text) {
				return c.Text, fset.PositionFor(c.Pos(), false).Line, has
			}
		}
	}
	return "", 0, has
}

// constraintNeeds returns the fewest custom tags (beyond have) that make
// the file's //go:build line true on linux, and the line's number; nil
// when the file is not a main file, needs no tag, or cannot build on
// linux (`windows`, `ignore`).
func (a *analyzer) constraintNeeds(abs string, have []string) ([]string, int) {
	text, line, isMain := a.mainFileConstraint(abs)
	if text == "" || !isMain {
		return nil, 0
	}
	expr, err := constraint.Parse(text)
	if err != nil {
		return nil, 0
	}
	var cands []string
	expr.Eval(func(tag string) bool {
		if !platformTag(tag) && !slices.Contains(have, tag) && !slices.Contains(cands, tag) &&
			tag != "ignore" && tag != "tools" && tagRE.MatchString(tag) {
			cands = append(cands, tag)
		}
		return false
	})
	if len(cands) == 0 || len(cands) > 8 {
		return nil, 0
	}
	on := func(set []string) bool {
		return expr.Eval(func(tag string) bool {
			if platformTag(tag) {
				return a.platformTrue(tag)
			}
			return slices.Contains(have, tag) || slices.Contains(set, tag)
		})
	}
	// The smallest set that makes it true (`prod && !debug` needs prod).
	var need []string
	for mask := 1; mask < 1<<len(cands); mask++ {
		var set []string
		for i, t := range cands {
			if mask&(1<<i) != 0 {
				set = append(set, t)
			}
		}
		if on(set) && (need == nil || len(set) < len(need)) {
			need = set
		}
	}
	if need == nil || on(nil) {
		return nil, 0 // never true on linux, or true without a custom tag: not why the file is left out
	}
	return need, line
}

// platformTag reports a tag the platform, compiler or Go release decides,
// never one to pass with -tags (`-tags windows` would build Windows files).
func platformTag(tag string) bool {
	return knownOS[tag] || knownArch[tag] || strings.HasPrefix(tag, "go1.") ||
		tag == "unix" || tag == "cgo" || tag == "gc" || tag == "gccgo" || tag == "boringcrypto"
}

// platformTrue: the image is built for linux with the gc toolchain.
func (a *analyzer) platformTrue(tag string) bool {
	switch {
	case tag == "linux" || tag == "unix" || tag == "gc":
		return true
	case tag == "cgo":
		return a.ctx.CgoEnabled
	case strings.HasPrefix(tag, "go1."):
		return slices.Contains(a.ctx.ReleaseTags, tag)
	}
	return tag == a.ctx.GOARCH
}

// GOOS and GOARCH values (go tool dist list, plus the ones go/build knows
// as reserved).
var (
	knownOS   = setOf("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos")
	knownArch = setOf("386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm")
)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
