package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/apply"
	"github.com/dockgen/dockgen/internal/plan"
	"github.com/dockgen/dockgen/internal/state"
	"github.com/dockgen/dockgen/templates"
	"golang.org/x/term"
)

// outputOptions say what to do with the planned changes.
type outputOptions struct {
	dryRun, diff, check, force bool
	// templates is the dir of the user's templates ("" = DIR/.dockgen/templates).
	templates string
}

// job is one init or regenerate run, from the module on disk to the
// files written.
type job struct {
	io   *streams
	ctx  context.Context
	dir  string
	out  outputOptions
	mode apply.Mode
	// ask runs the wizard when set (init on a terminal).
	ask func(f *analysis.Facts, a answers.Answers) (answers.Answers, error)
	// confirm asks before writing when set (init on a terminal).
	confirm func(summary string) error
	// next prints the next steps after writing (init).
	next bool
	// flagFields are the answer fields given on the command line: a bad
	// value there is a usage error, elsewhere a .dockgen.yaml line.
	flagFields map[string]bool
}

// defaultTemplates is where a repository keeps its own templates.
const defaultTemplates = ".dockgen/templates"

// run analyzes, merges answers, plans, renders and applies.
func (j *job) run(flagAnswers answers.Answers, fromState func(*state.Loaded) (answers.Answers, error)) error {
	unlock, err := apply.Lock(j.dir)
	if err != nil {
		return err
	}
	defer unlock()
	set, err := j.templates()
	if err != nil {
		return err
	}
	f, err := analyze(j.ctx, j.dir)
	if err != nil {
		return err
	}
	prev, err := state.Load(j.dir)
	if err != nil {
		return err
	}
	a, err := fromState(prev)
	if err != nil {
		return err
	}
	a.Mains = j.existing(f, a.Mains)
	a = merge(a, flagAnswers)
	a.NoProbe = deletedProbes(j.dir, f, prev, a.NoProbe)
	p, err := plan.Make(f, a)
	if err != nil {
		return j.answerError(err, prev)
	}
	if j.ask != nil {
		if a, err = j.ask(f, a); err != nil {
			return err
		}
		if p, err = plan.Make(f, a); err != nil {
			return j.answerError(err, prev)
		}
	}
	files, err := plan.Render(p, set)
	if err != nil {
		return err
	}
	if prev != nil && prev.Plan != nil {
		// What dockgen rendered last time is the base of a three-way merge
		// into any file the user edited since.
		if old, err := plan.Render(prev.Plan, set); err == nil {
			for i := range files {
				if k := slices.IndexFunc(old, func(o plan.File) bool { return o.Path == files[i].Path }); k >= 0 {
					files[i].Base = old[k].Content
				}
			}
		}
	}
	custom, err := plan.CheckCustom(p, files, set)
	if err != nil {
		return err
	}
	var recorded map[string]string
	if prev != nil {
		recorded = prev.Files
	}
	changes, err := apply.Decide(j.dir, files, recorded, j.mode)
	if err != nil {
		return err
	}
	st := state.State{Answers: p.Answers, Plan: p, Files: apply.Recorded(changes, recorded)}
	b, err := st.Marshal()
	if err != nil {
		return err
	}
	sc, err := apply.Own(j.dir, state.File, b)
	if err != nil {
		return err
	}
	changes = append(changes, sc)

	j.report(f, prev, p, custom, changes)
	return j.apply(changes, p)
}

// templates loads the template set: built-in, with the repository's (or
// --templates DIR's) replacements.
func (j *job) templates() (*templates.Set, error) {
	dir := j.out.templates
	if dir == "" {
		dir = filepath.Join(j.dir, filepath.FromSlash(defaultTemplates))
	} else if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, usagef("--templates %s: not a directory", dir)
	}
	return templates.Load(dir)
}

// answerError says where a bad answer came from: a flag (usage error) or
// a line of .dockgen.yaml.
func (j *job) answerError(err error, prev *state.Loaded) error {
	var ae *answers.Error
	if !errors.As(err, &ae) {
		return err
	}
	top, _, _ := strings.Cut(ae.Field, ".")
	if j.flagFields[top] || prev == nil {
		return usageError{err}
	}
	return &state.Error{Line: prev.Line("answers." + ae.Field), Err: err}
}

// existing drops saved mains that are gone from the module, saying so;
// with none left the plan's default selection applies again.
func (j *job) existing(f *analysis.Facts, dirs []string) []string {
	var out []string
	for _, d := range dirs {
		if slices.ContainsFunc(f.Mains, func(m analysis.Main) bool { return m.Dir == d }) {
			out = append(out, d)
		} else {
			fmt.Fprintf(j.io.err, "note: %s saved in %s is no longer a main package; it is dropped\n", safe(d), state.File)
		}
	}
	return out
}

// merge lays the command line's answers over the saved ones.
func merge(a, flags answers.Answers) answers.Answers {
	a = a.Clone()
	if len(flags.Mains) > 0 {
		a.Mains = flags.Mains
	}
	if flags.Base != "" {
		a.Base = flags.Base
	}
	a.Debug = a.Debug || flags.Debug
	for k, v := range flags.Ports {
		a.SetPort(k, v)
	}
	for k, v := range flags.Cgo {
		a.SetCgo(k, v)
	}
	if len(flags.Platforms) > 0 {
		a.Platforms = flags.Platforms
	}
	if flags.Go != "" {
		a.Go = flags.Go
	}
	if len(flags.Private) > 0 {
		a.Private = flags.Private
	}
	a.SyntaxLine = a.SyntaxLine || flags.SyntaxLine
	// `dockgen pin` gives the whole set: pins it dropped go.
	if flags.Pins != nil {
		a.Pins = maps.Clone(flags.Pins)
	}
	return a
}

// deletedProbes adds the binaries whose probe file dockgen created and the
// user deleted: a deleted probe stays deleted (and the HEALTHCHECK that
// would run it goes too).
func deletedProbes(dir string, f *analysis.Facts, prev *state.Loaded, noProbe []string) []string {
	if prev == nil || prev.Plan == nil {
		return noProbe
	}
	out := slices.Clone(noProbe)
	for _, b := range prev.Plan.Binaries {
		if b.Probe == nil || prev.Files[b.Probe.File] == "" {
			continue
		}
		i := slices.IndexFunc(f.Mains, func(m analysis.Main) bool { return m.Dir == b.Main })
		if i < 0 || f.Mains[i].ProbeFile != "" {
			continue
		}
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(b.Probe.File))); errors.Is(err, os.ErrNotExist) && !slices.Contains(out, b.Name) {
			out = append(out, b.Name)
		}
	}
	return out
}

// report prints what the user should know before the files: warnings
// from the analysis and the plan, notes, what was dropped from the state.
func (j *job) report(f *analysis.Facts, prev *state.Loaded, p *plan.Plan, custom []plan.Note, changes []apply.Change) {
	w := j.io.err
	if prev != nil {
		for _, s := range prev.Warnings {
			fmt.Fprintf(w, "warning: %s\n", safe(s))
		}
	}
	printWarnings(j.io, f, p.Fixed)
	for _, n := range append(slices.Clone(p.Warnings), custom...) {
		fmt.Fprintf(w, "warning: %s [%s]\n", safe(sourced(n)), n.Code)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(w, "note: %s\n", safe(n.String()))
	}
	if prev != nil && prev.Plan != nil {
		facts := plan.Changes(prev.Plan, p)
		for _, c := range facts {
			fmt.Fprintf(w, "changed: %s\n", safe(c))
		}
		if len(facts) == 0 && slices.ContainsFunc(changes, func(c apply.Change) bool {
			return !c.Own() && (c.Behind || c.Action == apply.Update || c.Action == apply.Merged)
		}) {
			fmt.Fprintln(w, "changed: dockgen's templates (a newer dockgen, or your templates); the code's facts are the same")
		}
	}
}

func sourced(n plan.Note) string {
	if n.Source == "" {
		return n.Text
	}
	return n.Source + ": " + n.Text
}

// printWarnings prints the analysis's warnings, but for those the image
// takes care of (fixed: their sources: loopback binds it pins, code its
// build generates), which need no action.
func printWarnings(io *streams, f *analysis.Facts, fixed []string) {
	for _, w := range f.Warnings {
		if (w.Code == "loopback-bind" || w.Code == "generate-needed") && slices.Contains(fixed, w.Source) {
			continue
		}
		src := w.Source
		if src != "" {
			src += ": "
		}
		fmt.Fprintf(io.err, "warning: %s%s [%s]\n", safe(src), safe(w.Message), w.Code)
	}
	for _, n := range f.CacheNotes {
		fmt.Fprintf(io.err, "module cache: %s\n", safe(n.Message))
	}
}

// apply prints the changes and writes them, unless only asked to show.
func (j *job) apply(changes []apply.Change, p *plan.Plan) error {
	if conflicts := apply.Conflicts(changes); len(conflicts) > 0 {
		for _, c := range conflicts {
			fmt.Fprintf(j.io.err, "conflict: %s: %s\n", c.Path, c.Reason)
			for _, x := range c.Conflicts {
				fmt.Fprint(j.io.err, safe(x.Diff(c.Path)))
			}
		}
		fmt.Fprintf(j.io.err, "dockgen: refusing to overwrite %d file(s) dockgen did not write or you edited; nothing was written.\n  what to do: move them aside, or run again with --force to overwrite them (a path that is unsafe in itself, or a special file, is never written)\n", len(conflicts))
		return silentError{exitError}
	}
	show := j.out.dryRun || j.out.diff || j.out.check
	writes, behind := 0, 0
	var lines []string
	for _, c := range changes {
		if c.Action == apply.Ignored {
			fmt.Fprintf(j.io.err, "warning: %s: %q: %s\n", state.File, c.Path, safe(c.Reason))
			continue
		}
		// The state file alone being behind is no drift: every generated
		// file is what the code needs; the next run records it.
		if c.Writes() && !c.Own() {
			writes++
		}
		if c.Behind {
			behind++
		}
		if j.out.diff {
			j.io.out.Write(apply.Diff(c))
			continue
		}
		verb := string(c.Action)
		if show && c.Writes() {
			verb = "would " + verb
		}
		lines = append(lines, fmt.Sprintf("%-16s %s (%s)", verb, c.Path, c.Reason))
	}
	if j.confirm != nil && !show && slices.ContainsFunc(changes, apply.Change.Writes) {
		if err := j.confirm(summary(p, lines)); err != nil {
			return err
		}
	}
	for _, l := range lines {
		fmt.Fprintln(j.io.out, l)
	}
	switch {
	case j.out.check && writes+behind > 0:
		fmt.Fprintf(j.io.err, "dockgen: %d file(s) out of date; run `dockgen regenerate`\n", writes+behind)
		return silentError{exitError}
	case show:
		return nil
	}
	if err := apply.Write(j.ctx, j.dir, changes); err != nil {
		return err
	}
	if j.next && slices.ContainsFunc(changes, func(c apply.Change) bool { return c.Writes() && !c.Own() }) {
		fmt.Fprint(j.io.err, nextSteps(p))
	}
	return nil
}

// nextSteps is init's closing message: how to go from the files to a
// running, published image.
func nextSteps(p *plan.Plan) string {
	var b strings.Builder
	b.WriteString("\nNext steps:\n")
	if svc := p.ServiceBinaries(); len(svc) > 0 {
		b.WriteString("  docker compose up --build --wait          # build and run every service, hardened\n")
		b.WriteString("  dockgen verify                            # build, run read-only as non-root, probe, report\n")
		s := svc[0]
		if i := slices.IndexFunc(svc, func(b plan.Binary) bool { return b.Port != 0 }); i >= 0 {
			s = svc[i]
		}
		run := "  docker build --target " + s.Name + " -t " + s.Name + " . && docker run --rm --read-only --cap-drop ALL --security-opt no-new-privileges"
		if s.Port != 0 {
			run += fmt.Sprintf(" -p 127.0.0.1:%d:%d", s.HostPort, s.Port)
		}
		b.WriteString(run + " " + s.Name + "\n")
		for _, app := range p.ComposeBinaries() {
			if app.Job {
				fmt.Fprintf(&b, "  docker compose run --rm %s   # a job (not started by up): runs once\n", app.Service)
			}
		}
	} else {
		fmt.Fprintf(&b, "  docker buildx bake %s                   # build the image\n", p.Binaries[0].Name)
	}
	b.WriteString("  REGISTRY=registry.example.com/team VERSION=v1.0.0 docker buildx bake --push   # publish, with semver tags\n")
	b.WriteString("  dockgen pin                               # pin the base images to digests\n")
	return b.String()
}

// summary is what the wizard shows before asking to write.
func summary(p *plan.Plan, lines []string) string {
	var b strings.Builder
	b.WriteString("\nPlan:\n")
	fmt.Fprintf(&b, "  builder   %s (%s)\n", p.Builder.Image, p.Builder.GoWhy)
	fmt.Fprintf(&b, "  base      %s (%s)\n", p.Base.Name, p.BaseWhy)
	for _, bin := range p.Binaries {
		s := fmt.Sprintf("  %-9s %s → %s", bin.Name, bin.Main, bin.Runtime)
		if bin.Port != 0 {
			s += fmt.Sprintf(", port %d", bin.Port)
		}
		if bin.Cgo {
			s += ", cgo (" + bin.CgoLink + ")"
		}
		b.WriteString(safe(s) + "\n")
	}
	if len(p.Platforms) > 0 {
		fmt.Fprintf(&b, "  platforms %s\n", strings.Join(p.Platforms, ", "))
	}
	b.WriteString("Files:\n")
	for _, l := range lines {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r any) (*os.File, bool) {
	f, ok := r.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}
