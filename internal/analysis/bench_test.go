package analysis

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const (
	benchPkgs  = 100
	benchFiles = 10
)

// genLarge writes a module of benchPkgs packages × benchFiles files (1,000
// Go files) and one main importing all of them.
func genLarge(b testing.TB) string {
	b.Helper()
	dir := b.TempDir()
	files := map[string]string{"go.mod": "module example.com/large\n\ngo 1.22\n"}
	var imports, calls strings.Builder
	for p := 0; p < benchPkgs; p++ {
		name := fmt.Sprintf("p%03d", p)
		fmt.Fprintf(&imports, "\t%q\n", "example.com/large/pkg/"+name)
		fmt.Fprintf(&calls, "\t%s.New0()\n", name)
		for f := 0; f < benchFiles; f++ {
			// Ordinary code: a type with methods, loops, maps, errors; one
			// env read per file and a config struct with env tags.
			var s strings.Builder
			fmt.Fprintf(&s, "package %s\n\nimport (\n\t\"errors\"\n\t\"fmt\"\n\t\"os\"\n\t\"strings\"\n)\n\n", name)
			fmt.Fprintf(&s, "const prefix%d = %q\n\nvar ErrEmpty%d = errors.New(\"empty\")\n\n", f, name, f)
			fmt.Fprintf(&s, "type Config%d struct {\n\tLevel string `env:\"%s_LEVEL_%d\" envDefault:\"info\"`\n\tSize  int\n}\n\n", f, strings.ToUpper(name), f)
			fmt.Fprintf(&s, "type Store%d struct {\n\titems map[string][]string\n\tcount int\n}\n\n", f)
			fmt.Fprintf(&s, "func New%d() *Store%d {\n\tdir := os.Getenv(\"%s_DIR_%d\")\n\tif dir == \"\" {\n\t\tdir = \"/var/lib/%s\"\n\t}\n\treturn &Store%d{items: map[string][]string{\"dir\": {dir}}}\n}\n\n", f, f, strings.ToUpper(name), f, name, f)
			for fn := 0; fn < 5; fn++ {
				fmt.Fprintf(&s, "func (s *Store%d) Op%d(key string, vals ...string) (string, error) {\n", f, fn)
				s.WriteString("\tif key == \"\" {\n\t\treturn \"\", ErrEmpty" + fmt.Sprint(f) + "\n\t}\n")
				s.WriteString("\tfor i, v := range vals {\n\t\tv = strings.TrimSpace(v)\n\t\tif v == \"\" {\n\t\t\tcontinue\n\t\t}\n\t\ts.items[key] = append(s.items[key], fmt.Sprintf(\"%d:%s\", i, v))\n\t\ts.count++\n\t}\n")
				fmt.Fprintf(&s, "\tswitch n := len(s.items[key]); {\n\tcase n > 10:\n\t\treturn prefix%d + strings.Join(s.items[key][:10], \",\"), nil\n\tdefault:\n\t\treturn prefix%d + strings.Join(s.items[key], \",\"), nil\n\t}\n}\n\n", f, f)
			}
			files[fmt.Sprintf("pkg/%s/f%d.go", name, f)] = s.String()
		}
	}
	files["cmd/app/main.go"] = "package main\n\nimport (\n\t\"net/http\"\n\t\"os\"\n\n" + imports.String() +
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
	return dir
}

func BenchmarkAnalyzeLarge(b *testing.B) {
	b.Setenv("GOENV", "off")
	b.Setenv("DOCKGEN_CACHE", "off") // cold: every run analyzes
	dir := genLarge(b)
	b.ReportAllocs()
	for b.Loop() {
		// Each analysis starts on a collected heap, as in a dockgen
		// process (go list, the baseline, is a new process each time):
		// the previous iteration's garbage is not this one's work.
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
		checkLarge(b, dir)
	}
}

// BenchmarkAnalyzeLargeWarm re-analyzes the unchanged module: the cache
// answers once it has checked every input.
func BenchmarkAnalyzeLargeWarm(b *testing.B) {
	b.Setenv("GOENV", "off")
	b.Setenv("XDG_CACHE_HOME", b.TempDir())
	b.Setenv("DOCKGEN_CACHE", "")
	dir := genLarge(b)
	// A repository at rest: files changed within the last seconds are
	// always read again (the stat shortcut needs them older, cache.go).
	time.Sleep(2500 * time.Millisecond)
	checkLarge(b, dir) // fills the cache
	b.ReportAllocs()
	for b.Loop() {
		checkLarge(b, dir)
	}
}

func checkLarge(b *testing.B, dir string) {
	f, err := Analyze(dir)
	if err != nil {
		b.Fatal(err)
	}
	if len(f.Mains) != 1 || len(f.Mains[0].Env) != 2*benchPkgs*benchFiles+1 {
		b.Fatalf("unexpected facts: %d mains, %d env vars", len(f.Mains), len(f.Mains[0].Env))
	}
}

// BenchmarkGoListDeps is the baseline Analyze avoids: `go list -deps ./...`
// on the same module, offline.
func BenchmarkGoListDeps(b *testing.B) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command")
	}
	dir := genLarge(b)
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	for b.Loop() {
		cmd := exec.Command(gobin, "list", "-deps", "-json", "./...")
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go list: %v\n%s", err, out)
		}
	}
}

// BenchmarkAnalyzeCallGraph is a service shaped like navidrome: a few
// hundred functions calling each other through methods of one name
// (Run), each reading a file under a default-path condition, all reached
// from main. Which code runs by default is asked for every read, through
// every caller: without the answers kept per main (cond.go, reach.go) it
// took minutes on navidrome.
func BenchmarkAnalyzeCallGraph(b *testing.B) {
	b.Setenv("GOENV", "off")
	b.Setenv("DOCKGEN_CACHE", "off")
	dir := b.TempDir()
	const n = 300
	var s strings.Builder
	s.WriteString("package main\n\nimport (\n\t\"net/http\"\n\t\"os\"\n)\n\n")
	for i := range n {
		fmt.Fprintf(&s, "type t%d struct{}\n\n", i)
		fmt.Fprintf(&s, "func (t%d) Run(dir string) {\n", i)
		fmt.Fprintf(&s, "\tif os.Getenv(\"SKIP_%d\") == \"\" {\n\t\tos.ReadFile(dir + \"/f%d.txt\")\n\t}\n", i, i)
		for _, j := range []int{i + 1, i + 2, i + 7} {
			if j < n {
				fmt.Fprintf(&s, "\tif dir != \"\" {\n\t\tt%d{}.Run(dir)\n\t}\n", j)
			}
		}
		s.WriteString("}\n\n")
	}
	s.WriteString("func main() {\n\tt0{}.Run(\"data\")\n\thttp.ListenAndServe(\":8080\", nil)\n}\n")
	for name, content := range map[string]string{"go.mod": "module example.com/graph\n\ngo 1.22\n", "main.go": s.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		f, err := Analyze(dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Mains) != 1 || len(f.Mains[0].Env) != n {
			b.Fatalf("unexpected facts: %d mains, %d env vars", len(f.Mains), len(f.Mains[0].Env))
		}
	}
}
