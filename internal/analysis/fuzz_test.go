package analysis

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzAnalyze writes fuzzed main.go content into a module: Analyze must not
// panic, and must return either an *InputError with a hint or facts whose
// sources all point at lines of existing files.
func FuzzAnalyze(f *testing.F) {
	f.Setenv("GOENV", "off")
	f.Setenv("GOMODCACHE", f.TempDir()) // empty: the machine's cache stays out
	paths, _ := filepath.Glob("testdata/*.txtar")
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if strings.HasSuffix(file.Name, ".go") {
				f.Add(string(file.Data))
			}
		}
	}
	f.Add("package main\n//line other.go:0\nfunc main() { http.ListenAndServe(\":\"+x, nil) }\n")
	f.Add("package main\nimport \"C\"\nfunc main() {}\n")
	f.Fuzz(func(t *testing.T, src string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/fuzz\n\ngo 1.22\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		facts, err := Analyze(dir)
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
	})
}
