package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// genService writes a 1,000-file service (100 packages × 10 files, one main
// importing them all) and runs `dockgen init --yes` on it: the setup of the
// on-save benchmarks below.
func genService(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	files := map[string]string{"go.mod": "module example.com/svc\n\ngo 1.24\n"}
	var imports, calls strings.Builder
	for p := range 100 {
		name := fmt.Sprintf("p%03d", p)
		fmt.Fprintf(&imports, "\t%q\n", "example.com/svc/internal/"+name)
		fmt.Fprintf(&calls, "\t%s.F0(\"x\")\n", name)
		for f := range 10 {
			var s strings.Builder
			fmt.Fprintf(&s, "package %s\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"strings\"\n)\n\n", name)
			fmt.Fprintf(&s, "func F%d(s string) string {\n\tif v := os.Getenv(%q); v != \"\" {\n\t\ts = v\n\t}\n", f, strings.ToUpper(name)+fmt.Sprintf("_OPT_%d", f))
			s.WriteString("\tvar b strings.Builder\n\tfor i := range 10 {\n\t\tfmt.Fprintf(&b, \"%d:%s,\", i, s)\n\t}\n\treturn b.String()\n}\n")
			files[fmt.Sprintf("internal/%s/f%d.go", name, f)] = s.String()
		}
	}
	files["main.go"] = "package main\n\nimport (\n\t\"net/http\"\n\t\"os\"\n\n" + imports.String() +
		")\n\nfunc main() {\n" + calls.String() + "\thttp.ListenAndServe(\":\"+os.Getenv(\"PORT\"), nil)\n}\n"
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if code := run(context.Background(), []string{"init", "--yes", dir}, &streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &bytes.Buffer{}}, nil); code != 0 {
		b.Fatalf("init: exit %d", code)
	}
	return dir
}

func benchCommand(b *testing.B, args ...string) {
	dir := genService(b)
	args = append(args, dir)
	// One run first: the warm case is what an editor's on-save task sees.
	run(context.Background(), args, &streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &bytes.Buffer{}}, nil)
	b.ResetTimer()
	for range b.N {
		var errb bytes.Buffer
		if code := run(context.Background(), args, &streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &errb}, nil); code != 0 {
			b.Fatalf("%v: exit %d\n%s", args, code, errb.String())
		}
	}
}

// BenchmarkRegenerateCheck: `dockgen regenerate --check` on an unchanged
// 1,000-file service, warm (go test -bench 'RegenerateCheck|Doctor' ./internal/cli).
func BenchmarkRegenerateCheck(b *testing.B) { benchCommand(b, "regenerate", "--check") }

// BenchmarkDoctor: `dockgen doctor` on the same service, warm.
func BenchmarkDoctor(b *testing.B) { benchCommand(b, "doctor") }
