// Package wizard asks the user for answers on a terminal (facts → answers,
// interactively), with every default taken from the plan those answers
// would make: pressing Enter at every question gives the same answers —
// and so the same files, byte for byte — as `--yes`.
//
// It talks to a small Prompter interface; the only file that knows the
// terminal library (survey, unmaintained upstream) is survey.go, so the
// library can be swapped without touching the questions.
package wizard

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/plan"
)

// ErrInterrupted is returned when the user cancels a question (Ctrl-C) or
// declines to write.
var ErrInterrupted = errors.New("interrupted")

// Prompter asks one question at a time.
type Prompter interface {
	MultiSelect(msg, help string, options, defaults []string) ([]string, error)
	Select(msg, help string, options []string, def string) (string, error)
	Input(msg, help, def string) (string, error)
	Confirm(msg, help string, def bool) (bool, error)
	// Say shows text that needs no answer (the summary).
	Say(text string)
}

// Forced are the answers given on the command line: their questions are
// not asked.
type Forced struct {
	Mains, Base, Debug, Ports, Cgo, Platforms, Go bool
}

// wizard is one run of the questions.
type wizard struct {
	p      Prompter
	f      *analysis.Facts
	a      answers.Answers
	forced Forced
}

// Ask runs the questions, starting from a (flags and saved answers), and
// returns the answers. Each question's default is the current plan's
// decision, and a choice equal to it is not recorded.
func Ask(p Prompter, f *analysis.Facts, a answers.Answers, forced Forced) (answers.Answers, error) {
	w := &wizard{p: p, f: f, a: a.Clone(), forced: forced}
	for _, q := range []func() error{w.mains, w.cgo, w.base, w.debug, w.platforms, w.goVersion, w.ports} {
		if err := q(); err != nil {
			return a, err
		}
	}
	return w.a, nil
}

// plan is the plan of the answers so far.
func (w *wizard) plan() (*plan.Plan, error) { return plan.Make(w.f, w.a) }

func (w *wizard) mains() error {
	pl, err := w.plan()
	if err != nil || w.forced.Mains || len(pl.Candidates) < 2 {
		return err
	}
	var opts, defs, std []string
	var help strings.Builder
	help.WriteString("one image target per binary; long-running ones also get a compose service\n")
	for _, c := range pl.Candidates {
		opts = append(opts, c.Dir)
		if c.Selected {
			defs = append(defs, c.Dir)
		}
		if c.Default {
			std = append(std, c.Dir)
		}
		kind := "runs to completion"
		if c.Serves {
			kind = "long-running"
		}
		fmt.Fprintf(&help, "%s → %s (%s)", c.Dir, c.Name, kind)
		if c.Why != "" {
			fmt.Fprintf(&help, ", not selected by default: %s", c.Why)
		}
		help.WriteString("\n")
	}
	sel, err := w.p.MultiSelect("Which binaries go into images?", help.String(), opts, defs)
	if err != nil {
		return err
	}
	if len(sel) == 0 {
		return fmt.Errorf("no binary selected")
	}
	slices.Sort(sel)
	slices.Sort(std)
	if len(w.a.Mains) == 0 && slices.Equal(sel, std) {
		return nil // the default: keep following the code
	}
	w.a.Mains = sel
	return nil
}

func (w *wizard) cgo() error {
	pl, err := w.plan()
	if err != nil || w.forced.Cgo {
		return err
	}
	for _, b := range pl.Binaries {
		if !b.Cgo {
			continue
		}
		help := fmt.Sprintf("%s needs cgo: %s\n%s: dynamically linked; runs on a base with glibc (distroless base, debian)\n%s: -linkmode external -extldflags -static; runs on any base, even scratch\n%s: CGO_ENABLED=0 — only if that dependency is not really linked (a cgo driver built without cgo is a stub that fails at run time)",
			b.Name, b.CgoReason, answers.CgoGlibc, answers.CgoStatic, answers.CgoOff)
		v, err := w.p.Select(fmt.Sprintf("How is %s linked?", b.Name), help, answers.CgoModes[1:], b.CgoLink)
		if err != nil {
			return err
		}
		if v != b.CgoLink {
			w.a.SetCgo(b.Name, v)
		}
	}
	return nil
}

func (w *wizard) base() error {
	pl, err := w.plan()
	if err != nil || w.forced.Base {
		return err
	}
	glibc := slices.ContainsFunc(pl.Binaries, func(b plan.Binary) bool { return b.Cgo && b.CgoLink == answers.CgoGlibc })
	var opts []string
	var help strings.Builder
	for _, b := range plan.Bases {
		if glibc && !b.RunsGlibc() {
			continue // never offered for a glibc binary
		}
		opts = append(opts, b.Name)
		fmt.Fprintf(&help, "%s: %s\n", b.Name, baseLine(b, glibc))
	}
	v, err := w.p.Select("Runtime base image?", help.String(), opts, pl.Base.Name)
	if err != nil {
		return err
	}
	if v != pl.Base.Name || w.a.Base != "" {
		w.a.Base = v
	}
	return nil
}

// baseLine is one base in the wizard: what it carries and its size.
func baseLine(b plan.Base, glibc bool) string {
	carries := []string{"libc: " + b.Libc, "shell: " + yesNo(b.Shell)}
	for _, n := range []string{plan.NeedCA, plan.NeedTZ} {
		if slices.Contains(b.Has, n) {
			carries = append(carries, n+": yes")
		} else {
			carries = append(carries, n+": copied in when needed")
		}
	}
	size := b.SizeMB
	if glibc {
		size = b.GlibcSizeMB
	}
	return fmt.Sprintf("%s (%s; image ≈ %s MB + your binary)", b.Summary, strings.Join(carries, ", "), strconv.FormatFloat(size, 'f', -1, 64))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (w *wizard) debug() error {
	pl, err := w.plan()
	if err != nil || w.forced.Debug || pl.Base.DebugImage == "" {
		return err
	}
	v, err := w.p.Confirm("Use the debug variant with a shell?",
		fmt.Sprintf("%s adds busybox for `docker exec … sh`; the default has no shell, which is safer", pl.Base.DebugImage), pl.Debug)
	if err != nil {
		return err
	}
	w.a.Debug = v
	return nil
}

// native is the platforms answer "build for the engine's own platform".
const native = "native (the engine's own)"

func (w *wizard) platforms() error {
	pl, err := w.plan()
	if err != nil || w.forced.Platforms {
		return err
	}
	both := strings.Join(answers.Platforms, " + ")
	opts := append(append([]string{native}, answers.Platforms...), both)
	def := native
	if len(pl.Platforms) > 0 {
		def = strings.Join(pl.Platforms, " + ")
	}
	v, err := w.p.Select("Target platforms?", "compose builds for these (build.platforms); building two platforms needs a builder that can (docker buildx create --use)", opts, def)
	if err != nil {
		return err
	}
	switch v {
	case def:
	case native:
		w.a.Platforms = nil
	default:
		w.a.Platforms = strings.Split(v, " + ")
	}
	return nil
}

func (w *wizard) goVersion() error {
	pl, err := w.plan()
	if err != nil || w.forced.Go || w.f.Toolchain == "" || w.f.Go == "" {
		return err
	}
	goMM, tcMM := majorMinor(w.f.Go), majorMinor(strings.TrimPrefix(w.f.Toolchain, "go"))
	if goMM == "" || tcMM == "" || goMM == tcMM {
		return nil
	}
	opts := []string{pl.Builder.GoVersion}
	for _, v := range []string{tcMM, goMM} {
		if !slices.Contains(opts, v) {
			opts = append(opts, v)
		}
	}
	help := fmt.Sprintf("go.mod says go %s (%s) and toolchain %s (%s); the builder must be at least the go line", w.f.Go, w.f.GoSource, w.f.Toolchain, w.f.ToolchainSource)
	v, err := w.p.Select("Builder Go version?", help, opts, pl.Builder.GoVersion)
	if err != nil {
		return err
	}
	if v != pl.Builder.GoVersion {
		w.a.Go = v
	}
	return nil
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return ""
	}
	minor := strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = minor[:i]
	}
	if minor == "" {
		return ""
	}
	return parts[0] + "." + minor
}

func (w *wizard) ports() error {
	pl, err := w.plan()
	if err != nil || w.forced.Ports {
		return err
	}
	for _, b := range pl.Binaries {
		if b.Port == 0 {
			continue
		}
		help := "found at " + b.PortSource
		if b.PortGuessed || b.PortSource == "" {
			help = "not found in the code: 8080 is a guess"
		}
		for {
			v, err := w.p.Input(fmt.Sprintf("Container port for %s?", b.Name), help, strconv.Itoa(b.Port))
			if err != nil {
				return err
			}
			port, perr := answers.ParsePort(v)
			if perr != nil {
				help = fmt.Sprintf("port %s — enter a number 1-65535", perr)
				continue // re-ask
			}
			if _, set := w.a.Ports[b.Name]; port != b.Port || set {
				w.a.SetPort(b.Name, port)
			}
			break
		}
	}
	return nil
}

// Confirm shows the summary and asks before anything is written; no means
// nothing is written (ErrInterrupted).
func Confirm(p Prompter, summary string) error {
	p.Say(summary)
	ok, err := p.Confirm("Write these files?", "nothing is written until you say yes", true)
	if err != nil {
		return err
	}
	if !ok {
		return ErrInterrupted
	}
	return nil
}
