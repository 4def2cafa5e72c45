package answers

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockgen/dockgen/internal/analysis"
)

func facts(mains ...analysis.Main) *analysis.Facts {
	return &analysis.Facts{Module: "example.com/m", Mains: mains}
}

func TestDefaultsSkipExamplesAndTools(t *testing.T) {
	f := facts(analysis.Main{Dir: "."}, analysis.Main{Dir: "./cmd/api"}, analysis.Main{Dir: "./examples/demo"},
		analysis.Main{Dir: "./internal/tools/gen"}, analysis.Main{Dir: "./plugin/example/echo"}, analysis.Main{Dir: "./test/e2e/fake"})
	if got := Defaults(f).Mains; !slices.Equal(got, []string{".", "./cmd/api"}) {
		t.Errorf("Defaults = %v", got)
	}
	// Only examples: they are what there is, so all are selected.
	f = facts(analysis.Main{Dir: "./examples/a"}, analysis.Main{Dir: "./examples/b"})
	if got := Defaults(f).Mains; len(got) != 2 {
		t.Errorf("Defaults = %v, want both", got)
	}
}

func TestValidate(t *testing.T) {
	cgo := analysis.Main{Dir: "./cmd/db", Name: "db", Cgo: true, CgoReason: "github.com/mattn/go-sqlite3 uses cgo"}
	api := analysis.Main{Dir: "./cmd/api", Name: "api"}
	f := facts(api, cgo)
	for _, tc := range []struct {
		name string
		a    Answers
		want string // substring of the error; "" for none
	}{
		{"ok", Answers{Mains: []string{"./cmd/api"}, Base: "scratch"}, ""},
		{"unknown base", Answers{Mains: []string{"./cmd/api"}, Base: "ubuntu"}, `unknown base "ubuntu"`},
		{"no mains", Answers{Base: "distroless"}, "no main package selected"},
		{"gone main", Answers{Mains: []string{"./cmd/old"}, Base: "distroless"}, "./cmd/old is not a main package"},
		{"cgo on scratch", Answers{Mains: []string{"./cmd/db"}, Base: "scratch"}, "needs cgo"},
		{"cgo on alpine", Answers{Mains: []string{"./cmd/db"}, Base: "alpine"}, "glibc"},
		{"cgo on debian", Answers{Mains: []string{"./cmd/db"}, Base: "debian"}, ""},
		{"port range", Answers{Mains: []string{"./cmd/api"}, Base: "distroless", Ports: map[string]int{"api": 0}}, "out of range"},
		{"port for unselected", Answers{Mains: []string{"./cmd/api"}, Base: "distroless", Ports: map[string]int{"db": 80}}, "not a selected binary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a.Validate(f)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestNormalizeMain(t *testing.T) {
	f := facts(analysis.Main{Dir: ".", Name: "app"}, analysis.Main{Dir: "./cmd/api", Name: "api"})
	for in, want := range map[string]string{"cmd/api": "./cmd/api", "./cmd/api/": "./cmd/api", "api": "./cmd/api", ".": ".", "./": "."} {
		got, err := NormalizeMain(f, in)
		if err != nil || got != want {
			t.Errorf("NormalizeMain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := NormalizeMain(f, "cmd/nope"); err == nil || !strings.Contains(err.Error(), "found: ., ./cmd/api") {
		t.Errorf("unknown main: %v", err)
	}
}

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := State{Answers: Answers{Mains: []string{"./cmd/api"}, Base: "debian", Ports: map[string]int{"api": 9000}},
		Files: map[string]string{"compose.yaml": Hash([]byte("b")), "Dockerfile": Hash([]byte("a"))}}
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if b2, _ := s.Marshal(); string(b) != string(b2) {
		t.Fatal("Marshal is not deterministic")
	}
	if strings.Index(string(b), "Dockerfile") > strings.Index(string(b), "compose.yaml") {
		t.Errorf("file hashes not sorted:\n%s", b)
	}
	if err := os.WriteFile(filepath.Join(dir, StateFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Answers.Base != "debian" || got.Answers.Ports["api"] != 9000 || got.Files["Dockerfile"] != s.Files["Dockerfile"] {
		t.Errorf("round trip: %+v", got)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if s, err := Load(dir); s != nil || err != nil {
		t.Errorf("missing state: %v, %v", s, err)
	}
	os.WriteFile(filepath.Join(dir, StateFile), []byte("answers:\n  mains: [.]\n  colour: blue\n"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "delete it and run `dockgen init`") {
		t.Errorf("unknown field: %v", err)
	}
}
