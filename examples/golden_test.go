// Package examples holds example Go modules (each its own module, so the
// main module ignores their code) together with the files dockgen generates
// for them. The tests here are golden tests: they run `dockgen init --yes`
// on a clean copy of each example and compare with the committed files.
//
//	go test ./examples -update   # rewrite the committed generated files
package examples

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/cli"
	"github.com/dockgen/dockgen/internal/state"
	"github.com/rogpeppe/go-internal/diff"
)

var update = flag.Bool("update", false, "rewrite the generated files committed in each example")

// generatedNames are the files dockgen writes (and analyze.json, the
// committed `dockgen analyze --json`); everything else in an example is its
// source. An example's committed .dockgen.yaml is also an input: its
// answers (a base, a --main selection, a port) are what the golden files
// are generated with.
var generatedNames = []string{"Dockerfile", ".dockerignore", "compose.yaml", "docker-bake.hcl", ".dockgen.yaml", "dockgen_health.go", "analyze.json"}

func isGenerated(rel string) bool { return slices.Contains(generatedNames, filepath.Base(rel)) }

// exampleDirs lists the example modules.
func exampleDirs(t testing.TB) []string {
	t.Helper()
	matches, err := filepath.Glob("*/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, m := range matches {
		dirs = append(dirs, filepath.Dir(m))
	}
	if len(dirs) < 3 {
		t.Fatalf("found %d examples, want at least 3", len(dirs))
	}
	return dirs
}

// copySources copies an example without its generated files into dst.
func copySources(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if isGenerated(rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// generatedFiles maps each generated file under dir to its content.
func generatedFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if isGenerated(rel) {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runDockgen(t testing.TB, args ...string) (stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	if code := cli.Main(args, strings.NewReader(""), &o, &e); code != 0 {
		t.Fatalf("dockgen %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, o.String(), e.String())
	}
	return o.String(), e.String()
}

// copyAnswers puts the answers of an example's committed .dockgen.yaml
// (and nothing else from it) into dst, so init generates with them.
func copyAnswers(t testing.TB, src, dst string) {
	t.Helper()
	st, err := state.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	if st == nil || reflect.DeepEqual(st.Answers, answers.Answers{}) {
		return
	}
	b, err := state.State{Answers: st.Answers}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, state.File), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGolden(t *testing.T) {
	for _, ex := range exampleDirs(t) {
		t.Run(ex, func(t *testing.T) {
			tmp := t.TempDir()
			copySources(t, ex, tmp)
			copyAnswers(t, ex, tmp)
			runDockgen(t, "init", "--yes", tmp)
			// analyze --json from inside the module, so "dir" is ".".
			t.Run("analyze", func(t *testing.T) {
				t.Chdir(tmp)
				out, _ := runDockgen(t, "analyze", "--json")
				if err := os.WriteFile("analyze.json", []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			})
			got := generatedFiles(t, tmp)
			if _, ok := got["Dockerfile"]; !ok {
				t.Fatalf("init wrote no Dockerfile; wrote %v", keys(got))
			}

			// Same input, byte-identical output, and nothing to rewrite.
			out, _ := runDockgen(t, "init", "--yes", tmp)
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				if !strings.HasPrefix(l, "unchanged") && !strings.HasPrefix(l, "kept") {
					t.Errorf("second init changed something: %q", l)
				}
			}
			for name, b := range generatedFiles(t, tmp) {
				if !bytes.Equal(b, got[name]) {
					t.Errorf("second run changed %s", name)
				}
			}
			runDockgen(t, "regenerate", "--check", tmp)

			want := generatedFiles(t, ex)
			if *update {
				for name := range want {
					if _, ok := got[name]; !ok {
						os.Remove(filepath.Join(ex, name))
					}
				}
				for name, b := range got {
					if err := os.WriteFile(filepath.Join(ex, name), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			for name, b := range got {
				w, ok := want[name]
				if !ok {
					t.Errorf("%s/%s is generated but not committed (run go test ./examples -update)", ex, name)
					continue
				}
				if !bytes.Equal(w, b) {
					t.Errorf("%s/%s differs from what dockgen generates now (run go test ./examples -update and review the diff):\n%s", ex, name, diff.Diff("committed/"+name, w, "generated/"+name, b))
				}
			}
			for name := range want {
				if _, ok := got[name]; !ok {
					t.Errorf("%s/%s is committed but no longer generated", ex, name)
				}
			}
		})
	}
}

// TestGeneratedCodeBuilds compiles each example with its generated health
// probe file, offline, for the examples without dependencies (the e2e suite
// builds the others inside Docker).
func TestGeneratedCodeBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles every example")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	for _, ex := range exampleDirs(t) {
		mod, err := os.ReadFile(filepath.Join(ex, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(mod), "require") {
			continue
		}
		t.Run(ex, func(t *testing.T) {
			dir := ex
			steps := [][]string{{"vet", "./..."}}
			// As the image's build stage does: generate first (in a copy,
			// never in the repository).
			if df, _ := os.ReadFile(filepath.Join(ex, "Dockerfile")); strings.Contains(string(df), "go generate ./...") {
				dir = t.TempDir()
				copySources(t, ex, dir)
				steps = append([][]string{{"generate", "./..."}}, steps...)
			}
			for _, args := range steps {
				cmd := exec.Command(goBin, args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOWORK=off", "GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), ex, err, out)
				}
			}
		})
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
