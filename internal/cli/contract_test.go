package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"go.yaml.in/yaml/v3"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/state"
)

// TestNameContract: for odd binary names, the one name the plan gives a
// binary is the Dockerfile stage, the compose service and its build
// target, what --port NAME= and verify's --target accept, and what verify
// builds — read from the saved plan, never guessed from the Dockerfile.
func TestNameContract(t *testing.T) {
	dir := t.TempDir()
	bins := map[string]int{"my_worker": 9001, "my.app": 9002, "9lives": 9003, "API": 9004}
	write := fileWriter(t, dir)
	write("go.mod", "module example.com/odd\n\ngo 1.24\n")
	for name, port := range bins {
		write("cmd/"+name+"/main.go", fmt.Sprintf("package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":%d\", nil) }\n", port))
	}
	dockgen := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &streams{in: strings.NewReader(""), out: &out, err: &errb}, nil); code != 0 {
			t.Fatalf("dockgen %v: exit %d\n%s", args, code, errb.String())
		}
		return out.String()
	}
	dockgen("init", "--yes", dir)

	st, err := state.Load(dir)
	if err != nil || st == nil || st.Plan == nil {
		t.Fatalf("no saved plan: %v", err)
	}
	p := st.Plan
	df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := parser.Parse(bytes.NewReader(df))
	if err != nil {
		t.Fatal(err)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatal(err)
	}
	var stageNames []string
	for _, s := range stages {
		stageNames = append(stageNames, s.Name)
	}
	var compose struct {
		Services map[string]struct {
			Build struct{ Target string }
		}
	}
	cb, _ := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err := yaml.Unmarshal(cb, &compose); err != nil {
		t.Fatal(err)
	}
	f, err := analysis.Analyze(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Binaries) != len(bins) {
		t.Fatalf("plan has %d binaries, want %d", len(p.Binaries), len(bins))
	}
	refName := regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	all, err := pickTargets(verifyOptions{}, st, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range p.Binaries {
		t.Run(b.Name, func(t *testing.T) {
			if !refName.MatchString(b.Name) {
				t.Errorf("name %q is not an image reference component (BuildKit needs that for stage names)", b.Name)
			}
			if !slices.Contains(stageNames, b.Name) {
				t.Errorf("no Dockerfile stage %q (stages %v)", b.Name, stageNames)
			}
			if s, ok := compose.Services[b.Name]; !ok || s.Build.Target != b.Name {
				t.Errorf("compose service %q: %+v", b.Name, s)
			}
			raw := strings.TrimPrefix(b.Main, "./cmd/")
			if want := bins[raw]; b.Port != want {
				t.Errorf("port %d, want %d", b.Port, want)
			}
			if !slices.ContainsFunc(all, func(x target) bool { return x.stage == b.Name && x.bin.Port == b.Port }) {
				t.Errorf("verify's default targets lack %s", b.Name)
			}
			for _, v := range []string{b.Name, b.Main, strings.TrimPrefix(b.Main, "./")} {
				got, err := pickTargets(verifyOptions{targets: []string{v}}, st, f)
				if err != nil || len(got) != 1 || got[0].stage != b.Name || got[0].main == nil || got[0].main.Dir != b.Main {
					t.Errorf("verify --target %s: %+v %v", v, got, err)
				}
			}
			out := dockgen("init", "--yes", "--force", "--dry-run", "--port", b.Name+"=7000", dir)
			if !strings.Contains(out, "would update") {
				t.Errorf("--port %s=7000 changed nothing:\n%s", b.Name, out)
			}
		})
	}
}
