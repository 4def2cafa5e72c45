package plan

import (
	"fmt"
	"go/format"
	"slices"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/lint"
	"github.com/dockgen/dockgen/templates"
)

// Policy says how a file may be written when it already exists.
type Policy int

const (
	// Managed files are rewritten while they still hold what dockgen wrote
	// last; once the user edits them they are theirs.
	Managed Policy = iota
	// Once files are created when missing and never touched again.
	Once
)

// File is one output: its path relative to the module root, its bytes, and
// how it may be written.
type File struct {
	Path    string
	Content []byte
	Policy  Policy
	// Base is what dockgen rendered for this path last time (from the plan
	// saved in .dockgen.yaml), when known: the base of a three-way merge
	// into a file the user edited.
	Base []byte
}

// output is one row of the declarative table of outputs: which template
// renders which file, how it may be written, and when it exists at all.
type output struct {
	template string
	path     func(*Plan) string
	policy   Policy
	when     func(*Plan) bool
}

func fixed(name string) func(*Plan) string { return func(*Plan) string { return name } }

var outputs = []output{
	{template: "Dockerfile.tmpl", path: fixed(DockerfileName), policy: Managed},
	{template: "dockerignore.tmpl", path: func(p *Plan) string { return p.IgnoreFile }, policy: Managed},
	{template: "compose.yaml.tmpl", path: func(p *Plan) string { return p.ComposeFile }, policy: Managed, when: func(p *Plan) bool { return len(p.ServiceBinaries()) > 0 }},
	{template: "bake.hcl.tmpl", path: fixed(BakeName), policy: Managed},
}

// BinaryData is what per-binary templates (health.go.tmpl) get.
type BinaryData struct {
	Plan   *Plan
	Binary Binary
}

// Render renders every output of the plan with a template set (nil: the
// built-in one), sorted by path. It is pure: the same plan gives the same
// bytes.
func Render(p *Plan, set *templates.Set) ([]File, error) {
	if set == nil {
		set = templates.Builtin()
	}
	var files []File
	for _, o := range outputs {
		if o.when != nil && !o.when(p) {
			continue
		}
		b, err := set.Render(o.template, p)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: o.path(p), Content: b, Policy: o.policy})
	}
	// A health probe file per probed binary: created when missing, and
	// the user's from then on (apply keeps an existing one).
	for _, b := range p.Binaries {
		if b.Probe == nil {
			continue
		}
		src, err := set.Render("health.go.tmpl", BinaryData{Plan: p, Binary: b})
		if err != nil {
			return nil, err
		}
		out, err := format.Source(src)
		if err != nil {
			return nil, fmt.Errorf("render %s: the probe file is not valid Go: %w", b.Probe.File, err)
		}
		files = append(files, File{Path: b.Probe.File, Content: out, Policy: Once})
	}
	slices.SortFunc(files, func(x, y File) int { return strings.Compare(x.Path, y.Path) })
	return files, nil
}

// CheckCustom holds files rendered from the user's templates to what the
// built-in ones guarantee: the Dockerfile parses and passes BuildKit's
// build checks (findings come back as warnings), the compose file loads.
func CheckCustom(p *Plan, files []File, set *templates.Set) ([]Note, error) {
	if set == nil || len(set.Custom) == 0 {
		return nil, nil
	}
	by := map[string][]byte{}
	for _, f := range files {
		by[f.Path] = f.Content
	}
	var notes []Note
	if src, ok := set.Custom["Dockerfile.tmpl"]; ok && by[DockerfileName] != nil {
		ws, err := lint.Dockerfile(by[DockerfileName], by[p.IgnoreFile])
		if err != nil {
			return nil, fmt.Errorf("the Dockerfile rendered from %s does not build: %w", src, err)
		}
		for _, w := range ws {
			notes = append(notes, Note{Code: "buildkit-" + w.RuleName, Text: fmt.Sprintf("%s (from %s)", w.Detail, src), Source: fmt.Sprintf("%s:%d", DockerfileName, w.Line)})
		}
	}
	if src, ok := set.Custom["compose.yaml.tmpl"]; ok && by[p.ComposeFile] != nil {
		if err := lint.Compose(".", by[p.ComposeFile], map[string]string{}); err != nil {
			return nil, fmt.Errorf("the compose file rendered from %s does not load: %w", src, err)
		}
	}
	return notes, nil
}

// maxValue bounds any text from the code that reaches a generated file:
// BuildKit reads at most 64 KiB per line, and no sane name comes close.
const maxValue = 4096

// checkLengths refuses facts with absurdly long text instead of writing a
// file that the builder or compose would reject.
func checkLengths(f *analysis.Facts) error {
	vals := [][2]string{{"module path", f.Module}}
	for _, e := range f.Embed {
		vals = append(vals, [2]string{"embed pattern", e})
	}
	for _, m := range f.Mains {
		vals = append(vals, [2]string{"main package dir", m.Dir}, [2]string{"binary name", m.Name},
			[2]string{"cgo reason", m.CgoReason}, [2]string{"health path", m.HealthPath}, [2]string{"version variable", m.VersionVar})
		for _, l := range m.Listeners {
			vals = append(vals, [2]string{"port env var", l.PortEnv})
		}
		for _, e := range m.Env {
			vals = append(vals, [2]string{"env var name", e.Name}, [2]string{"env default of " + e.Name, e.Default})
		}
	}
	for _, v := range vals {
		if len(v[1]) > maxValue {
			return fmt.Errorf("%s is %d bytes long (limit %d): dockgen will not put it in a generated file", v[0], len(v[1]), maxValue)
		}
	}
	return nil
}
