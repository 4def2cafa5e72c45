package plan

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
)

// builder picks golang:<major.minor>-bookworm from the newer of go.mod's go
// and toolchain lines, so the builder is never older than go.mod asks.
func (m *maker) builder() error {
	f := m.f
	bl := &m.p.Builder
	bl.CrossCompile, bl.GoSum, bl.Vendor = true, f.HasGoSum, f.Vendor
	bl.Private = strings.Join(m.a.Private, ",")
	bl.Context, bl.ModDir, bl.WorkDir, bl.SourceMount = ".", "", "/src", "."
	if f.Context != "" && plainPath.MatchString(f.Context) && plainPath.MatchString(f.ModuleDir) {
		bl.Context, bl.ModDir, bl.WorkDir, bl.SourceMount = f.Context, f.ModuleDir, path.Join("/src", f.ModuleDir), "/src"
		m.note("go.mod", "the build context is %s (a replaced module sits beside this one in the repository): build with `docker build -f %s %s`", bl.Context, path.Join(bl.ModDir, DockerfileName), bl.Context)
	}
	bind := func(rel string) { // rel: relative to the module root
		bl.ModBinds = append(bl.ModBinds, Bind{Source: path.Join(bl.ModDir, rel), Target: rel})
	}
	bind("go.mod")
	if f.HasGoSum {
		bind("go.sum")
	}
	for _, d := range f.ReplaceDirs {
		mod := path.Join(strings.TrimPrefix(d, "./"), "go.mod")
		switch {
		case d == ".":
		case plainPath.MatchString(mod):
			bind(mod)
		default:
			// A bind mount's source is a CSV field: keep to names that
			// need no quoting rather than risk a broken or injected flag.
			m.warn("replace-path", "go.mod", "the replaced module in %q has a name the Dockerfile cannot bind safely: rename the directory, or vendor the dependencies", d)
		}
	}
	bl.Download = !f.Vendor
	if g := f.Generate; g != nil && g.GoOnly && g.Command == "go generate ./..." {
		bl.Generate = true
		m.p.Fixed = append(m.p.Fixed, g.Source)
		m.note(g.CommandSource, "the build stage runs `go generate ./...` before go build: the code uses %s (first at %s), which only generated code declares", strings.Join(g.Missing[:min(len(g.Missing), 3)], ", "), g.Source)
	}
	if w := f.Work; w != nil && bl.ModDir != "" || f.Work != nil && f.Context == "" {
		bl.Work = path.Join(bl.WorkDir, f.Work.File)
		bl.Download = false
		var needs []string
		for _, n := range f.Work.Needs {
			needs = append(needs, n.Name)
		}
		m.note(f.Work.Needs[0].Source, "builds in the workspace %s: it requires %s from it", f.Work.File, strings.Join(needs, ", "))
	} else if f.Workspace != "" {
		// The Go docs advise against committing go.work, and its other
		// members are usually outside the build context anyway.
		bl.NoWork = true
		m.note("", "%s is ignored in the image (GOWORK=off): the module builds from its go.mod alone", f.Workspace)
	}
	if m.a.SyntaxLine {
		m.p.SyntaxLine = "docker/dockerfile:1"
	}
	if t := f.BuildTags; t != nil {
		m.note(t.Source, "built with -tags=%s, as the repository builds", strings.Join(t.Tags, ","))
	}
	m.p.Platforms = slices.Clone(m.a.Platforms)
	if m.a.Go != "" {
		bl.GoVersion, bl.GoWhy = m.a.Go, "your answer"
		bl.Image = "golang:" + m.a.Go + "-bookworm"
		return nil
	}
	gv, gerr := parseGoVersion(f.Go)
	tv, terr := parseGoVersion(strings.TrimPrefix(f.Toolchain, "go"))
	if f.Go != "" && gerr != nil {
		return goLineError(f.GoSource, fmt.Errorf("go line %q: %w", f.Go, gerr))
	}
	if f.Toolchain != "" && terr != nil {
		return goLineError(f.ToolchainSource, fmt.Errorf("toolchain line %q: %w", f.Toolchain, terr))
	}
	want, src, why := gv, f.GoSource, "go.mod's go line"
	if f.Toolchain != "" && (f.Go == "" || gv.less(tv)) {
		want, src, why = tv, f.ToolchainSource, "go.mod's toolchain line"
	}
	switch {
	case f.Go == "" && f.Toolchain == "":
		want, why = latestGo, "the newest Go dockgen knows (go.mod has no go line)"
		m.note("go.mod", "go.mod has no go line; the builder is Go %s", latestGo.mm())
	case want.less(oldestBookworm):
		m.note(src, "go.mod asks for go %s; the builder is Go %s, the oldest with a bookworm image (the go line still sets the language version)", want, oldestBookworm.mm())
		want, why = oldestBookworm, "the oldest Go with a bookworm image"
	case latestGo.less(want.release()) && want.pre == "":
		return goLineError(src, fmt.Errorf("go %s is newer than any Go release dockgen knows (latest %s)", want, latestGo.mm()))
	}
	bl.GoVersion, bl.GoWhy = want.tag(), why+sourceSuffix(src)
	bl.Image = "golang:" + bl.GoVersion + "-bookworm"
	return nil
}

func goLineError(src string, err error) error {
	file, line := splitSource(src)
	return &analysis.InputError{Op: "read", File: file, Line: line, Err: err,
		Hint: "fix the line in go.mod, or choose the builder's Go with --go MAJOR.MINOR"}
}

func splitSource(src string) (string, int) {
	file, l, ok := strings.Cut(src, ":")
	if !ok {
		if src == "" {
			return "go.mod", 0
		}
		return src, 0
	}
	n, _ := strconv.Atoi(l)
	return file, n
}

// goVersion is a Go release: 1.23, 1.23.4, 1.24rc2.
type goVersion struct {
	major, minor int
	pre          string // "rc2", "beta1"; "" for a release
}

// latestGo is the newest Go release this dockgen knows; oldestBookworm the
// oldest with a golang:<v>-bookworm image.
var (
	latestGo       = goVersion{major: 1, minor: 26}
	oldestBookworm = goVersion{major: 1, minor: 21}
)

var errGoVersion = errors.New("want a Go version such as 1.25, 1.25.3 or 1.26rc1")

func parseGoVersion(v string) (goVersion, error) {
	var g goVersion
	major, rest, ok := strings.Cut(v, ".")
	if !ok {
		return g, errGoVersion
	}
	minor := rest
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		minor = rest[:i]
		if _, err := strconv.Atoi(rest[i+1:]); err != nil {
			return g, errGoVersion
		}
	}
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		g.pre = minor[i:]
		minor = minor[:i]
		if !(strings.HasPrefix(g.pre, "rc") || strings.HasPrefix(g.pre, "beta")) {
			return g, errGoVersion
		}
		if _, err := strconv.Atoi(strings.TrimLeft(g.pre, "abcert")); err != nil {
			return g, errGoVersion
		}
	}
	var err1, err2 error
	g.major, err1 = strconv.Atoi(major)
	g.minor, err2 = strconv.Atoi(minor)
	if err1 != nil || err2 != nil || g.major < 1 || len(minor) > 3 || len(major) > 2 {
		return g, errGoVersion
	}
	return g, nil
}

func (g goVersion) less(h goVersion) bool {
	if g.major != h.major {
		return g.major < h.major
	}
	if g.minor != h.minor {
		return g.minor < h.minor
	}
	return g.pre != "" && h.pre == "" || g.pre != "" && h.pre != "" && g.pre < h.pre
}

func (g goVersion) release() goVersion { return goVersion{major: g.major, minor: g.minor} }
func (g goVersion) mm() string         { return fmt.Sprintf("%d.%d", g.major, g.minor) }
func (g goVersion) String() string     { return g.mm() + g.pre }

// tag is the golang image tag: the minor for a released Go (an rc of a
// released minor builds with the release), the exact pre-release tag for a
// Go that is not released yet.
func (g goVersion) tag() string {
	if g.pre != "" && latestGo.less(g.release()) {
		return g.String()
	}
	return g.mm()
}
