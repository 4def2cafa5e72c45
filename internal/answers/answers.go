// Package answers is the second arrow of dockgen's flow: facts → answers.
//
// Answers are the choices a user makes (which binaries, which runtime base,
// which port). Defaults come from the facts; the wizard or flags override
// them; .dockgen.yaml stores them with a hash of every file dockgen wrote, so
// `dockgen regenerate` needs no questions and can tell user edits apart.
package answers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
)

// Bases are the runtime images dockgen knows, by answer value.
var Bases = []string{"distroless", "scratch", "alpine", "debian"}

// Answers are the user's choices. The YAML form lives in .dockgen.yaml.
type Answers struct {
	// Mains are the selected main package dirs ("./cmd/api"), sorted.
	Mains []string `yaml:"mains"`
	// Base is one of Bases.
	Base string `yaml:"base"`
	// Ports overrides the container port per binary name.
	Ports map[string]int `yaml:"ports,omitempty"`
	// SyntaxLine adds `# syntax=docker/dockerfile:1` (makes BuildKit pull a
	// frontend image, so it is off by default for offline builds).
	SyntaxLine bool `yaml:"syntax_line,omitempty"`
}

// Defaults derives answers from the facts: every main package that ships
// (see shipped), distroless, the ports found in the code.
func Defaults(f *analysis.Facts) Answers {
	a := Answers{Base: "distroless"}
	for _, m := range f.Mains {
		if shipped(m.Dir) {
			a.Mains = append(a.Mains, m.Dir)
		}
	}
	if len(a.Mains) == 0 {
		for _, m := range f.Mains {
			a.Mains = append(a.Mains, m.Dir)
		}
	}
	return a
}

// notShipped are directory names whose main packages are, by convention,
// examples, test fixtures or dev tooling rather than what a repo ships.
var notShipped = []string{"example", "examples", "_examples", "test", "tests", "testing", "testutil", "e2e", "hack", "tools", "scripts"}

// shipped reports whether a main package is part of what the repo ships;
// the others can still be picked with --main or in the wizard.
func shipped(dir string) bool {
	for _, el := range strings.Split(strings.TrimPrefix(dir, "./"), "/") {
		if slices.Contains(notShipped, el) {
			return false
		}
	}
	return true
}

// Selected returns the mains the answers select, in facts order.
func (a Answers) Selected(f *analysis.Facts) []analysis.Main {
	var out []analysis.Main
	for _, m := range f.Mains {
		if slices.Contains(a.Mains, m.Dir) {
			out = append(out, m)
		}
	}
	return out
}

// Validate checks the answers against the facts and says what to change.
func (a Answers) Validate(f *analysis.Facts) error {
	if !slices.Contains(Bases, a.Base) {
		return fmt.Errorf("unknown base %q: choose one of %s", a.Base, strings.Join(Bases, ", "))
	}
	if len(a.Mains) == 0 {
		return fmt.Errorf("no main package selected")
	}
	for _, dir := range a.Mains {
		if !slices.ContainsFunc(f.Mains, func(m analysis.Main) bool { return m.Dir == dir }) {
			return fmt.Errorf("%s is not a main package of %s (found: %s)", dir, f.Module, mainDirs(f))
		}
	}
	sel := a.Selected(f)
	for name, port := range a.Ports {
		if port < 1 || port > 65535 {
			return fmt.Errorf("port %d for %s is out of range 1-65535", port, name)
		}
		if !slices.ContainsFunc(sel, func(m analysis.Main) bool { return m.Name == name }) {
			return fmt.Errorf("port given for %q, which is not a selected binary", name)
		}
	}
	if a.Base == "scratch" || a.Base == "alpine" {
		for _, m := range sel {
			if m.Cgo {
				return fmt.Errorf("%s needs cgo (%s) and so glibc, which the %s base lacks: use --base distroless (default) or --base debian", m.Dir, m.CgoReason, a.Base)
			}
		}
	}
	return nil
}

func mainDirs(f *analysis.Facts) string {
	var dirs []string
	for _, m := range f.Mains {
		dirs = append(dirs, m.Dir)
	}
	return strings.Join(dirs, ", ")
}

// NormalizeMain turns a user's --main value ("cmd/api", "./cmd/api/",
// "api") into the facts' Dir form, or returns an error naming the choices.
func NormalizeMain(f *analysis.Facts, v string) (string, error) {
	clean := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(v, "./"), "/"), "/")
	for _, m := range f.Mains {
		if strings.TrimPrefix(m.Dir, "./") == clean || m.Dir == v || m.Name == v || (clean == "" && m.Dir == ".") {
			return m.Dir, nil
		}
	}
	return "", fmt.Errorf("--main %s: no main package there (found: %s)", v, mainDirs(f))
}
