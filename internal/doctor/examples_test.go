package doctor

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// exampleExpects are what dockgen's analysis and plan say of the examples
// copied into testdata/examples (from `dockgen analyze --json`).
var exampleExpects = map[string]*Expect{
	"multi": {Module: "example.com/multi", GoVersion: "1.23.4", GoSource: "go.mod:3", Binaries: []Binary{
		{Name: "api", Dir: "./cmd/api", Port: 8081, PortSource: "cmd/api/main.go:28", LongRunning: true},
		{Name: "migrate", Dir: "./cmd/migrate"},
		{Name: "worker", Dir: "./cmd/worker", LongRunning: true},
	}},
	"sqlite": {Module: "example.com/sqlite", GoVersion: "1.25.0", GoSource: "go.mod:3", Binaries: []Binary{
		{Name: "sqlite", Dir: ".", Port: 8080, PortSource: "main.go:52", LongRunning: true,
			Cgo: true, CgoReason: "github.com/mattn/go-sqlite3 uses cgo (imported at main.go:13)", CgoSource: "main.go:13"},
	}},
	"envconfig": {Module: "example.com/envconfig", GoVersion: "1.24.0", GoSource: "go.mod:3", Binaries: []Binary{
		{Name: "envconfig", Dir: ".", Port: 9090, PortSource: "main.go:39", LongRunning: true,
			RequiredEnv: []EnvRef{{"API_TOKEN", "main.go:27"}}, SecretEnv: []string{"API_TOKEN"}},
	}},
}

// TestGeneratedExamples: what dockgen generates passes doctor with the
// module's own facts: no error, no warning (digest pinning is optional, so
// DG121 notices are allowed).
func TestGeneratedExamples(t *testing.T) {
	for name, exp := range exampleExpects {
		t.Run(name, func(t *testing.T) {
			rep, err := Check(filepath.Join("testdata", "examples", name), Files{}, exp)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.checked()) != 3 {
				t.Fatalf("checked %v, want Dockerfile, .dockerignore and compose.yaml", rep.checked())
			}
			for _, f := range rep.Findings {
				if f.Severity != Info {
					t.Errorf("%s:%d:%d %s %s: %s", f.File, f.Line, f.Col, f.Severity, f.Rule, f.Message)
				}
			}
			if rep.HasErrors() {
				t.Error("HasErrors on a generated setup")
			}
		})
	}
}

// TestRepositoryExamples runs the file-only rules over every example the
// repository commits: none may report an error.
func TestRepositoryExamples(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*", "Dockerfile"))
	if len(dirs) == 0 {
		t.Skip("no examples in this checkout")
	}
	for _, df := range dirs {
		dir := filepath.Dir(df)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
				t.Skip("not a module")
			}
			rep, err := Check(dir, Files{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings {
				if f.Severity == Error {
					t.Errorf("%s:%d:%d %s: %s", f.File, f.Line, f.Col, f.Rule, f.Message)
				}
			}
		})
	}
}

// TestGeneratedExamplesMapBinaries: the quiet run above is not for want of
// linking binaries to stages and services: with a wrong port in the facts,
// the multi-binary example's api target and service are reported.
func TestGeneratedExamplesMapBinaries(t *testing.T) {
	exp := *exampleExpects["multi"]
	exp.Binaries = append([]Binary(nil), exp.Binaries...)
	exp.Binaries[0].Port = 9999
	exp.Binaries[2].Cgo = true
	rep, err := Check(filepath.Join("testdata", "examples", "multi"), Files{}, &exp)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"DG126@Dockerfile:57": false, "DG306@compose.yaml:21": false, "DG103@Dockerfile:26": false}
	for _, f := range rep.Findings {
		k := f.Rule + "@" + f.File + ":" + strconv.Itoa(f.Line)
		if _, ok := want[k]; ok {
			want[k] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("missing %s in\n%s", k, dump(rep))
		}
	}
}
