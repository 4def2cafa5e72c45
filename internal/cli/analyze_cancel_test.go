package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A cancelled run (SIGINT, SIGTERM) ends during the analysis, not after
// it: a large service's analysis can take many seconds.
func TestAnalyzeStopsWhenCancelled(t *testing.T) {
	dir := t.TempDir()
	write := fileWriter(t, dir)
	write("go.mod", "module example.com/big\n\ngo 1.22\n")
	main := "package main\n\nimport (\n\t\"net/http\"\n"
	calls := ""
	for i := range 200 {
		main += fmt.Sprintf("\t\"example.com/big/p%d\"\n", i)
		calls += fmt.Sprintf("\tp%d.F()\n", i)
		write(fmt.Sprintf("p%d/p.go", i), fmt.Sprintf("package p%d\n\nimport \"os\"\n\nfunc F() string { return os.Getenv(\"V%d\") }\n", i, i))
	}
	write("main.go", main+")\n\nfunc main() {\n"+calls+"\thttp.ListenAndServe(\":8080\", nil)\n}\n")
	t.Setenv("DOCKGEN_CACHE", "off")

	start := time.Now()
	if _, err := analyze(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	whole := time.Since(start)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	f, err := analyze(ctx, dir)
	if !errors.Is(err, context.Canceled) || f != nil {
		t.Fatalf("analyze after cancel = %v, %v; want context.Canceled", f, err)
	}
	if took := time.Since(start); took > whole {
		t.Errorf("cancelled analysis returned after %v, the whole analysis takes %v", took, whole)
	}
}

// fileWriter returns a function that writes a file below dir, making its
// directories.
func fileWriter(t *testing.T, dir string) func(rel, content string) {
	return func(rel, content string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
