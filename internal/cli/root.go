// Package cli wires dockgen's commands (cobra) to the flow:
// analysis → answers (flags, .dockgen.yaml, wizard) → plan → apply. It
// holds no decisions: each command is an options struct filled by its
// flags, checked before anything is read, and a run function that the
// tests can replace (the runF seam) to table-test flag handling.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/state"
	"github.com/dockgen/dockgen/internal/wizard"
	"github.com/spf13/cobra"
)

// Exit codes (README, Commands).
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

// writesAnnotation marks commands that write files: their errors say that
// nothing was written.
const writesAnnotation = "dockgen.writes"

// Main runs dockgen with args (without the program name) and returns the
// exit code. SIGINT and SIGTERM cancel the run: nothing is written after
// that, and what was staged is removed (exit 2).
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, &streams{in: stdin, out: stdout, err: stderr}, nil)
}

// run executes the command tree; seams replaces run functions in tests.
func run(ctx context.Context, args []string, io *streams, seams *seams) int {
	root := newRootCmd(io, seams)
	root.SetArgs(args)
	root.SetIn(io.in)
	root.SetOut(io.out)
	root.SetErr(io.err)
	cmd, err := root.ExecuteContextC(ctx)
	writes := cmd != nil && cmd.Annotations[writesAnnotation] != ""
	return report(io.err, err, writes)
}

func report(stderr io.Writer, err error, writes bool) int {
	if err == nil {
		return exitOK
	}
	nothing := func() {
		if writes {
			fmt.Fprintln(stderr, "  nothing was written")
		}
	}
	var silent silentError
	if errors.As(err, &silent) {
		return silent.code
	}
	if errors.Is(err, wizard.ErrInterrupted) || errors.Is(err, context.Canceled) {
		fmt.Fprint(stderr, "dockgen: interrupted")
		if writes {
			fmt.Fprint(stderr, "; nothing was written")
		}
		fmt.Fprintln(stderr)
		return exitUsage
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "dockgen: %s\nRun 'dockgen --help' for usage.\n", safe(err.Error()))
		return exitUsage
	}
	var ie *analysis.InputError
	if errors.As(err, &ie) {
		fmt.Fprintf(stderr, "dockgen: %s\n", safe(err.Error()))
		if ie.Hint != "" {
			fmt.Fprintf(stderr, "  what to do: %s\n", safe(ie.Hint))
		}
		nothing()
		return exitError
	}
	var se *state.Error
	if errors.As(err, &se) {
		fmt.Fprintf(stderr, "dockgen: %s\n  what to do: %s\n", safe(err.Error()), state.Hint)
		nothing()
		return exitError
	}
	fmt.Fprintf(stderr, "dockgen: %s\n", safe(err.Error()))
	nothing()
	return exitError
}

// seams are the run functions tests put in place of the real ones.
type seams struct {
	init       func(*initOptions) error
	regenerate func(*regenerateOptions) error
}

func newRootCmd(io *streams, sm *seams) *cobra.Command {
	if sm == nil {
		sm = &seams{}
	}
	root := &cobra.Command{
		Use:   "dockgen",
		Short: "Turn a Go module into a container setup that builds and starts the first time",
		Long: `dockgen reads a Go module (main packages, cgo, listen addresses, env, Go
version, embeds, runtime needs) and writes a hardened multi-stage Dockerfile,
a .dockerignore, a compose.yaml and, where needed, a health probe file.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for dockgen", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.AddCommand(newPinCmd(io, nil))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newInitCmd(io, sm.init), newAnalyzeCmd(io), newRegenerateCmd(io, sm.regenerate),
		newVerifyCmd(io), newDoctorCmd(io), newTemplatesCmd(io), newEditorCmd(io), newVersionCmd(io))
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	}
	return root
}

// dirArg is the optional DIR argument, "." by default.
func dirArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

// noArgs refuses arguments as a usage error (cobra.NoArgs is a plain error).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return nil
}

func maxOneDir(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usagef("%s takes at most one directory, got %d arguments", cmd.Name(), len(args))
	}
	return nil
}

// asUsage turns a bad answer given by a flag into a usage error.
func asUsage(err error) error {
	var ae *answers.Error
	if errors.As(err, &ae) {
		return usageError{err}
	}
	return err
}

// safe makes text from the analyzed code harmless on a terminal: control
// characters and escape sequences are shown escaped, never interpreted.
func safe(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// safeLine is safe for one line: a line break in a value from the code is
// shown escaped too, so it cannot fake a line of dockgen's output.
func safeLine(s string) string {
	return strings.NewReplacer("\n", `\n`, "\t", `\t`).Replace(safe(s))
}
