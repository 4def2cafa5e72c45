package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/spf13/cobra"
)

func newAnalyzeCmd(s *streams) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "analyze [DIR]",
		Short: "Print what dockgen found in the module, each fact with its file:line",
		Args:  maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := analyze(cmd.Context(), dirArg(args))
			if err != nil {
				return err
			}
			maskSecrets(f)
			if asJSON {
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(f); err != nil {
					return err
				}
			} else {
				printFacts(s.out, f)
			}
			for _, n := range f.CacheNotes {
				fmt.Fprintf(s.err, "module cache: %s\n", safe(n.Message))
			}
			// A main that cannot build is an error, after the facts.
			for _, m := range f.Mains {
				if m.Err != nil {
					return m.Err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the facts as JSON (stable schema)")
	return cmd
}

// masked replaces a secret's default: analyze never prints one in clear.
const masked = "********"

// maskSecrets hides the defaults of secret env vars, in text and JSON.
func maskSecrets(f *analysis.Facts) {
	for i := range f.Mains {
		for j := range f.Mains[i].Env {
			if e := &f.Mains[i].Env[j]; e.Secret && e.Default != "" {
				e.Default = masked
			}
		}
	}
}

func printFacts(w io.Writer, f *analysis.Facts) {
	line := func(label, value, src string) {
		if src != "" {
			value += "  (" + src + ")"
		}
		fmt.Fprintf(w, "  %-10s %s\n", label, safeLine(value))
	}
	fmt.Fprintf(w, "module %s\n", safeLine(f.Module))
	line("go", f.Go, f.GoSource)
	if f.Toolchain != "" {
		line("toolchain", f.Toolchain, "")
	}
	line("go.sum", yesNo(f.HasGoSum), "")
	line("vendor", yesNo(f.Vendor), "")
	if len(f.Embed) > 0 {
		line("embed", strings.Join(f.Embed, ", "), "")
	}
	if f.Workspace != "" {
		line("workspace", f.Workspace, "")
	}
	for _, r := range f.ReplaceDirs {
		line("replace", r, "")
	}
	for _, p := range f.PrivateModules {
		line("private", p, "")
	}
	if t := f.BuildTags; t != nil {
		line("tags", strings.Join(t.Tags, ","), t.Source)
	}
	if f.ComposeFile != "" {
		line("compose", f.ComposeFile+" (already there: dockgen writes to it)", "")
	}
	if df := f.Dockerfile; df != nil {
		for _, p := range df.Expose {
			line("dockerfile", fmt.Sprintf("EXPOSE %d in a hand-written Dockerfile", p.Port), p.Source)
		}
	}
	for _, s := range f.ServiceSources {
		line("service", s.Name, s.Source)
	}
	for _, m := range f.Mains {
		fmt.Fprintf(w, "\nmain %s → binary %s  (%s)\n", safeLine(m.Dir), safeLine(m.Name), m.Source)
		if m.Error != "" {
			line("ERROR", m.Error, "")
		}
		for _, l := range m.Listeners {
			v := l.Addr
			if v == "" {
				v = "(address not resolved)"
			}
			if l.PortEnv != "" {
				v += " from $" + l.PortEnv
			}
			if l.Flag != "" {
				v += " from --" + l.Flag
			}
			if l.Subcommand != "" {
				v += " under `" + l.Subcommand + "`"
			}
			if l.Kind != "" {
				v += " (" + l.Kind + ")"
			}
			if l.Unresolved != "" {
				v += " — could not follow " + l.Unresolved
			}
			if l.Loopback {
				v += " LOOPBACK"
			}
			line("listens", v, l.Source)
		}
		for _, e := range m.Env {
			v := e.Name
			if e.HasDefault {
				v += "=" + e.Default
			}
			if e.Secret {
				v += " (secret)"
			}
			if e.Required {
				v += " (required)"
			}
			line("env", v, e.Source)
		}
		if m.HealthPath != "" {
			line("health", m.HealthPath, m.HealthSource)
		} else {
			line("health", "none found", "")
		}
		if m.Cgo {
			line("cgo", "yes: "+m.CgoReason, m.CgoSource)
		} else {
			line("cgo", "no", "")
		}
		for _, r := range m.Reads {
			v := r.Path
			switch {
			case !r.Exists && r.Sample != "":
				v += " (not in the repository; sample: " + r.Sample + ")"
			case !r.Exists:
				v += " (not in the repository)"
			}
			line("reads", v, r.Source)
		}
		for _, w := range m.Writes {
			v := w.Path
			if w.Env != "" {
				v += " (default of $" + w.Env + ")"
			}
			line("writes", v, w.Source)
		}
		for _, n := range m.NeedSources {
			line("needs", n.Need, n.Source)
		}
		line("runs", map[bool]string{true: "long-running service", false: "runs to completion"}[m.LongRunning], "")
	}
	if len(f.Warnings) > 0 {
		fmt.Fprintln(w, "\nwarnings")
		for _, x := range f.Warnings {
			fmt.Fprintf(w, "  %s: %s [%s]\n", safeLine(x.Source), safeLine(x.Message), x.Code)
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// analyze runs the analysis of dir until ctx is cancelled: SIGINT or
// SIGTERM end a long analysis at once (exit 2, nothing written) instead of
// when it is done. The analysis writes nothing but its cache entry, which
// is written whole or not at all.
func analyze(ctx context.Context, dir string) (*analysis.Facts, error) {
	type result struct {
		f   *analysis.Facts
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := analysis.Analyze(dir)
		done <- result{f, err}
	}()
	select {
	case r := <-done:
		return r.f, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
