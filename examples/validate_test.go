package examples

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	dfparser "github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/dockgen/dockgen/internal/lint"
)

// TestExamplesValidate checks the committed generated files of every example
// with the tools Docker itself uses: BuildKit's full build-check rule set
// (experimental rules included) must report nothing, compose.yaml must load
// with compose-go (interpolation, schema, consistency), each compose build
// target must be a Dockerfile stage, and .dockerignore must keep every file
// the build reads.
func TestExamplesValidate(t *testing.T) {
	mods, err := filepath.Glob("*/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) == 0 {
		t.Fatal("no examples found (*/go.mod)")
	}
	for _, m := range mods {
		dir := filepath.Dir(m)
		t.Run(dir, func(t *testing.T) {
			df := readGenerated(t, dir, "Dockerfile", true)
			ignore := readGenerated(t, dir, ".dockerignore", false)

			ws, err := lint.Dockerfile(df, ignore)
			if err != nil {
				t.Fatalf("%s/Dockerfile: BuildKit refuses it: %v", dir, err)
			}
			for _, w := range ws {
				t.Errorf("%s/Dockerfile:%d: %s: %s", dir, w.Line, w.RuleName, w.Detail)
			}

			stages := dockerfileStages(t, dir, df)
			if compose := readGenerated(t, dir, "compose.yaml", false); compose != nil {
				validateCompose(t, dir, compose, stages)
			}
			if ignore != nil {
				validateIgnore(t, dir, ignore)
			}
		})
	}
}

// readGenerated reads a generated file of an example; a missing required
// file fails the test (an example without its Dockerfile is a broken example).
func readGenerated(t *testing.T, dir, name string, required bool) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	switch {
	case errors.Is(err, fs.ErrNotExist) && !required:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		t.Fatalf("%s has no %s: generate it with `go test ./examples -update`", dir, name)
	case err != nil:
		t.Fatal(err)
	}
	return b
}

// dockerfileStages are the stage names, as BuildKit's parser reads them.
func dockerfileStages(t *testing.T, dir string, df []byte) []string {
	t.Helper()
	res, err := dfparser.Parse(bytes.NewReader(df))
	if err != nil {
		t.Fatalf("%s/Dockerfile: %v", dir, err)
	}
	var stages []string
	for _, n := range res.AST.Children {
		v, err := instructions.ParseInstruction(n)
		if err != nil {
			t.Fatalf("%s/Dockerfile:%d: %v", dir, n.StartLine, err)
		}
		if st, ok := v.(*instructions.Stage); ok {
			stages = append(stages, st.Name)
		}
	}
	return stages
}

// composeRequired finds ${NAME:?...} and ${NAME?...}: variables compose
// refuses to start without.
var composeRequired = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*):?\?`)

func validateCompose(t *testing.T, dir string, compose []byte, stages []string) {
	t.Helper()
	env := map[string]string{}
	for _, m := range composeRequired.FindAllSubmatch(compose, -1) {
		env[string(m[1])] = "example-value"
	}
	p, err := lint.LoadCompose(dir, compose, env)
	if err != nil {
		t.Fatalf("%s/compose.yaml: compose-go: %v", dir, err)
	}
	abs, _ := filepath.Abs(dir)
	for name, s := range p.Services {
		if s.Build == nil {
			continue
		}
		if s.Build.Context != abs {
			t.Errorf("%s/compose.yaml: service %s builds %s, not the example", dir, name, s.Build.Context)
		}
		if !slices.Contains(stages, s.Build.Target) {
			t.Errorf("%s/compose.yaml: service %s builds target %q; the Dockerfile's stages are %v", dir, name, s.Build.Target, stages)
		}
	}
	// Without the required values compose must refuse: secrets are never
	// given a literal in the file.
	for name := range env {
		without := map[string]string{}
		for k, v := range env {
			if k != name {
				without[k] = v
			}
		}
		if err := lint.Compose(dir, compose, without); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s/compose.yaml loads without %s: %v", dir, name, err)
		}
	}
}

// validateIgnore: nothing the build reads (go.mod, go.sum, Go sources,
// vendor/) is excluded from the context.
func validateIgnore(t *testing.T, dir string, ignore []byte) {
	t.Helper()
	patterns, err := ignorefile.ReadAll(bytes.NewReader(ignore))
	if err != nil {
		t.Fatalf("%s/.dockerignore: %v", dir, err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatalf("%s/.dockerignore: %v", dir, err)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !(strings.HasSuffix(rel, ".go") || rel == "go.mod" || rel == "go.sum" || strings.HasPrefix(rel, "vendor/")) {
			return nil
		}
		if ex, err := pm.MatchesOrParentMatches(rel); err != nil || ex {
			t.Errorf("%s/.dockerignore excludes %s, which the build needs (%v)", dir, rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
