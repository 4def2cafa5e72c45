package cli

import (
	"errors"
	"fmt"
	"slices"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/apply"
	"github.com/dockgen/dockgen/internal/pin"
	"github.com/dockgen/dockgen/internal/plan"
	"github.com/dockgen/dockgen/internal/state"
	"github.com/spf13/cobra"
)

// pinOptions are pin's flags.
type pinOptions struct {
	io      *streams
	cmd     *cobra.Command
	dir     string
	update  bool
	mirrors map[string][]string
}

// daemonConfig is the Docker daemon configuration whose registry-mirrors
// pin uses for Docker Hub (a variable so tests stay off the machine's).
var daemonConfig = pin.DaemonConfig

func newPinCmd(io *streams, runF func(*pinOptions) error) *cobra.Command {
	opts := &pinOptions{io: io}
	var mirrors []string
	cmd := &cobra.Command{
		Use:   "pin [DIR]",
		Short: "Pin every base and service image to the digest its tag points to now",
		Long: `pin resolves every image the saved plan builds from or runs (the builder,
the runtime bases, compose's backing services) to the digest its tag points to
now, through the registry API, records the digests in .dockgen.yaml and
rewrites the Dockerfile and compose.yaml with image:tag@sha256:… (files you
edited are kept, as regenerate keeps them). regenerate keeps the pins.

Images already pinned keep their pin; --update resolves them again and says
which moved. Credentials are your Docker ones (docker login). Docker Hub is
resolved through the Docker daemon's registry-mirrors when
/etc/docker/daemon.json has them (then Docker Hub itself, as the daemon does);
--mirror REGISTRY=MIRROR resolves a registry through a mirror only, e.g.
--mirror docker.io=127.0.0.1:5000/hub --mirror gcr.io=127.0.0.1:5000/gcr.
A mirror serves the same content, so the digest is the same.`,
		Annotations: map[string]string{writesAnnotation: "yes"},
		Args:        maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir, opts.cmd = dirArg(args), cmd
			opts.mirrors = map[string][]string{}
			for _, v := range mirrors {
				reg, m, err := pin.ParseMirror(v)
				if err != nil {
					return usagef("--mirror: %v", err)
				}
				opts.mirrors[reg] = append(opts.mirrors[reg], m)
			}
			if runF != nil {
				return runF(opts)
			}
			return runPin(opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.update, "update", false, "resolve pinned images again and move their pins to the tag's current digest")
	f.StringArrayVar(&mirrors, "mirror", nil, "resolve a registry's images through a mirror only: `REGISTRY=MIRROR`, MIRROR being HOST[:PORT][/PATH], e.g. docker.io=127.0.0.1:5000/hub; repeatable")
	return cmd
}

func runPin(o *pinOptions) error {
	prev, err := state.Load(o.dir)
	if err != nil {
		return err
	}
	if prev == nil {
		return fmt.Errorf("no %s in %s: run `dockgen init` first", state.File, o.dir)
	}
	j := &job{io: o.io, ctx: o.cmd.Context(), dir: o.dir, mode: apply.KeepEdits}
	images, err := planImages(j, prev)
	if err != nil {
		return err
	}
	opt := pin.Options{Mirrors: o.mirrors}
	if len(o.mirrors["docker.io"]) == 0 {
		ms, err := pin.DaemonMirrors(daemonConfig)
		if err != nil {
			fmt.Fprintf(o.io.err, "warning: %s; resolving Docker Hub images without those mirrors\n", safe(err.Error()))
		}
		opt.DaemonMirrors = ms
	}
	r, err := pin.New(opt)
	if err != nil {
		return err
	}
	pins, changes, err := r.Pin(j.ctx, images, prev.Answers.Pins, o.update)
	if err != nil {
		return pinFailed(o.io, err)
	}
	for _, c := range changes {
		fmt.Fprintln(o.io.out, safeLine(c.String()))
	}
	return j.run(answers.Answers{Pins: pins}, func(prev *state.Loaded) (answers.Answers, error) {
		if prev == nil {
			return answers.Answers{}, fmt.Errorf("no %s in %s: run `dockgen init` first", state.File, o.dir)
		}
		return prev.Answers, nil
	})
}

// planImages are the images of the plan the saved answers make from the
// code as it is now: what regenerate would write.
func planImages(j *job, prev *state.Loaded) ([]string, error) {
	f, err := analyze(j.ctx, j.dir)
	if err != nil {
		return nil, err
	}
	a := prev.Answers.Clone()
	// Saved mains that are gone are dropped, as regenerate drops them (it
	// says so when it runs).
	a.Mains = slices.DeleteFunc(a.Mains, func(d string) bool {
		return !slices.ContainsFunc(f.Mains, func(m analysis.Main) bool { return m.Dir == d })
	})
	p, err := plan.Make(f, a)
	if err != nil {
		return nil, j.answerError(err, prev)
	}
	return p.Images(), nil
}

// pinFailed reports each image that could not be resolved, with what to
// do about it.
func pinFailed(io *streams, err error) error {
	for _, e := range leaves(err) {
		fmt.Fprintf(io.err, "dockgen: %s\n", safe(e.Error()))
		var pe *pin.Error
		if errors.As(e, &pe) && pe.Hint != "" {
			fmt.Fprintf(io.err, "  what to do: %s\n", safe(pe.Hint))
		}
	}
	fmt.Fprintln(io.err, "  nothing was written")
	return silentError{exitError}
}

// leaves flattens joined errors down to each image's (and each mirror's).
func leaves(err error) []error {
	if _, ok := err.(*pin.Error); ok {
		return []error{err}
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, leaves(e)...)
	}
	return out
}
