package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/plan"
	"github.com/dockgen/dockgen/internal/state"
	"github.com/dockgen/dockgen/internal/verify"
	"github.com/spf13/cobra"
)

// verifyOptions are verify's flags.
type verifyOptions struct {
	dir     string
	targets []string
	env     []string
	path    string
	port    int
	timeout time.Duration
	keep    bool
	verbose bool
}

func newVerifyCmd(io *streams) *cobra.Command {
	var opts verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [DIR]",
		Short: "Build the image with the local Docker, run it hardened, wait for healthy, probe it, clean up",
		Long: `verify proves the container setup in DIR (default: the current directory) on
your local Docker engine. For each long-running binary it builds the Dockerfile's
stage with BuildKit, runs it the way compose.yaml does (--read-only, --cap-drop
ALL, no-new-privileges, a tmpfs /tmp, the image's own non-root user, the port
published on 127.0.0.1 only), waits for the health check, sends GET / from the
host, stops it and removes what it created. It prints the image and binary
size, build time, time to healthy, user and ports; on a failure, the exit
code, last log lines, health check output and the likely cause. Exit 0 when
every target passed, 1 otherwise.`,
		Example: `  dockgen verify
  dockgen verify examples/envconfig --env API_TOKEN=test
  dockgen verify --target api --path /healthz --timeout 2m`,
		Args: maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir = dirArg(args)
			return runVerify(cmd, io, opts, cmd.Flags().Changed("path"))
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.targets, "target", nil, "Dockerfile stage to verify (repeatable); default: one per long-running binary")
	f.StringArrayVarP(&opts.env, "env", "e", nil, "NAME=VALUE for the container, or NAME to pass it from your environment (repeatable)")
	f.StringVar(&opts.path, "path", "/", "HTTP path to request from the host; when given, it must answer 2xx or 3xx")
	f.IntVar(&opts.port, "port", 0, "container port to probe (default: the image's EXPOSEd port)")
	f.DurationVar(&opts.timeout, "timeout", 60*time.Second, "how long to wait for the container to become healthy")
	f.BoolVar(&opts.keep, "keep", false, "keep the built image (tagged dockgen-verify-<stage>:<run id>)")
	f.BoolVarP(&opts.verbose, "verbose", "v", false, "show docker build's output as it runs")
	return cmd
}

func runVerify(cmd *cobra.Command, io *streams, opts verifyOptions, pathGiven bool) error {
	if opts.timeout <= 0 {
		return usagef("--timeout must be positive, got %s", opts.timeout)
	}
	if opts.port < 0 || opts.port > 65535 {
		return usagef("--port %d is out of range 1-65535", opts.port)
	}
	for _, e := range opts.env {
		if name, _, _ := strings.Cut(e, "="); name == "" {
			return usagef("--env %q: want NAME=VALUE or NAME", e)
		}
	}
	dockerfile := filepath.Join(opts.dir, "Dockerfile")
	if _, err := os.Stat(dockerfile); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no Dockerfile in %s: run `dockgen init %s` first", opts.dir, opts.dir)
	}
	f, err := analyze(cmd.Context(), opts.dir)
	if err != nil {
		return err
	}
	st, err := state.Load(opts.dir)
	if err != nil {
		return err
	}
	targets, err := pickTargets(opts, st, f)
	if err != nil {
		return err
	}
	// The build context: the module, or the wider one the plan chose.
	context := opts.dir
	if st != nil && st.Plan != nil {
		context = filepath.Join(opts.dir, filepath.FromSlash(st.Plan.Builder.Context))
	}

	ctx := cmd.Context()
	runID := verify.NewRunID()
	failed := 0
	for i, t := range targets {
		vo := verify.Options{
			Dir:        context,
			Dockerfile: dockerfile,
			Target:     t.stage,
			Port:       opts.port,
			Path:       opts.path,
			RequireOK:  pathGiven,
			Env:        opts.env,
			Timeout:    opts.timeout,
			Keep:       opts.keep,
			Facts:      f,
			Main:       t.main,
			Progress:   io.err,
			RunID:      runID,
		}
		if vo.Port == 0 && t.bin != nil {
			vo.Port = t.bin.Port
		}
		if opts.verbose {
			vo.BuildLog = io.err
		}
		r, err := verify.Run(ctx, vo)
		if err != nil {
			if r != nil && ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if i > 0 {
			fmt.Fprintln(io.out)
		}
		printVerifyReport(io.out, t.label(), r)
		if !r.OK {
			failed++
		}
	}
	if failed > 0 {
		if len(targets) > 1 {
			fmt.Fprintf(io.err, "dockgen: %d of %d targets failed verification\n", failed, len(targets))
		}
		return silentError{exitError}
	}
	return nil
}

// target is one image to verify: a stage of the Dockerfile, with the
// plan's decisions for it and the facts that explain a failure.
type target struct {
	stage string // "" builds the last stage
	bin   *plan.Binary
	main  *analysis.Main
}

func (t target) label() string {
	switch {
	case t.stage != "":
		return t.stage
	case t.main != nil:
		return t.main.Name + " (last stage)"
	}
	return "last stage"
}

// pickTargets reads the targets from the plan saved in .dockgen.yaml: every
// long-running binary, or those --target names (a binary name or main
// package dir). Without a saved plan (a hand-written Dockerfile) it builds
// what --target names, else the last stage: it never guesses stage names.
func pickTargets(opts verifyOptions, st *state.Loaded, f *analysis.Facts) ([]target, error) {
	mainOf := func(dir string) *analysis.Main {
		for i := range f.Mains {
			if f.Mains[i].Dir == dir {
				return &f.Mains[i]
			}
		}
		return nil
	}
	if st == nil || st.Plan == nil {
		var long []*analysis.Main
		for i := range f.Mains {
			if f.Mains[i].LongRunning {
				long = append(long, &f.Mains[i])
			}
		}
		var only *analysis.Main
		if len(long) == 1 {
			only = long[0]
		}
		if len(opts.targets) == 0 {
			return []target{{main: only}}, nil
		}
		var out []target
		for _, t := range opts.targets {
			out = append(out, target{stage: t, main: only})
		}
		return out, nil
	}
	p := st.Plan
	if len(opts.targets) == 0 {
		var out []target
		for _, b := range p.ServiceBinaries() {
			out = append(out, target{stage: b.Name, bin: &b, main: mainOf(b.Main)})
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("no long-running binary to verify (a job that runs to completion is not verified); binaries: %s", strings.Join(p.BinaryNames(), ", "))
		}
		return out, nil
	}
	var out []target
	for _, t := range opts.targets {
		b := p.Binary(t)
		if b == nil {
			b = p.BinaryFor(answers.NormalizeMain(t))
		}
		if b == nil {
			return nil, usagef("--target %s: no such binary in the plan (binaries: %s)", t, strings.Join(p.BinaryNames(), ", "))
		}
		out = append(out, target{stage: b.Name, bin: b, main: mainOf(b.Main)})
	}
	return out, nil
}

func printVerifyReport(w io.Writer, name string, r *verify.Report) {
	status := "ok"
	if !r.OK {
		status = "FAILED"
	}
	fmt.Fprintf(w, "verify %s: %s\n", name, status)
	line := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-12s %s\n", label, fmt.Sprintf(format, args...))
	}
	if r.ImageID != "" {
		kept := "removed"
		if r.Kept {
			kept = "kept"
		}
		line("image", "%s (%s %s)", humanBytes(r.ImageSize), r.Image, kept)
		if r.BinarySize > 0 {
			line("binary", "%s (%s); the image adds %s to it", humanBytes(r.BinarySize), r.Binary, humanBytes(r.ImageSize-r.BinarySize))
		}
	}
	line("build", "%s", roundDuration(r.BuildTime))
	if r.TimeToHealthy > 0 {
		label, what := "healthy", ""
		if !r.Healthcheck {
			label, what = "ready", " (no HEALTHCHECK: kept running)"
			if r.Port != 0 {
				what = " (no HEALTHCHECK: first answer from the host)"
			}
		}
		line(label, "after %s%s", roundDuration(r.TimeToHealthy), what)
	}
	if r.User != "" || r.UID != "" {
		u := r.User
		if u == "" {
			u = "(none: root)"
		}
		if r.UID != "" {
			u += ", uid " + r.UID
		}
		if r.NonRoot {
			u += ", non-root"
		} else {
			u += ", ROOT"
		}
		line("user", "%s", u)
	}
	if len(r.ExposedPorts) > 0 {
		p := strings.Join(r.ExposedPorts, ", ")
		if r.HostAddr != "" {
			p += fmt.Sprintf(" (%d published at %s)", r.Port, r.HostAddr)
		}
		line("ports", "%s", p)
	} else if r.ImageID != "" {
		line("ports", "none exposed")
	}
	if p := r.Probe; p != nil {
		path := strings.TrimPrefix(p.URL, "http://"+r.HostAddr)
		if p.Status != 0 {
			line("probe", "GET %s → %s: %s", path, p.StatusText, p.FirstLine())
		} else {
			line("probe", "GET %s → no answer: %s", path, p.Err)
		}
	}
	if r.Stopped {
		s := fmt.Sprintf("%s, exit code %d", roundDuration(r.StopTime), r.ExitCode)
		if r.Killed {
			s += " (killed after the grace period)"
		}
		line("stop", "%s", s)
	}
	for _, n := range r.Notes {
		line("note", "%s", n)
	}
	for _, p := range r.Problems {
		line("problem", "%s", p)
	}
	d := r.Diagnosis
	if d == nil {
		return
	}
	fmt.Fprintf(w, "  diagnosis (failed at %s)\n", d.Stage)
	for _, c := range d.Causes {
		fmt.Fprintf(w, "    likely cause: %s\n", c)
	}
	if len(d.Causes) == 0 {
		fmt.Fprintf(w, "    likely cause: not recognized; read the output below\n")
	}
	if d.Stage != "build" {
		switch {
		case d.Running:
			fmt.Fprintf(w, "    exit code: none (it was still running)\n")
		case d.StateError != "" && d.ExitCode == 0:
			fmt.Fprintf(w, "    engine error: %s\n", d.StateError)
		default:
			oom := ""
			if d.OOMKilled {
				oom = " (out of memory)"
			}
			fmt.Fprintf(w, "    exit code: %d%s\n", d.ExitCode, oom)
		}
	}
	block := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(w, "    %s:\n", title)
		for _, l := range lines {
			fmt.Fprintf(w, "      | %s\n", l)
		}
	}
	block("health check output", d.HealthLog)
	block(fmt.Sprintf("logs (last %d lines)", len(d.Logs)), d.Logs)
	block(fmt.Sprintf("build output (last %d lines)", len(d.BuildLog)), d.BuildLog)
	if d.Stage != "build" && len(d.Logs) == 0 {
		fmt.Fprintf(w, "    logs: (none)\n")
	}
}

// humanBytes formats bytes the way docker does (decimal units).
func humanBytes(b int64) string {
	switch {
	case b >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(b)/1e9)
	case b >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(b)/1e6)
	case b >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(b)/1e3)
	}
	return fmt.Sprintf("%d B", b)
}

func roundDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
