package analysis

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzAnalyze writes a fuzzed go.mod, main.go and lib/lib.go (a package
// main.go may import as example.com/fuzz/lib) into a module: Analyze must
// not panic or hang, and must return either an *InputError with a hint or
// facts whose sources all point at lines of existing files, whose broken
// mains say why, and which are the same on a second run.
func FuzzAnalyze(f *testing.F) {
	f.Setenv("GOENV", "off")
	f.Setenv("GOMODCACHE", f.TempDir()) // empty: the machine's cache stays out
	const gomod = "module example.com/fuzz\n\ngo 1.22\n"
	paths, _ := filepath.Glob("testdata/*.txtar")
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			f.Fatal(err)
		}
		mod := gomod
		var srcs []string
		for _, file := range ar.Files {
			switch {
			case file.Name == "go.mod":
				mod = string(file.Data)
			case strings.HasSuffix(file.Name, ".go") && !strings.HasPrefix(file.Name, "../"):
				srcs = append(srcs, string(file.Data))
			}
		}
		for i, src := range srcs {
			lib := "package lib\n"
			if i+1 < len(srcs) {
				lib = srcs[i+1]
			}
			f.Add(mod, src, lib)
		}
	}
	lib := "package lib\n\nimport \"os\"\n\nfunc Addr() string { return \":\" + os.Getenv(\"PORT\") }\n"
	useLib := "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/fuzz/lib\"\n)\n\nfunc main() { http.ListenAndServe(lib.Addr(), nil) }\n"
	f.Add(gomod, "package main\n//line other.go:0\nfunc main() { http.ListenAndServe(\":\"+x, nil) }\n", lib)
	f.Add(gomod, "package main\nimport \"C\"\nfunc main() {}\n", lib)
	f.Add(gomod, useLib, "package lib\n\nfunc Addr() string { return \":\" +\n}\n")
	f.Add(gomod, useLib, "package main\n")
	f.Add("module \"example.com/a b\"\n", useLib, lib)
	f.Add("module example.com/fuzz\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n\nrequire example.com/x v1.0.0\n", "package main\n\nimport _ \"example.com/x\"\n\nfunc main() {}\n", lib)
	f.Add("module example.com/fuzz\n\nrequire example.com/x v0.0.0\n\nreplace example.com/x => ./lib\n", useLib, lib)
	f.Add("module example.com/fuzz\n\nrequire example.com/x v0.0.0\n\nreplace example.com/x => /abs\n", useLib, lib)
	f.Add("module example.com/fuzz/v2\n\ngo 1.16\n", useLib, "package lib\n\nfunc dockgenProbe() int { return 0 }\n")
	f.Fuzz(func(t *testing.T, mod, src, lib string) {
		dir := t.TempDir()
		for name, data := range map[string]string{"go.mod": mod, "main.go": src, "lib/lib.go": lib} {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		facts, err := analyzeWithin(t, dir)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want *InputError, got %T: %v", err, err)
			}
			if ie.Hint == "" || ie.File == "" {
				t.Fatalf("InputError without hint or file: %#v", ie)
			}
			return
		}
		checkSources(t, dir, facts)
		checkMainErrors(t, facts)
		again, err := analyzeWithin(t, dir)
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		if g, w := mustJSON(t, again), mustJSON(t, facts); g != w {
			t.Fatalf("second run differs:\n%s\nfirst:\n%s", g, w)
		}
	})
}
