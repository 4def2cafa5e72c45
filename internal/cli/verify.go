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
	df, err := os.ReadFile(dockerfile)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no Dockerfile in %s: run `dockgen init %s` first", opts.dir, opts.dir)
	}
	if err != nil {
		return fmt.Errorf("read Dockerfile: %w", err)
	}
	f, err := analysis.Analyze(opts.dir)
	if err != nil {
		return err
	}
	targets, err := pickTargets(opts, df, f)
	if err != nil {
		return err
	}

	ctx := cmd.Context()
	runID := verify.NewRunID()
	failed := 0
	for i, t := range targets {
		vo := verify.Options{
			Dir:        opts.dir,
			Dockerfile: dockerfile,
			Target:     t.Stage,
			Port:       opts.port,
			Path:       opts.path,
			RequireOK:  pathGiven,
			Env:        opts.env,
			Timeout:    opts.timeout,
			Keep:       opts.keep,
			Facts:      f,
			Main:       t.Main,
			Progress:   io.err,
			RunID:      runID,
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
		printVerifyReport(io.out, t, r)
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

// pickTargets is --target when given, else one stage per long-running
// binary the answers in .dockgen.yaml select (all of them without it).
func pickTargets(opts verifyOptions, df []byte, f *analysis.Facts) ([]verify.Target, error) {
	if len(opts.targets) > 0 {
		known := map[string]bool{}
		for _, s := range verify.Stages(df) {
			known[s.Name] = true
		}
		var out []verify.Target
		for _, t := range opts.targets {
			if !known[t] {
				var names []string
				for _, s := range verify.Stages(df) {
					if s.Name != "" {
						names = append(names, s.Name)
					}
				}
				return nil, usagef("--target %s: no such stage in the Dockerfile (stages: %s)", t, strings.Join(names, ", "))
			}
			out = append(out, verify.Target{Stage: t, Main: verify.MainForStage(df, f, t)})
		}
		return out, nil
	}
	var selected []string
	state, err := answers.Load(opts.dir)
	if err != nil {
		return nil, err
	}
	if state != nil {
		selected = state.Answers.Mains
	}
	return verify.Targets(df, f, selected)
}

func printVerifyReport(w io.Writer, t verify.Target, r *verify.Report) {
	name := t.Stage
	if name == "" {
		name = "last stage"
		if t.Main != nil {
			name = t.Main.Name + " (last stage)"
		}
	}
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
