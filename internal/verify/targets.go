package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
)

// Stage is one FROM of a Dockerfile.
type Stage struct {
	Name  string // "" when unnamed
	Image string // what it is FROM
	Line  int    // 1-based line of the FROM
	// Binary is the build output the stage runs: X in
	// `COPY --from=<stage> /out/X /app` (dockgen's shape), else "".
	Binary string
}

// Stages reads the stages of a Dockerfile: enough of the syntax for FROM,
// COPY --from and line continuations, which is all target picking needs.
func Stages(dockerfile []byte) []Stage {
	var stages []Stage
	lines := strings.Split(string(dockerfile), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		for strings.HasSuffix(l, `\`) && i+1 < len(lines) {
			i++
			next := strings.TrimSpace(lines[i])
			if strings.HasPrefix(next, "#") {
				continue
			}
			l = strings.TrimSuffix(l, `\`) + " " + next
		}
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			args := slices.DeleteFunc(f[1:], func(s string) bool { return strings.HasPrefix(s, "--") })
			st := Stage{Line: start}
			if len(args) > 0 {
				st.Image = args[0]
			}
			if len(args) >= 3 && strings.EqualFold(args[1], "AS") {
				st.Name = args[2]
			}
			stages = append(stages, st)
		case "COPY":
			if len(stages) == 0 {
				continue
			}
			var from bool
			var paths []string
			for _, a := range f[1:] {
				if strings.HasPrefix(a, "--from=") {
					from = true
				} else if !strings.HasPrefix(a, "--") {
					paths = append(paths, a)
				}
			}
			if from && len(paths) == 2 && paths[1] == "/app" {
				stages[len(stages)-1].Binary = lastElem(paths[0])
			}
		}
	}
	return stages
}

func lastElem(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

// Target is one image to verify: the stage to build and the main package it
// runs (nil when the Dockerfile does not say).
type Target struct {
	Stage string // "" builds the last stage
	Main  *analysis.Main
}

// Targets picks what to verify: one stage per selected long-running main
// (selected are main dirs as in .dockgen.yaml; nil selects all). A main that
// runs to completion (a migration, a CLI) is not a service and is skipped.
// When the Dockerfile has no stage named for a main (a hand-written one), a
// single long-running main is matched to the last stage.
func Targets(dockerfile []byte, f *analysis.Facts, selected []string) ([]Target, error) {
	stages := Stages(dockerfile)
	if len(stages) == 0 {
		return nil, fmt.Errorf("the Dockerfile has no FROM")
	}
	var mains []*analysis.Main
	for i := range f.Mains {
		m := &f.Mains[i]
		if m.LongRunning && (selected == nil || slices.Contains(selected, m.Dir)) {
			mains = append(mains, m)
		}
	}
	if len(mains) == 0 {
		return nil, fmt.Errorf("no long-running main package to verify (a job that runs to completion is not verified)")
	}
	var out []Target
	var missing []string
	for _, m := range mains {
		if st := stageFor(stages, m); st != "" {
			out = append(out, Target{Stage: st, Main: m})
		} else {
			missing = append(missing, m.Dir)
		}
	}
	if len(missing) > 0 {
		if len(mains) == 1 {
			return []Target{{Main: mains[0]}}, nil
		}
		return nil, fmt.Errorf("no Dockerfile stage runs %s: pass --target STAGE, or run `dockgen regenerate`", strings.Join(missing, ", "))
	}
	return out, nil
}

// stageFor finds the stage that runs m: dockgen names each runtime stage
// after its binary (lowercased, made unique) and copies /out/<stage> to /app.
func stageFor(stages []Stage, m *analysis.Main) string {
	want := strings.ToLower(m.Name)
	var candidates []string
	for _, s := range stages {
		if s.Name == "" || s.Binary == "" {
			continue
		}
		if s.Name == want || s.Binary == want {
			return s.Name
		}
		if strings.HasPrefix(s.Name, want+"-") || strings.HasPrefix(s.Name, "app-"+want) {
			candidates = append(candidates, s.Name)
		}
	}
	if len(candidates) == 1 {
		return candidates[0]
	}
	return ""
}

// MainForStage finds the main that a stage runs (for --target), or nil.
func MainForStage(dockerfile []byte, f *analysis.Facts, stage string) *analysis.Main {
	stages := Stages(dockerfile)
	for i := range f.Mains {
		m := &f.Mains[i]
		if stageFor(stages, m) == stage {
			return m
		}
	}
	return nil
}
