package plan

import (
	"fmt"
	"github.com/dockgen/dockgen/templates"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
)

// DockerfileView fills Dockerfile.tmpl.
type DockerfileView struct {
	SyntaxLine   string
	Module       string
	Notes        []string
	Builder      string
	BuildStage   string
	CrossCompile bool // no cgo: build on the build platform, cross-compile
	GoSum        bool
	Vendor       bool
	Private      string // GOPRIVATE for the module download
	Passwd       bool   // write an /etc/passwd for bases that lack one
	NoWork       bool   // build without the go.work in the context
	Binaries     []BinaryView
}

// BinaryView is one build + runtime stage.
type BinaryView struct {
	Name        string
	Stage       string
	BuildStage  string // where it is built: the shared stage, or its own when there are several
	Pkg         string
	Cgo         bool
	Ldflags     string // built only from fixed parts and Go identifiers
	Runtime     string
	Copies      []string // paths copied from the build stage as-is
	Passwd      bool
	Description string
	Env         []EnvView
	Ports       []int
	Health      bool
}

// EnvView is one ENV or compose environment entry.
type EnvView struct{ Name, Value string }

// Runtime images, pinned by tag.
const (
	imageStatic    = "gcr.io/distroless/static-debian12:nonroot"
	imageBase      = "gcr.io/distroless/base-debian12:nonroot"
	imageAlpine    = "alpine:3.22"
	imageDebian    = "debian:bookworm-slim"
	imageScratch   = "scratch"
	caBundle       = "/etc/ssl/certs/ca-certificates.crt"
	zoneinfo       = "/usr/share/zoneinfo"
	needCA, needTZ = "ca-certificates", "tzdata"
)

func dockerfileView(s *spec) any {
	f := s.facts
	v := DockerfileView{
		Module:       f.Module,
		Notes:        s.notes,
		Builder:      builderImage(f),
		BuildStage:   s.buildStage,
		CrossCompile: true,
		GoSum:        f.HasGoSum,
		Vendor:       f.Vendor,
		Private:      strings.Join(f.PrivateModules, ","),
		NoWork:       f.Workspace != "",
	}
	if s.answers.SyntaxLine {
		v.SyntaxLine = "docker/dockerfile:1"
	}
	for _, b := range s.bins {
		m := b.main
		if m.Cgo {
			v.CrossCompile = false // cgo needs the target's C toolchain
		}
		bv := BinaryView{
			Name:        b.stage,
			Stage:       b.stage,
			BuildStage:  b.buildStage,
			Pkg:         localPkg(m.Dir),
			Cgo:         m.Cgo,
			Ldflags:     "-s -w",
			Runtime:     runtimeImage(s.answers.Base, m.Cgo),
			Description: fmt.Sprintf("%s built by dockgen", path.Join(f.Module, m.Dir)),
			Health:      b.probe != nil,
		}
		if m.VersionVar != "" && isIdent(m.VersionVar) {
			bv.Ldflags += " -X main." + m.VersionVar + "=${VERSION}"
		}
		bv.Copies, bv.Passwd = runtimeCopies(s.answers.Base, m.Needs)
		v.Passwd = v.Passwd || bv.Passwd
		if b.port != 0 {
			bv.Ports = []int{b.port}
		}
		if b.portEnv != "" {
			bv.Env = append(bv.Env, EnvView{Name: b.portEnv, Value: b.envVal})
		}
		v.Binaries = append(v.Binaries, bv)
	}
	return v
}

// builderImage picks golang:<major.minor>-bookworm from the newer of the go
// and toolchain directives, so the builder never is older than go.mod asks.
func builderImage(f *analysis.Facts) string {
	v := majorMinor(f.Go)
	if t := majorMinor(strings.TrimPrefix(f.Toolchain, "go")); versionLess(v, t) {
		v = t
	}
	if versionLess(v, oldestBookworm) {
		// Older Go has no bookworm image; a newer toolchain builds the
		// module with the language version its go line asks for.
		v = oldestBookworm
	}
	return "golang:" + v + "-bookworm"
}

// oldestBookworm is the oldest Go with a golang:<v>-bookworm image that is
// still maintained enough to build with.
const oldestBookworm = "1.21"

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return ""
	}
	minor := strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	if _, err := strconv.Atoi(parts[0]); err != nil || minor == "" {
		return ""
	}
	return parts[0] + "." + minor
}

func versionLess(a, b string) bool {
	if b == "" {
		return false
	}
	if a == "" {
		return true
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range 2 {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return false
}

func runtimeImage(base string, cgo bool) string {
	switch base {
	case "scratch":
		return imageScratch
	case "alpine":
		return imageAlpine
	case "debian":
		return imageDebian
	}
	if cgo {
		return imageBase
	}
	return imageStatic
}

// runtimeCopies lists what a base lacks that the binary needs: distroless
// has CA roots, zoneinfo and passwd; scratch has nothing; alpine has CA roots
// and passwd; debian-slim has passwd only.
func runtimeCopies(base string, needs []string) (copies []string, passwd bool) {
	need := func(n string) bool { return slices.Contains(needs, n) }
	switch base {
	case "scratch":
		// CA roots always: almost every service ends up calling out over TLS,
		// and the cost is 200 kB.
		copies = append(copies, caBundle)
		if need(needTZ) {
			copies = append(copies, zoneinfo)
		}
		passwd = need("passwd")
	case "alpine":
		if need(needTZ) {
			copies = append(copies, zoneinfo)
		}
	case "debian":
		if need(needCA) {
			copies = append(copies, caBundle)
		}
		if need(needTZ) {
			copies = append(copies, zoneinfo)
		}
	}
	return copies, passwd
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// DockerignoreView fills dockerignore.tmpl.
type DockerignoreView struct {
	Vendor bool
	Groups []IgnoreGroup
}

// IgnoreGroup is a commented block of patterns.
type IgnoreGroup struct {
	Comment  string
	Patterns []string
}

var ignoreGroups = []IgnoreGroup{
	{"Version control", []string{".git", ".hg", ".svn"}},
	{"Secrets: never in the context, so never in a layer", []string{"**/.env", "**/.env.*", "**/*.pem", "**/*.key", "**/*.p12", "**/*.pfx", "**/id_rsa*", "**/id_ed25519*", "**/.netrc", "**/.aws", "**/.ssh"}},
	{"Build output and test artifacts", []string{"bin/", "dist/", "tmp/", "**/*.test", "**/*.out", "**/coverage.*", "**/node_modules"}},
	{"Editors and OS files", []string{".idea/", ".vscode/", "**/*.swp", "**/.DS_Store"}},
	{"Container setup itself: editing it should not invalidate the build cache", []string{"Dockerfile", ".dockerignore", "compose.yaml", ".dockgen.yaml"}},
}

func dockerignoreView(s *spec) any {
	v := DockerignoreView{Vendor: s.facts.Vendor, Groups: slices.Clone(ignoreGroups)}
	if len(s.facts.Embed) > 0 {
		// Later lines win: embedded assets come back even where a broad
		// pattern above (say **/*.pem) would have hidden them.
		g := IgnoreGroup{Comment: "Embedded assets (//go:embed) the build needs"}
		for _, e := range s.facts.Embed {
			if p := strings.TrimPrefix(e, "all:"); ignorePattern(p) {
				g.Patterns = append(g.Patterns, "!"+p)
			}
		}
		if len(g.Patterns) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	return v
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

// localPkg makes a main's dir a package pattern go build reads as a
// directory, never as an import path ("cmd/x" would be one).
func localPkg(dir string) string {
	if dir == "." || strings.HasPrefix(dir, "./") {
		return dir
	}
	return "./" + dir
}
