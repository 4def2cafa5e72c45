package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInterruptWritesNothingOrEverything cancels init (as SIGINT/SIGTERM
// do) at many moments of a run on a module large enough to take a while:
// each run either exits 2 having written nothing, or finishes with every
// file written — never a part.
func TestInterruptWritesNothingOrEverything(t *testing.T) {
	src := t.TempDir()
	write := func(dir, rel, content string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(src, "go.mod", "module example.com/big\n\ngo 1.24\n")
	write(src, "main.go", "package main\n\nimport (\n\t\"net/http\"\n\t\"os\"\n\t_ \"example.com/big/p0\"\n)\n\nfunc main() { http.ListenAndServe(\":\"+os.Getenv(\"PORT\"), nil) }\n")
	for i := range 200 {
		next := ""
		if i < 199 {
			next = fmt.Sprintf("import _ \"example.com/big/p%d\"\n", i+1)
		}
		for j := range 5 {
			imp := ""
			if j == 0 {
				imp = next
			}
			write(src, fmt.Sprintf("p%d/f%d.go", i, j), fmt.Sprintf("package p%d\n\n%s\nfunc F%d(s string) string { return s + %q }\n", i, imp, j, strings.Repeat("x", 40)))
		}
	}
	outputs := []string{"Dockerfile", ".dockerignore", "compose.yaml", "dockgen_health.go", ".dockgen.yaml"}
	interrupted, finished := 0, 0
	for _, delay := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond, 2 * time.Second} {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		timer := time.AfterFunc(delay, cancel)
		var stderr bytes.Buffer
		code := run(ctx, []string{"init", "--yes", dir}, &streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &stderr}, nil)
		timer.Stop()
		cancel()
		var present []string
		for _, o := range outputs {
			if _, err := os.Lstat(filepath.Join(dir, o)); err == nil {
				present = append(present, o)
			}
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".dockgen-") {
				t.Errorf("delay %s: temp file %s left behind", delay, e.Name())
			}
		}
		switch {
		case code == 2 && len(present) == 0 && strings.Contains(stderr.String(), "interrupted; nothing was written"):
			interrupted++
		case code == 0 && len(present) == len(outputs):
			finished++
		default:
			t.Errorf("delay %s: exit %d with %v written (want exit 2 and nothing, or exit 0 and all)\n%s", delay, code, present, stderr.String())
		}
	}
	if interrupted == 0 || finished == 0 {
		t.Logf("interrupted %d runs, %d finished: the delays did not cover both outcomes on this machine", interrupted, finished)
	}
}
