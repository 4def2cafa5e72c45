// Package cli wires dockgen's commands (cobra) to the flow:
// analysis → answers (wizard/flags) → plan → apply. It holds no logic of
// its own beyond options, exit codes and how results are printed.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/wizard"
	"github.com/spf13/cobra"
)

// Exit codes (design.md §3).
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usageError is a mistake in how dockgen was called: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// silentError carries an exit code for a failure already reported.
type silentError struct{ code int }

func (e silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// streams are the command's standard files.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// Main runs dockgen with args (without the program name) and returns the
// exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	io := &streams{in: stdin, out: stdout, err: stderr}
	root := newRootCmd(io)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	return report(stderr, err)
}

func report(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var silent silentError
	if errors.As(err, &silent) {
		return silent.code
	}
	if errors.Is(err, wizard.ErrInterrupted) || errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "dockgen: interrupted; nothing was written")
		return exitUsage
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "dockgen: %v\nRun 'dockgen --help' for usage.\n", err)
		return exitUsage
	}
	var ie *analysis.InputError
	if errors.As(err, &ie) {
		fmt.Fprintf(stderr, "dockgen: %v\n", err)
		if ie.Hint != "" {
			fmt.Fprintf(stderr, "  what to do: %s\n", ie.Hint)
		}
		fmt.Fprintln(stderr, "  nothing was written")
		return exitError
	}
	fmt.Fprintf(stderr, "dockgen: %v\n", err)
	return exitError
}

func newRootCmd(io *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "dockgen",
		Short: "Turn a Go module into a container setup that builds and starts the first time",
		Long: `dockgen reads a Go module (main packages, cgo, listen addresses, env, Go
version, embeds, runtime needs) and writes a hardened multi-stage Dockerfile,
a .dockerignore, a compose.yaml and, where needed, a health probe file.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newInitCmd(io), newAnalyzeCmd(io), newRegenerateCmd(io), newVersionCmd(io), newVerifyCmd(io))
	return root
}

// dirArg is the optional DIR argument, "." by default.
func dirArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

func maxOneDir(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usagef("%s takes at most one directory, got %d arguments", cmd.Name(), len(args))
	}
	return nil
}
