// Package wizard asks the user for answers (facts → answers, interactively).
//
// It talks to a small Prompter interface; the only file that knows the
// terminal library (survey, unmaintained upstream) is survey.go, so the
// library can be swapped without touching the questions.
package wizard

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
)

// ErrInterrupted is returned when the user cancels a question (Ctrl-C).
var ErrInterrupted = errors.New("interrupted")

// Prompter asks one question at a time; defaults come from the analysis.
type Prompter interface {
	MultiSelect(msg, help string, options, defaults []string) ([]string, error)
	Select(msg, help string, options []string, def string) (string, error)
	Input(msg, help, def string) (string, error)
}

// baseHelp explains each runtime base in one line.
var baseHelp = map[string]string{
	"distroless": "gcr.io/distroless (static, or base for cgo): no shell, CA roots, tzdata, nonroot user; smallest safe default",
	"scratch":    "empty image: dockgen copies CA roots (and zoneinfo/passwd when needed); static binaries only",
	"alpine":     "alpine: a shell and apk for debugging; musl, so static binaries only",
	"debian":     "debian:bookworm-slim: a shell and glibc; dockgen copies CA roots/zoneinfo when needed",
}

// Ask fills answers through p, starting from a (defaults or saved answers).
func Ask(p Prompter, f *analysis.Facts, a answers.Answers) (answers.Answers, error) {
	if len(f.Mains) > 1 {
		var opts []string
		for _, m := range f.Mains {
			opts = append(opts, m.Dir)
		}
		sel, err := p.MultiSelect("Which binaries go into images?", "one image target per binary; long-running ones also get a compose service", opts, a.Mains)
		if err != nil {
			return a, err
		}
		if len(sel) == 0 {
			return a, fmt.Errorf("no binary selected")
		}
		a.Mains = sel
	}
	var help string
	for _, b := range answers.Bases {
		help += b + ": " + baseHelp[b] + "\n"
	}
	base, err := p.Select("Runtime base image?", help, answers.Bases, a.Base)
	if err != nil {
		return a, err
	}
	a.Base = base
	for _, m := range a.Selected(f) {
		if len(m.Listeners) == 0 {
			continue
		}
		def := 8080
		if m.Listeners[0].Port != 0 {
			def = m.Listeners[0].Port
		}
		if p, ok := a.Ports[m.Name]; ok {
			def = p
		}
		v, err := p.Input(fmt.Sprintf("Container port for %s?", m.Name), "found at "+m.Listeners[0].Source, strconv.Itoa(def))
		if err != nil {
			return a, err
		}
		port, err := strconv.Atoi(v)
		if err != nil || port < 1 || port > 65535 {
			return a, fmt.Errorf("port %q for %s: want a number 1-65535", v, m.Name)
		}
		if port != def || a.Ports[m.Name] != 0 {
			if a.Ports == nil {
				a.Ports = map[string]int{}
			}
			a.Ports[m.Name] = port
		}
	}
	return a, nil
}
