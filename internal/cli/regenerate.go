package cli

import (
	"fmt"

	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/apply"
	"github.com/dockgen/dockgen/internal/state"
	"github.com/spf13/cobra"
)

// regenerateOptions are regenerate's flags.
type regenerateOptions struct {
	io   *streams
	cmd  *cobra.Command
	dir  string
	out  outputOptions
	ours bool
}

func newRegenerateCmd(io *streams, runF func(*regenerateOptions) error) *cobra.Command {
	opts := &regenerateOptions{io: io}
	cmd := &cobra.Command{
		Use:   "regenerate [DIR]",
		Short: "Re-analyze with the saved answers and rewrite the files you did not edit",
		Long: `regenerate re-runs the analysis with the answers saved in .dockgen.yaml and
rewrites the files dockgen wrote. Into a file you edited since, it merges
dockgen's change (three-way: your lines stay); an edit that overlaps
dockgen's change is a conflict — nothing is written, --force takes dockgen's
version, --ours keeps yours. It says what changed in the code (a new binary,
a new Go version, cgo). With --check it writes nothing and exits 1 when any
file, edited or not, is behind what the code now needs (for CI).`,
		Annotations: map[string]string{writesAnnotation: "yes"},
		Args:        maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir, opts.cmd = dirArg(args), cmd
			if n := countTrue(opts.out.check, opts.out.diff); n > 1 {
				return usagef("--check and --diff: choose one")
			}
			if opts.out.force && opts.ours {
				return usagef("--force and --ours: choose one")
			}
			if runF != nil {
				return runF(opts)
			}
			return runRegenerate(opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.out.check, "check", false, "write nothing; exit 1 when any file would change")
	f.BoolVar(&opts.out.diff, "diff", false, "print a unified diff of what would change; write nothing")
	f.BoolVar(&opts.out.force, "force", false, "take dockgen's version of files you edited")
	f.BoolVar(&opts.ours, "ours", false, "keep your version of files you edited, and record it as accepted")
	f.StringVar(&opts.out.templates, "templates", "", "directory of templates replacing the built-in ones (default: DIR/.dockgen/templates)")
	return cmd
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func runRegenerate(o *regenerateOptions) error {
	mode := apply.KeepEdits
	switch {
	case o.out.force:
		mode = apply.Force
	case o.ours:
		mode = apply.Ours
	}
	j := &job{io: o.io, ctx: o.cmd.Context(), dir: o.dir, out: o.out, mode: mode}
	return j.run(answers.Answers{}, func(prev *state.Loaded) (answers.Answers, error) {
		if prev == nil {
			return answers.Answers{}, fmt.Errorf("no %s in %s: run `dockgen init` first", state.File, o.dir)
		}
		return prev.Answers, nil
	})
}
