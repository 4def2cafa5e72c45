package cli

import (
	"fmt"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/apply"
	"github.com/dockgen/dockgen/internal/plan"
	"github.com/dockgen/dockgen/internal/state"
	"github.com/dockgen/dockgen/internal/wizard"
	"github.com/spf13/cobra"
)

// initOptions are init's flags.
type initOptions struct {
	io  *streams
	cmd *cobra.Command
	dir string
	out outputOptions
	yes bool
	// answers as given on the command line, checked before any analysis;
	// given says which fields were set.
	answers answers.Answers
	given   map[string]bool
}

// initFlags are the raw flag values, parsed into initOptions.answers.
type initFlags struct {
	mains, ports, cgo, platforms, private []string
	base, goVersion                       string
	debug, syntax                         bool
}

func newInitCmd(io *streams, runF func(*initOptions) error) *cobra.Command {
	opts := &initOptions{io: io}
	var fl initFlags
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Analyze a Go module and write its Dockerfile, .dockerignore, compose.yaml and .dockgen.yaml",
		Long: `init analyzes the module in DIR (default: the current directory), asks a few
questions on a terminal (or takes --yes and flags), and writes the container
setup. It refuses to overwrite files it did not write unless --force.`,
		Annotations: map[string]string{writesAnnotation: "yes"},
		Args:        maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir, opts.cmd = dirArg(args), cmd
			if err := fl.parse(cmd, opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runInit(opts)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.yes, "yes", "y", false, "accept the defaults from the analysis; ask nothing")
	f.StringArrayVar(&fl.mains, "main", nil, "main package to build (repeatable), e.g. ./cmd/api; default: every one the module ships")
	f.StringVar(&fl.base, "base", "", "runtime base image: "+joinNames(plan.BaseNames()))
	f.BoolVar(&fl.debug, "debug", false, "use the base's debug variant with a shell (distroless :debug-nonroot)")
	f.StringArrayVar(&fl.ports, "port", nil, "container port: PORT when one binary serves, or NAME=PORT (repeatable)")
	f.StringArrayVar(&fl.cgo, "cgo", nil, "NAME=off|glibc|static: how a binary is built with cgo (repeatable)")
	f.StringArrayVar(&fl.platforms, "platform", nil, "target platform for compose (repeatable): linux/amd64, linux/arm64")
	f.StringVar(&fl.goVersion, "go", "", "builder Go version MAJOR.MINOR (default: from go.mod)")
	f.StringArrayVar(&fl.private, "private", nil, "GOPRIVATE pattern for modules the builder downloads with credentials (repeatable)")
	f.BoolVar(&fl.syntax, "syntax-line", false, "add '# syntax=docker/dockerfile:1' (BuildKit then pulls a frontend image)")
	f.StringVar(&opts.out.templates, "templates", "", "directory of templates replacing the built-in ones (default: DIR/.dockgen/templates)")
	f.BoolVar(&opts.out.dryRun, "dry-run", false, "show what would be written; write nothing")
	f.BoolVar(&opts.out.diff, "diff", false, "print a unified diff of what would change; write nothing")
	f.BoolVar(&opts.out.force, "force", false, "overwrite files dockgen did not write, or that you edited")
	return cmd
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s + " (default " + plan.DefaultBase + ")"
}

// parse turns the flags into answers and checks them: every flag error is
// a usage error, found before anything is read.
func (fl initFlags) parse(cmd *cobra.Command, o *initOptions) error {
	a := &o.answers
	o.given = map[string]bool{}
	changed := cmd.Flags().Changed
	for _, v := range fl.mains {
		a.Mains = append(a.Mains, answers.NormalizeMain(v))
	}
	o.given["mains"] = len(fl.mains) > 0
	if fl.base != "" {
		if err := plan.CheckBase(fl.base); err != nil {
			return usageError{fmt.Errorf("--base: %w", err)}
		}
		a.Base = fl.base
	}
	o.given["base"] = changed("base")
	a.Debug, o.given["debug"] = fl.debug, changed("debug")
	for _, v := range fl.ports {
		name, num, _ := answers.ParseNamed(v)
		port, err := answers.ParsePort(num)
		if err != nil {
			return usagef("--port %s: %v; want PORT or NAME=PORT", v, err)
		}
		a.SetPort(name, port)
	}
	o.given["ports"] = len(fl.ports) > 0
	for _, v := range fl.cgo {
		name, mode, named := answers.ParseNamed(v)
		if !named || name == "" {
			return usagef("--cgo %s: want NAME=off|glibc|static", v)
		}
		a.SetCgo(name, mode)
	}
	o.given["cgo"] = len(fl.cgo) > 0
	a.Platforms, o.given["platforms"] = fl.platforms, len(fl.platforms) > 0
	a.Go, o.given["go"] = fl.goVersion, fl.goVersion != ""
	a.Private, o.given["private"] = fl.private, len(fl.private) > 0
	a.SyntaxLine = fl.syntax
	if err := a.Check(); err != nil {
		return usageError{err}
	}
	if o.out.diff && o.out.dryRun {
		return usagef("--diff and --dry-run: choose one")
	}
	if !o.yes {
		if _, ok := isTerminal(o.io.in); !ok {
			return usagef("no terminal to ask questions on: pass --yes to accept the defaults (adjust them with --main, --base, --port)")
		}
		if _, ok := isTerminal(o.io.out); !ok {
			return usagef("no terminal to ask questions on: pass --yes to accept the defaults (adjust them with --main, --base, --port)")
		}
	}
	return nil
}

func runInit(o *initOptions) error {
	mode := apply.Strict
	if o.out.force {
		mode = apply.Force
	}
	j := &job{io: o.io, ctx: o.cmd.Context(), dir: o.dir, out: o.out, mode: mode, flagFields: o.given, next: true}
	if !o.yes {
		in, _ := isTerminal(o.io.in)
		out, _ := isTerminal(o.io.out)
		p := wizard.Survey{In: in, Out: out, Err: o.io.err}
		forced := wizard.Forced{Mains: o.given["mains"], Base: o.given["base"], Debug: o.given["debug"], Ports: o.given["ports"],
			Cgo: o.given["cgo"], Platforms: o.given["platforms"], Go: o.given["go"]}
		j.ask = func(f *analysis.Facts, a answers.Answers) (answers.Answers, error) {
			return wizard.Ask(p, f, a, forced)
		}
		j.confirm = func(s string) error { return wizard.Confirm(p, s) }
	}
	return j.run(o.answers, func(prev *state.Loaded) (answers.Answers, error) {
		if prev == nil {
			return answers.Answers{}, nil
		}
		return prev.Answers, nil
	})
}
