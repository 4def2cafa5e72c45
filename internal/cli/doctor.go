package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/apply"
	"github.com/dockgen/dockgen/internal/doctor"
	"github.com/dockgen/dockgen/internal/plan"
	"github.com/dockgen/dockgen/internal/state"
	"github.com/spf13/cobra"
)

func newDoctorCmd(io *streams) *cobra.Command {
	var format string
	var fix bool
	cmd := &cobra.Command{
		Use:   "doctor [DIR] [FILE...]",
		Short: "Lint a Dockerfile, .dockerignore and compose file against the module and the ways Go images fail",
		Long: `doctor checks the container files in DIR (default: the current directory) —
hand-written or generated — against what the module needs (its main packages,
cgo, ports, loopback binds, required env, embeds, Go version) and against the
failures dockgen exists to prevent, plus BuildKit's full build-check rule set.
Name files to check others than the usual ones. Each finding has a stable rule
ID (DG101…), a severity, file:line:col and a one-line fix; docs/doctor.md lists
them. --fix applies the safe fixes (exec form, USER, .dockerignore lines).
Exit 1 when an error-level rule fires.`,
		Example: `  dockgen doctor
  dockgen doctor --format gnu          # for editors (dockgen editor vscode)
  dockgen doctor . deploy/Dockerfile --format sarif`,
		Annotations: map[string]string{writesAnnotation: "yes"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(doctor.Formats, format) {
				return usagef("--format %s: choose one of %s", format, strings.Join(doctor.Formats, ", "))
			}
			dir, names := ".", args
			if len(args) > 0 {
				if fi, err := os.Stat(args[0]); err == nil && fi.IsDir() {
					dir, names = args[0], args[1:]
				}
			}
			files, err := doctor.FilesFromArgs(names)
			if err != nil {
				return usageError{err}
			}
			exp := expectFor(cmd.Context(), io, dir)
			if err := cmd.Context().Err(); err != nil {
				return err
			}
			r, err := doctor.Check(dir, files, exp)
			if err != nil {
				if errors.Is(err, doctor.ErrNoFiles) {
					return fmt.Errorf("%w: run `dockgen init` to write them", err)
				}
				return err
			}
			if fix {
				if r, err = fixFindings(cmd, io, dir, files, exp, r); err != nil {
					return err
				}
			}
			if err := r.Write(io.out, format); err != nil {
				return err
			}
			if r.HasErrors() {
				return silentError{exitError}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: "+strings.Join(doctor.Formats, ", "))
	cmd.Flags().BoolVar(&fix, "fix", false, "apply the safe fixes, then report what is left")
	return cmd
}

// fixFindings writes doctor's safe fixes (through apply: all or nothing,
// never through a link) and checks again.
func fixFindings(cmd *cobra.Command, io *streams, dir string, files doctor.Files, exp *doctor.Expect, r doctor.Report) (doctor.Report, error) {
	fixed, err := doctor.Fix(dir, r)
	if err != nil || len(fixed) == 0 {
		return r, err
	}
	var planned []plan.File
	for _, p := range sortedPaths(fixed) {
		planned = append(planned, plan.File{Path: p, Content: fixed[p]})
	}
	// Force: fixing the user's file is what --fix asks for.
	changes, err := apply.Decide(dir, planned, nil, apply.Force)
	if err != nil {
		return r, err
	}
	if c := apply.Conflicts(changes); len(c) > 0 {
		return r, fmt.Errorf("--fix %s: %s", c[0].Path, c[0].Reason)
	}
	if err := apply.Write(cmd.Context(), dir, changes); err != nil {
		return r, err
	}
	for _, c := range changes {
		fmt.Fprintf(io.err, "fixed %s\n", c.Path)
	}
	return doctor.Check(dir, files, exp)
}

func sortedPaths(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// expectFor is what the module needs, from its plan (with the answers saved
// in .dockgen.yaml, if any). Without a module, or when it cannot be planned,
// doctor runs only the rules that need nothing but the files.
func expectFor(ctx context.Context, io *streams, dir string) *doctor.Expect {
	f, err := analyze(ctx, dir)
	if err != nil {
		fmt.Fprintf(io.err, "note: no module facts (%s): only the file rules run\n", safe(err.Error()))
		return nil
	}
	var a answers.Answers
	if st, err := state.Load(dir); err == nil && st != nil {
		a = st.Answers
	}
	p, err := plan.Make(f, a)
	if err != nil {
		fmt.Fprintf(io.err, "note: the module cannot be planned (%s): only the file rules run\n", safe(err.Error()))
		return nil
	}
	return expectation(f, p)
}

// expectation maps the plan's decisions (and the facts behind them) to
// doctor's input.
func expectation(f *analysis.Facts, p *plan.Plan) *doctor.Expect {
	exp := &doctor.Expect{Module: f.Module, GoVersion: goMinor(f.Go), GoSource: f.GoSource, Embeds: f.Embed}
	for _, s := range p.Services {
		exp.Services = append(exp.Services, s.Kind)
	}
	for _, b := range p.Binaries {
		i := slices.IndexFunc(f.Mains, func(m analysis.Main) bool { return m.Dir == b.Main })
		if i < 0 {
			continue
		}
		m := f.Mains[i]
		db := doctor.Binary{Name: b.Name, Dir: b.Main, Port: b.Port, PortSource: b.PortSource, LongRunning: b.LongRunning,
			Cgo: b.Cgo && b.CgoLink == answers.CgoGlibc, CgoReason: b.CgoReason, CgoSource: m.CgoSource}
		pinned := map[string]bool{}
		for _, e := range b.Env {
			pinned[e.Name] = true
		}
		for _, l := range m.Listeners {
			if l.Loopback && !(l.PortEnv != "" && pinned[l.PortEnv]) {
				db.Loopback = append(db.Loopback, l.Source)
			}
		}
		for _, e := range m.Env {
			if e.Secret {
				db.SecretEnv = append(db.SecretEnv, e.Name)
			}
			if !e.HasDefault && !pinned[e.Name] {
				db.RequiredEnv = append(db.RequiredEnv, doctor.EnvRef{Name: e.Name, Source: e.Source})
			}
		}
		exp.Binaries = append(exp.Binaries, db)
	}
	return exp
}

// goMinor is "1.25" of go.mod's go line: the builder's real minimum (the
// official images set GOTOOLCHAIN=local).
func goMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return ""
	}
	minor := parts[1]
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = minor[:i]
	}
	return path.Join(parts[0]) + "." + minor
}
