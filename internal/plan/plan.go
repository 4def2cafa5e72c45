// Package plan is the third arrow of dockgen's flow: facts + answers → files.
//
// It decides everything a template shows (stages, images, ports, env,
// copies) and renders the embedded templates into bytes. Rendering is pure:
// no disk, no clock, so the same facts and answers give byte-identical files.
// Writing them is internal/apply's job.
package plan

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
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
}

// output is one row of the declarative table of outputs.
type output struct {
	template string
	path     string
	policy   Policy
	view     func(*spec) any
	when     func(*spec) bool
}

var outputs = []output{
	{template: "Dockerfile.tmpl", path: "Dockerfile", policy: Managed, view: dockerfileView},
	{template: "dockerignore.tmpl", path: ".dockerignore", policy: Managed, view: dockerignoreView},
	{template: "compose.yaml.tmpl", path: "compose.yaml", policy: Managed, view: composeView, when: func(s *spec) bool { return len(s.services()) > 0 }},
}

// Build renders every output for the facts and answers, sorted by path.
func Build(f *analysis.Facts, a answers.Answers) ([]File, error) {
	if err := a.Validate(f); err != nil {
		return nil, err
	}
	if err := checkLengths(f); err != nil {
		return nil, err
	}
	s := newSpec(f, a)
	var files []File
	for _, o := range outputs {
		if o.when != nil && !o.when(s) {
			continue
		}
		b, err := templates.Render(o.template, o.view(s))
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: o.path, Content: b, Policy: o.policy})
	}
	// A health probe file per long-running binary that has none yet.
	for _, bin := range s.bins {
		if bin.probe == nil {
			continue
		}
		b, err := templates.Render("health.go.tmpl", bin.probe)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: path.Join(bin.main.Dir, HealthFile), Content: b, Policy: Once})
	}
	slices.SortFunc(files, func(x, y File) int { return strings.Compare(x.Path, y.Path) })
	return files, nil
}

// HealthFile is the probe file dockgen adds to a main package.
const HealthFile = "dockgen_health.go"

// Notes are the explanations dockgen shows for its choices (also written as
// Dockerfile comments), each naming the fact's source.
func Notes(f *analysis.Facts, a answers.Answers) []string {
	return newSpec(f, a).notes
}

func sourceSuffix(src string) string {
	if src == "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", src)
}

// maxValue bounds any text from the code that reaches a generated file:
// BuildKit reads at most 64 KiB per line, and no sane name comes close.
const maxValue = 4096

// checkLengths refuses facts with absurdly long text instead of writing a
// file that the builder or compose would reject.
func checkLengths(f *analysis.Facts) error {
	check := func(what, v string) error {
		if len(v) > maxValue {
			return fmt.Errorf("%s is %d bytes long (limit %d): dockgen will not put it in a generated file", what, len(v), maxValue)
		}
		return nil
	}
	vals := [][2]string{{"module path", f.Module}}
	for _, e := range f.Embed {
		vals = append(vals, [2]string{"embed pattern", e})
	}
	for _, p := range f.PrivateModules {
		vals = append(vals, [2]string{"private module pattern", p})
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
		if err := check(v[0], v[1]); err != nil {
			return err
		}
	}
	return nil
}
