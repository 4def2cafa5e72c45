package cli

import (
	"fmt"
	"path"

	"github.com/dockgen/dockgen/internal/apply"
	"github.com/dockgen/dockgen/internal/plan"
	"github.com/dockgen/dockgen/templates"
	"github.com/spf13/cobra"
)

func newTemplatesCmd(io *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "templates",
		Short: "Work with the templates dockgen renders",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var force bool
	export := &cobra.Command{
		Use:   "export [DIR]",
		Short: "Write the built-in templates to DIR/.dockgen/templates/ to customise them",
		Long: `export writes the built-in templates to DIR/.dockgen/templates/ (default DIR:
the current directory). From then on init and regenerate render those files
instead of the built-in ones, with the same data (the plan, see
docs/templates.md) and sprig's repeatable functions. Delete a file to go back
to the built-in template. Existing files are kept unless --force.`,
		Annotations: map[string]string{writesAnnotation: "yes"},
		Args:        maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := dirArg(args)
			var files []plan.File
			for _, name := range templates.Names {
				b, err := templates.Source(name)
				if err != nil {
					return err
				}
				files = append(files, plan.File{Path: path.Join(defaultTemplates, name), Content: b})
			}
			mode := apply.Strict
			if force {
				mode = apply.Force
			}
			changes, err := apply.Decide(dir, files, nil, mode)
			if err != nil {
				return err
			}
			if c := apply.Conflicts(changes); len(c) > 0 {
				for _, x := range c {
					fmt.Fprintf(io.err, "conflict: %s: %s\n", x.Path, x.Reason)
				}
				return fmt.Errorf("refusing to overwrite %d template(s); nothing was written (--force overwrites)", len(c))
			}
			for _, c := range changes {
				fmt.Fprintf(io.out, "%-16s %s\n", c.Action, c.Path)
			}
			return apply.Write(cmd.Context(), dir, changes)
		},
	}
	export.Flags().BoolVar(&force, "force", false, "overwrite existing template files")
	cmd.AddCommand(export)
	return cmd
}
