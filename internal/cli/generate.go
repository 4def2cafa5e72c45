package cli

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/apply"
	"github.com/dockgen/dockgen/internal/plan"
	"github.com/dockgen/dockgen/internal/wizard"
	"golang.org/x/term"
)

// genOptions are the flags shared by init and regenerate.
type genOptions struct {
	dir    string
	dryRun bool
	diff   bool
	force  bool
	check  bool
}

// answerFlags are init's answer overrides.
type answerFlags struct {
	yes    bool
	mains  []string
	base   string
	ports  []string
	syntax bool
}

// applyFlags overrides answers with what was given on the command line.
func (fl answerFlags) applyTo(f *analysis.Facts, a answers.Answers) (answers.Answers, error) {
	if len(fl.mains) > 0 {
		a.Mains = nil
		for _, v := range fl.mains {
			dir, err := answers.NormalizeMain(f, v)
			if err != nil {
				return a, usageError{err}
			}
			if !slices.Contains(a.Mains, dir) {
				a.Mains = append(a.Mains, dir)
			}
		}
	}
	if fl.base != "" {
		if !slices.Contains(answers.Bases, fl.base) {
			return a, usagef("unknown base %q: choose one of %s", fl.base, strings.Join(answers.Bases, ", "))
		}
		a.Base = fl.base
	}
	if fl.syntax {
		a.SyntaxLine = true
	}
	for _, v := range fl.ports {
		name, num, named := strings.Cut(v, "=")
		if !named {
			num = name
			sel := a.Selected(f)
			var serving []string
			for _, m := range sel {
				if len(m.Listeners) > 0 || m.LongRunning {
					serving = append(serving, m.Name)
				}
			}
			if len(serving) != 1 {
				return a, usagef("--port %s: %d binaries could take it (%s); say which with --port NAME=%s", v, len(serving), strings.Join(serving, ", "), v)
			}
			name = serving[0]
		}
		port, err := strconv.Atoi(num)
		if err != nil {
			return a, usagef("--port %s: want a number or NAME=NUMBER", v)
		}
		if a.Ports == nil {
			a.Ports = map[string]int{}
		}
		a.Ports[name] = port
	}
	return a, nil
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r any) (*os.File, bool) {
	f, ok := r.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}

// generate renders and applies the files for answers a; prev is the saved
// state (nil on a first init).
func generate(io *streams, opts genOptions, f *analysis.Facts, a answers.Answers, prev *answers.State, mode apply.Mode) error {
	if err := a.Validate(f); err != nil {
		return fmt.Errorf("check answers: %w", err)
	}
	files, err := plan.Build(f, a)
	if err != nil {
		return err
	}
	var recorded map[string]string
	if prev != nil {
		recorded = maps.Clone(prev.Files)
		delete(recorded, answers.StateFile) // written below, never removed
	}
	changes, err := apply.Decide(opts.dir, files, recorded, mode)
	if err != nil {
		return err
	}
	state, err := answers.State{Answers: a, Files: apply.Recorded(changes, recorded)}.Marshal()
	if err != nil {
		return err
	}
	sc, err := apply.Own(opts.dir, answers.StateFile, state)
	if err != nil {
		return err
	}
	changes = append(changes, sc)

	printWarnings(io, f)
	for _, n := range plan.Notes(f, a) {
		fmt.Fprintf(io.err, "note: %s\n", n)
	}
	if conflicts := apply.Conflicts(changes); len(conflicts) > 0 {
		for _, c := range conflicts {
			fmt.Fprintf(io.err, "conflict: %s: %s\n", c.Path, c.Reason)
		}
		fmt.Fprintf(io.err, "dockgen: refusing to overwrite %d file(s) dockgen did not write; nothing was written.\n  what to do: move them aside, or run again with --force to overwrite them\n", len(conflicts))
		return silentError{exitError}
	}
	writes := 0
	for _, c := range changes {
		if c.Writes() {
			writes++
		}
		if opts.diff {
			io.out.Write(apply.Diff(c))
			continue
		}
		verb := string(c.Action)
		if (opts.dryRun || opts.check) && c.Writes() {
			verb = "would " + verb
		}
		fmt.Fprintf(io.out, "%-16s %s (%s)\n", verb, c.Path, c.Reason)
	}
	switch {
	case opts.check && writes > 0:
		fmt.Fprintf(io.err, "dockgen: %d file(s) out of date; run `dockgen regenerate`\n", writes)
		return silentError{exitError}
	case opts.dryRun || opts.diff || opts.check:
		return nil
	}
	return apply.Write(context.Background(), opts.dir, changes)
}

func printWarnings(io *streams, f *analysis.Facts) {
	for _, w := range f.Warnings {
		src := w.Source
		if src != "" {
			src += ": "
		}
		fmt.Fprintf(io.err, "warning: %s%s [%s]\n", src, w.Message, w.Code)
	}
}

// askIfInteractive runs the wizard on a terminal; without one, --yes is
// required so scripts never hang on a question.
func askIfInteractive(io *streams, fl answerFlags, f *analysis.Facts, a answers.Answers) (answers.Answers, error) {
	if fl.yes {
		return a, nil
	}
	in, ok := isTerminal(io.in)
	out, outOK := isTerminal(io.out)
	if !ok || !outOK {
		return a, usagef("no terminal to ask questions on: pass --yes to accept the defaults (adjust them with --main, --base, --port)")
	}
	return wizard.Ask(wizard.Survey{In: in, Out: out, Err: io.err}, f, a)
}
