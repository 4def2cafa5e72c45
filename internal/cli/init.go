package cli

import (
	"slices"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/apply"
	"github.com/spf13/cobra"
)

func newInitCmd(io *streams) *cobra.Command {
	var opts genOptions
	var fl answerFlags
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Analyze a Go module and write its Dockerfile, .dockerignore, compose.yaml and .dockgen.yaml",
		Long: `init analyzes the module in DIR (default: the current directory), asks a few
questions on a terminal (or takes --yes and flags), and writes the container
setup. It refuses to overwrite files it did not write unless --force.`,
		Args: maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir = dirArg(args)
			return runInit(io, opts, fl)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&fl.yes, "yes", "y", false, "accept the defaults from the analysis; ask nothing")
	f.StringArrayVar(&fl.mains, "main", nil, "main package to build (repeatable), e.g. ./cmd/api; default: all")
	f.StringVar(&fl.base, "base", "", "runtime base image: distroless (default), scratch, alpine, debian")
	f.StringArrayVar(&fl.ports, "port", nil, "container port, or NAME=PORT per binary (repeatable)")
	f.BoolVar(&fl.syntax, "syntax-line", false, "add '# syntax=docker/dockerfile:1' (BuildKit then pulls a frontend image)")
	f.BoolVar(&opts.dryRun, "dry-run", false, "show what would be written; write nothing")
	f.BoolVar(&opts.diff, "diff", false, "print a unified diff of what would change; write nothing")
	f.BoolVar(&opts.force, "force", false, "overwrite files dockgen did not write, or that you edited")
	return cmd
}

func runInit(io *streams, opts genOptions, fl answerFlags) error {
	f, err := analysis.Analyze(opts.dir)
	if err != nil {
		return err
	}
	prev, err := answers.Load(opts.dir)
	if err != nil {
		return err
	}
	a := answers.Defaults(f)
	if prev != nil {
		a = prev.Answers
		a.Mains = keepExisting(f, a.Mains)
	}
	if a, err = fl.applyTo(f, a); err != nil {
		return err
	}
	if a, err = askIfInteractive(io, fl, f, a); err != nil {
		return err
	}
	mode := apply.Strict
	if opts.force {
		mode = apply.Force
	}
	return generate(io, opts, f, a, prev, mode)
}

// keepExisting drops saved mains that are gone; if none is left, all mains
// are selected again.
func keepExisting(f *analysis.Facts, dirs []string) []string {
	var out []string
	for _, m := range f.Mains {
		if slices.Contains(dirs, m.Dir) {
			out = append(out, m.Dir)
		}
	}
	if len(out) == 0 {
		return answers.Defaults(f).Mains
	}
	return out
}
