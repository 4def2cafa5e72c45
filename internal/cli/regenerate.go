package cli

import (
	"fmt"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/apply"
	"github.com/spf13/cobra"
)

func newRegenerateCmd(io *streams) *cobra.Command {
	var opts genOptions
	cmd := &cobra.Command{
		Use:   "regenerate [DIR]",
		Short: "Re-analyze with the saved answers and rewrite the files you did not edit",
		Long: `regenerate re-runs the analysis with the answers saved in .dockgen.yaml and
rewrites only the files dockgen wrote and you did not edit since. With --check
it writes nothing and exits 1 when anything would change (for CI).`,
		Args: maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir = dirArg(args)
			return runRegenerate(io, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.check, "check", false, "write nothing; exit 1 when any file would change")
	f.BoolVar(&opts.diff, "diff", false, "print a unified diff of what would change; write nothing")
	f.BoolVar(&opts.force, "force", false, "also overwrite files you edited")
	return cmd
}

func runRegenerate(io *streams, opts genOptions) error {
	f, err := analysis.Analyze(opts.dir)
	if err != nil {
		return err
	}
	prev, err := answers.Load(opts.dir)
	if err != nil {
		return err
	}
	if prev == nil {
		return fmt.Errorf("no %s in %s: run `dockgen init` first", answers.StateFile, opts.dir)
	}
	a := prev.Answers
	a.Mains = keepExisting(f, a.Mains)
	mode := apply.KeepEdits
	if opts.force {
		mode = apply.Force
	}
	return generate(io, opts, f, a, prev, mode)
}
