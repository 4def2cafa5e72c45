// Package lint checks generated or hand-written container files with the
// tools the field trusts: BuildKit's Dockerfile parser and build-check rules,
// and compose-go.
//
// Everything runs in-process and offline: base images are "resolved" by a
// stub that answers every reference with a minimal image config, so linting
// never touches a registry or a Docker daemon.
package lint

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
)

// Warning is one BuildKit build-check finding.
type Warning struct {
	RuleName    string // e.g. "FromAsCasing"
	Description string // the rule's one-line description
	Detail      string // the finding, as `docker build --check` prints it
	URL         string // the rule's documentation page
	Line        int    // 1-based line in the Dockerfile; 0 when unknown
	Column      int    // 0-based character offset on Line, as BuildKit reports it
}

func (w Warning) String() string {
	return fmt.Sprintf("Dockerfile:%d: %s: %s", w.Line, w.RuleName, w.Detail)
}

// BuildError is a Dockerfile that BuildKit refuses outright (a parse error,
// an unknown instruction, a blank base name, ...), with where it failed.
type BuildError struct {
	Message string
	Line    int // 1-based; 0 when BuildKit gave no location
}

func (e *BuildError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("Dockerfile:%d: %s", e.Line, e.Message)
	}
	return "Dockerfile: " + e.Message
}

// Dockerfile runs BuildKit's whole build-check rule set, experimental rules
// included, on content, exactly as `docker build --check` would, but
// in-process and offline. dockerignore is the content of the build
// context's .dockerignore (nil when there is none); with it the
// CopyIgnoredFile rule can see what the context lacks.
//
// A `# check=skip=...` directive in the file is honoured (as BuildKit does);
// `experimental=all` is always added. The error is a *BuildError when
// BuildKit cannot build the file at all; the warnings found before that are
// returned with it.
func Dockerfile(content, dockerignore []byte) ([]Warning, error) {
	ctx := context.Background()
	cfg, err := lintConfig(content)
	if err != nil {
		return nil, &BuildError{Message: err.Error()}
	}
	bc, err := dockerui.NewClient(newGateway(dockerignore))
	if err != nil {
		return nil, fmt.Errorf("lint: set up BuildKit frontend client: %w", err)
	}
	bc.LinterConfig = cfg

	smap := llb.NewSourceMap(nil, "Dockerfile", "Dockerfile", content)
	smap.Definition = &llb.Definition{}
	res, err := dockerfile2llb.DockerfileLint(ctx, content, dockerfile2llb.ConvertOpt{
		Config:       bc.Config,
		Client:       bc,
		SourceMap:    smap,
		MetaResolver: offlineResolver{},
	})
	if err != nil {
		return nil, fmt.Errorf("lint: %w", err)
	}
	var out []Warning
	for _, w := range res.Warnings {
		lw := Warning{RuleName: w.RuleName, Description: w.Description, Detail: w.Detail, URL: w.URL}
		if w.Location != nil && len(w.Location.Ranges) > 0 && w.Location.Ranges[0].Start != nil {
			lw.Line = int(w.Location.Ranges[0].Start.Line)
			lw.Column = int(w.Location.Ranges[0].Start.Character)
		}
		out = append(out, lw)
	}
	slices.SortStableFunc(out, func(a, b Warning) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.RuleName, b.RuleName)
	})
	if res.Error != nil {
		be := &BuildError{Message: res.Error.Message}
		if len(res.Error.Location.Ranges) > 0 && res.Error.Location.Ranges[0].Start != nil {
			be.Line = int(res.Error.Location.Ranges[0].Start.Line)
		}
		return out, be
	}
	return out, nil
}

// lintConfig is the file's own `# check=` directive (skip lists are the
// author's call) with every experimental rule switched on and never
// "error=true": findings come back as warnings.
func lintConfig(content []byte) (*linter.Config, error) {
	v, _, _, _ := parser.ParseDirective("check", content)
	cfg, err := linter.ParseLintOptions(v)
	if err != nil {
		return nil, fmt.Errorf("check directive: %w", err)
	}
	cfg.ExperimentalAll = true
	cfg.ReturnAsError = false
	return cfg, nil
}

// Compose loads a compose file the way `docker compose config` does:
// interpolation on (variables from env only: no process environment, no
// .env file), schema validation and consistency checks on, paths resolved
// against dir. It returns the loader's error, or nil.
func Compose(dir string, content []byte, env map[string]string) error {
	_, err := LoadCompose(dir, content, env)
	return err
}

// LoadCompose is Compose returning the loaded project, for callers that
// check what the file means (say, each service's resolved environment).
func LoadCompose(dir string, content []byte, env map[string]string) (*types.Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	details := types.ConfigDetails{
		WorkingDir:  abs,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(abs, "compose.yaml"), Content: bytes.Clone(content)}},
		// A copy: the loader adds COMPOSE_PROJECT_NAME to it.
		Environment: types.Mapping(maps.Clone(env)),
	}
	if details.Environment == nil {
		details.Environment = types.Mapping{}
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SkipValidation = false
		o.SkipInterpolation = false
		o.SkipConsistencyCheck = false
		o.SkipInclude = true // an include could reach outside dir; dockgen writes none
		if _, ok := o.GetProjectName(); !ok {
			o.SetProjectName(loader.NormalizeProjectName(filepath.Base(abs)), false)
		}
	})
}
