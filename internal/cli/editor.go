package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dockgen/dockgen/internal/apply"
	"github.com/dockgen/dockgen/internal/editor"
	"github.com/dockgen/dockgen/internal/plan"
	"github.com/spf13/cobra"
)

// tasksFile is where VS Code reads a workspace's tasks.
const tasksFile = ".vscode/tasks.json"

func newEditorCmd(io *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "editor",
		Short: "Set up an editor to run dockgen",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var opts editor.Options
	vscode := &cobra.Command{
		Use:   "vscode [DIR]",
		Short: "Write or merge .vscode/tasks.json: dockgen tasks with a problem matcher for doctor",
		Long: `vscode writes DIR/.vscode/tasks.json, or merges dockgen's tasks into the one
there (comments, formatting and your other tasks are kept): init, regenerate,
check (regenerate --check), doctor (findings land in the Problems panel at
their file and line) and verify. Running it again updates dockgen's tasks in
place.`,
		Annotations: map[string]string{writesAnnotation: "yes"},
		Args:        maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := dirArg(args)
			old, err := readSmall(filepath.Join(dir, filepath.FromSlash(tasksFile)))
			if err != nil {
				return err
			}
			merged, err := editor.VSCodeTasks(old, opts)
			if err != nil {
				return fmt.Errorf("%s: %w (fix it, or move it aside to start a new one)", tasksFile, err)
			}
			if bytes.Equal(merged, old) {
				fmt.Fprintf(io.out, "%-16s %s\n", apply.Unchanged, tasksFile)
				return nil
			}
			// Force: merging into the user's file is what they asked for;
			// apply still refuses links, special files and a file edited
			// while we ran.
			changes, err := apply.Decide(dir, []plan.File{{Path: tasksFile, Content: merged}}, nil, apply.Force)
			if err != nil {
				return err
			}
			if c := apply.Conflicts(changes); len(c) > 0 {
				return fmt.Errorf("%s: %s", tasksFile, c[0].Reason)
			}
			for _, c := range changes {
				fmt.Fprintf(io.out, "%-16s %s\n", c.Action, c.Path)
			}
			return apply.Write(cmd.Context(), dir, changes)
		},
	}
	vscode.Flags().BoolVar(&opts.GoRun, "go-run", false, "run dockgen with `go run github.com/dockgen/dockgen/cmd/dockgen` (needs it in your go.mod) instead of a dockgen on PATH")
	cmd.AddCommand(vscode)
	return cmd
}

// readSmall reads a user file dockgen merges into: a missing one is nil; a
// link, a special file or one over apply.MaxSize is refused.
func readSmall(name string) ([]byte, error) {
	fi, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > apply.MaxSize {
		return nil, fmt.Errorf("%s: not a regular file of at most %d bytes; dockgen will not merge into it", name, apply.MaxSize)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, apply.MaxSize))
}
